package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"tdkt/domain"
	"tdkt/workflows"
)

// multipartOverhead is what the multipart envelope (boundaries, headers, the
// kind field) may add to the file's size.
const multipartOverhead = 64 << 10

// upload receives a document: POST /api/v1/dossiers/{id}/documents, multipart
// fields "file" and "kind". Only a unit user of the dossier's unit may
// upload (another unit-scoped caller gets 404, any other caller 403), in
// stage reception or supplement (409 otherwise). The file is streamed into
// the read model; its type is judged from its first bytes.
func (s *Server) upload(c *gin.Context) {
	a := mustActor(c)
	v, ok := s.visibleDossier(c, a)
	if !ok {
		return
	}
	if !a.Has(domain.RoleUnit) || a.Unit != v.Unit {
		fail(c, http.StatusForbidden, "only the dossier's unit may upload documents")
		return
	}
	if v.Stage != domain.Reception && v.Stage != domain.Supplement {
		problem(c, Problem{Status: http.StatusConflict, Stage: v.Stage,
			Detail: fmt.Sprintf("documents may be added in stages reception and supplement; the dossier is in stage %s", v.Stage)})
		return
	}
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		fail(c, http.StatusUnsupportedMediaType, "the body must be multipart/form-data with fields file and kind")
		return
	}
	if c.Request.ContentLength > s.maxUpload+multipartOverhead {
		s.tooLarge(c)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxUpload+multipartOverhead)
	mr := multipart.NewReader(c.Request.Body, params["boundary"])

	var (
		kind     string
		haveKind bool
		doc      domain.Document
		stored   bool
		spool    *os.File // the file, when it came before kind
		filename string
	)
	defer func() {
		if spool != nil {
			spool.Close()
			os.Remove(spool.Name())
		}
	}()
	// put streams the file into the read model once its kind is known.
	put := func(r io.Reader, name string) bool {
		if fe := checkKind(kind); fe != nil {
			invalid(c, *fe)
			return false
		}
		br := bufio.NewReaderSize(r, SniffLen)
		head, err := br.Peek(SniffLen)
		if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
			s.uploadError(c, err)
			return false
		}
		if len(head) == 0 {
			invalid(c, domain.FieldError{Field: "file", Message: "is empty"})
			return false
		}
		ct := sniff(head)
		if ct == "" {
			fail(c, http.StatusUnsupportedMediaType, "accepted documents are PDF, DOC, DOCX, ODT, JPEG and PNG (judged by content)")
			return false
		}
		d, err := s.store.PutDocument(c.Request.Context(), v.ID, domain.DocumentKind(kind), name, ct, br, s.maxUpload)
		if err != nil {
			s.uploadError(c, err)
			return false
		}
		doc, stored = d, true
		return true
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.uploadError(c, err)
			return
		}
		switch part.FormName() {
		case "kind":
			b, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				s.uploadError(c, err)
				return
			}
			kind, haveKind = strings.TrimSpace(string(b)), true
			if spool != nil && !stored {
				if _, err := spool.Seek(0, io.SeekStart); err != nil {
					s.internal(c, "upload spool", err)
					return
				}
				if !put(spool, filename) {
					return
				}
			}
		case "file":
			if stored || spool != nil {
				invalid(c, domain.FieldError{Field: "file", Message: "send one file per request"})
				s.discard(c, doc, stored)
				return
			}
			filename = cleanFilename(part.FileName())
			if haveKind {
				if !put(part, filename) {
					return
				}
				continue
			}
			// The file came first: keep it on disk until kind arrives.
			spool, err = os.CreateTemp("", "tdkt-upload-*")
			if err != nil {
				s.internal(c, "upload spool", err)
				return
			}
			n, err := io.Copy(spool, io.LimitReader(part, s.maxUpload+1))
			if err != nil {
				s.uploadError(c, err)
				return
			}
			if n > s.maxUpload {
				s.tooLarge(c)
				return
			}
		}
		part.Close()
	}
	if !stored {
		switch {
		case spool == nil:
			invalid(c, domain.FieldError{Field: "file", Message: "is required"})
		default:
			invalid(c, domain.FieldError{Field: "kind", Message: "is required"})
		}
		return
	}

	ctx, cancel := temporalCtx(c)
	defer cancel()
	cmd := domain.Command{Action: domain.ActAttachDocument, Actor: a, Document: &doc}
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.DossierWorkflowID(v.ID),
		UpdateName:   workflows.UpdateName(domain.ActAttachDocument),
		Args:         []interface{}{cmd},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var nv domain.View
	if err == nil {
		err = h.Get(ctx, &nv)
	}
	if err != nil {
		// A refused or failed attachment leaves nothing behind.
		s.discard(c, doc, true)
		s.temporalError(c, v.ID, "attach document", err)
		return
	}
	c.Header("Location", "/api/v1/dossiers/"+url.PathEscape(v.ID)+"/documents/"+url.PathEscape(doc.ID))
	c.Header("ETag", etag(nv))
	c.JSON(http.StatusCreated, doc)
}

