package server

import (
	"cmp"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"tdkt/app"
	"tdkt/config"
	"tdkt/domain"
)

// upload receives a document: POST /api/v1/dossiers/{id}/documents, multipart
// fields "file" and "kind". Only a unit user of the dossier's unit may
// upload (another unit-scoped caller gets 404, any other caller 403), in
// stage reception or supplement (409 otherwise), while the dossier holds
// fewer than TDKT_MAX_DOCUMENTS (409). The file is read whole to a
// temporary file (app.ReceiveDocument) before anything is stored, so a
// slow client holds no database connection; then its type is judged from
// its content and it is stored in one short transaction.
func (s *Server) upload(c *gin.Context) {
	a := mustActor(c)
	ctx := c.Request.Context()
	key := c.GetHeader("Idempotency-Key")
	if fe := app.CheckIdempotencyKey(key); fe != nil {
		invalid(c, *fe)
		return
	}
	v, err := s.app.UploadTarget(ctx, a, c.Param("id"))
	if err != nil {
		s.answer(c, err)
		return
	}
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		fail(c, http.StatusUnsupportedMediaType, "the body must be multipart/form-data with fields file and kind")
		return
	}
	if c.Request.ContentLength > s.maxUpload+app.MultipartOverhead {
		s.tooLarge(c)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxUpload+app.MultipartOverhead)
	mr := multipart.NewReader(c.Request.Body, params["boundary"])

	var (
		kind     string
		haveKind bool
		file     *app.Received
	)
	defer func() { file.Close() }()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.answer(c, app.UploadError(err))
			return
		}
		switch part.FormName() {
		case "kind":
			b, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				s.answer(c, app.UploadError(err))
				return
			}
			kind, haveKind = strings.TrimSpace(string(b)), true
			// A wrong kind is refused before any file is read.
			if fe := app.CheckKind(kind); fe != nil {
				invalid(c, *fe)
				return
			}
		case "file":
			if file != nil {
				invalid(c, domain.FieldError{Field: "file", Message: "send one file per request"})
				return
			}
			if file, err = s.app.ReceiveDocument(part, part.FileName()); err != nil {
				s.answer(c, err)
				return
			}
		}
		part.Close()
	}
	switch {
	case file == nil:
		invalid(c, domain.FieldError{Field: "file", Message: "is required"})
		return
	case !haveKind:
		invalid(c, domain.FieldError{Field: "kind", Message: "is required"})
		return
	}
	doc, err := s.app.StoreDocument(ctx, v, kind, file)
	if err != nil {
		s.answer(c, err)
		return
	}
	nv, doc, repeated, err := s.app.AttachDocument(ctx, a, v, doc, key)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("Location", "/api/v1/dossiers/"+url.PathEscape(v.ID)+"/documents/"+url.PathEscape(doc.ID))
	c.Header("ETag", etag(nv))
	status := http.StatusCreated
	if repeated {
		status = http.StatusOK // as a repeated submission: the first upload's document
	}
	c.JSON(status, doc)
}

// readHeaderTimeout and readTimeout are the HTTP server's bounds on
// reading a request (TDKT_HTTP_READ_HEADER_TIMEOUT, TDKT_HTTP_READ_TIMEOUT;
// see Serve), their defaults when the configuration leaves them unset.
func (s *Server) readHeaderTimeout() time.Duration {
	return cmp.Or(s.cfg.HTTPReadHeaderTimeout, config.Defaults().HTTPReadHeaderTimeout)
}

func (s *Server) readTimeout() time.Duration {
	return cmp.Or(s.cfg.HTTPReadTimeout, config.Defaults().HTTPReadTimeout)
}

func (s *Server) tooLarge(c *gin.Context) {
	fail(c, http.StatusRequestEntityTooLarge, "documents may be at most %d MB", s.maxUpload>>20)
}

// download sends a document: GET /api/v1/dossiers/{id}/documents/{doc}.
func (s *Server) download(c *gin.Context) {
	doc, rc, err := s.app.OpenDocument(c.Request.Context(), mustActor(c), c.Param("id"), c.Param("doc"))
	if err != nil {
		s.answer(c, err)
		return
	}
	defer rc.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", doc.ContentType)
	h.Set("Content-Length", strconv.FormatInt(doc.Size, 10))
	h.Set("Content-Disposition", contentDisposition(doc.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	if doc.SHA256 != "" {
		h.Set("ETag", `"`+doc.SHA256+`"`)
	}
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, rc); err != nil {
		s.log.Warn("document download interrupted", "request_id", requestID(c), "document", doc.ID, "error", err)
	}
}

// contentDisposition is an attachment header with an ASCII fallback name and
// the real one in RFC 5987 form (Vietnamese names survive).
func contentDisposition(name string) string { return app.ContentDisposition("attachment", name) }