// discard deletes a stored document whose attachment did not happen.
func (s *Server) discard(c *gin.Context, doc domain.Document, stored bool) {
	if !stored {
		return
	}
	// The client may have gone away; the clean-up must still happen.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), TemporalTimeout)
	defer cancel()
	if err := s.store.DeleteDocument(ctx, doc.ID); err != nil {
		s.log.Error("delete unattached document", "request_id", requestID(c), "document", doc.ID, "error", err)
	}
}

func (s *Server) tooLarge(c *gin.Context) {
	fail(c, http.StatusRequestEntityTooLarge, "documents may be at most %d MB", s.maxUpload>>20)
}

// uploadError answers an error met while reading or storing an upload.
func (s *Server) uploadError(c *gin.Context, err error) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, ErrTooLarge), errors.As(err, &tooBig):
		s.tooLarge(c)
	case errors.Is(err, ErrNotFound):
		fail(c, http.StatusNotFound, "no such dossier")
	case unavailable(err):
		s.internal(c, "upload", err)
	case errors.Is(err, multipart.ErrMessageTooLarge), strings.Contains(err.Error(), "multipart"), errors.Is(err, io.ErrUnexpectedEOF):
		fail(c, http.StatusBadRequest, "the multipart body is malformed: %v", err)
	default:
		s.internal(c, "upload", err)
	}
}

func checkKind(kind string) *domain.FieldError {
	if kind == "" {
		return &domain.FieldError{Field: "kind", Message: "is required"}
	}
	if !domain.ValidDocumentKind(domain.DocumentKind(kind)) {
		return &domain.FieldError{Field: "kind", Message: "must be one of to_trinh, bao_cao_thanh_tich, bien_ban_hop, xac_nhan_sang_kien, tom_tat_thanh_tich, khac"}
	}
	return nil
}

// maxFilename is the longest file name kept, in bytes.
const maxFilename = 255

// cleanFilename keeps a file name safe to store and to send back: valid
// UTF-8, no path, no control characters, at most maxFilename bytes.
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > maxFilename {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		name = "document"
	}
	return name
}

// download sends a document: GET /api/v1/dossiers/{id}/documents/{doc}.
func (s *Server) download(c *gin.Context) {
	a := mustActor(c)
	v, ok := s.visibleDossier(c, a)
	if !ok {
		return
	}
	docID := c.Param("doc")
	if !validID(docID) {
		fail(c, http.StatusNotFound, "no such document")
		return
	}
	doc, rc, err := s.store.OpenDocument(c.Request.Context(), v.ID, docID)
	if errors.Is(err, ErrNotFound) {
		fail(c, http.StatusNotFound, "no such document")
		return
	}
	if err != nil {
		s.internal(c, "open document", err)
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
		s.log.Warn("document download interrupted", "request_id", requestID(c), "document", docID, "error", err)
	}
}

// contentDisposition is an attachment header with an ASCII fallback name and
// the real one in RFC 5987 form (Vietnamese names survive).
func contentDisposition(name string) string {
	var fallback strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';':
			fallback.WriteByte('_')
		default:
			fallback.WriteRune(r)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, fallback.String(), rfc5987(name))
}

// rfc5987 percent-encodes everything but RFC 5987's attr-char.
func rfc5987(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte(attr, ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}
