package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"

	"tdkt/domain"
	"tdkt/store"
)

// UploadTarget checks that a may add a document to dossier id now, before
// anything is read from the client: only a user of the dossier's unit, in
// stage reception or supplement, while the dossier holds fewer than
// MaxDocuments.
func (s *Service) UploadTarget(ctx context.Context, a domain.Actor, id string) (domain.View, error) {
	v, err := s.visible(ctx, a, id)
	if err != nil {
		return domain.View{}, err
	}
	if !a.Has(domain.RoleUnit) || a.Unit != v.Unit {
		return domain.View{}, &Error{Kind: domain.ErrForbidden, Action: domain.ActAttachDocument, Detail: "only the dossier's unit may upload documents"}
	}
	if v.Stage != domain.Reception && v.Stage != domain.Supplement {
		return domain.View{}, &Error{Kind: domain.ErrConflict, Stage: v.Stage, Action: domain.ActAttachDocument,
			Detail: fmt.Sprintf("documents may be added in stages reception and supplement; the dossier is in stage %s", v.Stage)}
	}
	if max := s.MaxDocuments(); len(v.Documents) >= max {
		return domain.View{}, tooManyDocuments(v, max)
	}
	return v, nil
}

// MaxDocuments is the most documents a dossier may hold
// (TDKT_MAX_DOCUMENTS, 50 by default).
func (s *Service) MaxDocuments() int { return s.maxDocuments }

// tooManyDocuments refuses a document beyond the limit: 409, since the
// dossier's state refuses it (the same request is fine on another
// dossier), not any field of the request.
func tooManyDocuments(v domain.View, max int) *Error {
	return &Error{Kind: domain.ErrConflict, Stage: v.Stage, Action: domain.ActAttachDocument,
		Detail: fmt.Sprintf("the dossier already holds %d documents, the most allowed (stage %s)", max, v.Stage)}
}

// MultipartOverhead is what a multipart envelope (boundaries, headers, the
// kind field, a CSRF token) may add to a document's size: both front doors
// bound an upload's body by MaxUpload plus this.
const MultipartOverhead = 64 << 10

// CheckKind checks a document kind.
func CheckKind(kind string) *domain.FieldError {
	if kind == "" {
		return &domain.FieldError{Field: "kind", Message: "is required"}
	}
	if !domain.ValidDocumentKind(domain.DocumentKind(kind)) {
		return &domain.FieldError{Field: "kind", Message: "must be one of to_trinh, bao_cao_thanh_tich, bien_ban_hop, xac_nhan_sang_kien, tom_tat_thanh_tich, khac"}
	}
	return nil
}

// Received is an uploaded file read whole from the client into a temporary
// file, within the size limit, before anything is stored: no database
// connection or transaction ever waits on a client. Both front doors
// receive through ReceiveDocument. Close removes the file.
type Received struct {
	file     *os.File
	size     int64
	filename string // as sent, cleaned
}

// Size is the file's length in bytes.
func (r *Received) Size() int64 { return r.size }

// Close removes the temporary file; a nil Received is fine.
func (r *Received) Close() error {
	if r == nil || r.file == nil {
		return nil
	}
	name := r.file.Name()
	r.file.Close()
	r.file = nil
	return os.Remove(name)
}

// clientReader remembers the error of reading from the client, to tell it
// from an error writing the temporary file.
type clientReader struct {
	r   io.Reader
	err error
}

func (c *clientReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// ReceiveDocument reads an uploaded file from the client into a temporary
// file; it touches neither the database nor Temporal. A file longer than
// MaxUpload is too large (413); a body cut short or not sent in time
// (TDKT_HTTP_READ_TIMEOUT) is malformed (400).
func (s *Service) ReceiveDocument(r io.Reader, filename string) (*Received, error) {
	f, err := os.CreateTemp("", "tdkt-upload-*")
	if err != nil {
		return nil, failure("spool upload", err)
	}
	rec := &Received{file: f, filename: CleanFilename(filename)}
	cr := &clientReader{r: r}
	n, err := io.Copy(f, io.LimitReader(cr, s.maxUpload+1))
	switch {
	case cr.err != nil:
		rec.Close()
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(cr.err, &tooBig):
			return nil, &Error{Kind: ErrTooLarge, Detail: "document too large"}
		case errors.Is(cr.err, os.ErrDeadlineExceeded):
			return nil, refusal(ErrMalformed, "the upload did not arrive in full within the time allowed")
		}
		return nil, refusal(ErrMalformed, "the upload could not be read: %v", cr.err)
	case err != nil:
		rec.Close()
		return nil, failure("spool upload", err)
	case n > s.maxUpload:
		rec.Close()
		return nil, &Error{Kind: ErrTooLarge, Detail: "document too large"}
	}
	rec.size = n
	return rec, nil
}

// documentCap is a read model that refuses, atomically, a document beyond
// a dossier's limit (store.ErrTooManyDocuments), so that two uploads at
// once cannot both be the last. *store.Store has it.
type documentCap interface {
	PutDocumentAtMost(ctx context.Context, dossierID string, kind domain.DocumentKind, filename, contentType string,
		r io.Reader, maxBytes int64, maxDocs int) (domain.Document, error)
}

var _ documentCap = (*store.Store)(nil)

// StoreDocument stores a received document of dossier v (from UploadTarget)
// from disk, in one short transaction: its type judged from its content
// (Detect), its name's extension following that type (FilenameFor). It is
// not part of the dossier until AttachDocument; Discard removes it if that
// does not happen.
func (s *Service) StoreDocument(ctx context.Context, v domain.View, kind string, f *Received) (domain.Document, error) {
	if fe := CheckKind(kind); fe != nil {
		return domain.Document{}, invalid(*fe)
	}
	if f == nil || f.file == nil {
		return domain.Document{}, invalid(domain.FieldError{Field: "file", Message: "is required"})
	}
	if f.size == 0 {
		return domain.Document{}, invalid(domain.FieldError{Field: "file", Message: "is empty"})
	}
	ct, why := Detect(f.file, f.size)
	if ct == "" {
		return domain.Document{}, refusal(ErrUnsupported, "%s", why)
	}
	max := s.MaxDocuments()
	if len(v.Documents) >= max {
		return domain.Document{}, tooManyDocuments(v, max)
	}
	name := FilenameFor(f.filename, ct)
	r := io.NewSectionReader(f.file, 0, f.size)
	var (
		d   domain.Document
		err error
	)
	if c, ok := s.store.(documentCap); ok {
		d, err = c.PutDocumentAtMost(ctx, v.ID, domain.DocumentKind(kind), name, ct, r, s.maxUpload, max)
	} else {
		d, err = s.store.PutDocument(ctx, v.ID, domain.DocumentKind(kind), name, ct, r, s.maxUpload)
	}
	if errors.Is(err, store.ErrTooManyDocuments) {
		return domain.Document{}, tooManyDocuments(v, max)
	}
	if err != nil {
		return domain.Document{}, UploadError(err)
	}
	return d, nil
}

// AttachDocument makes a stored document part of the dossier (an update of
// its workflow); a refused or failed attachment leaves nothing behind.
//
// key is the upload's optional Idempotency-Key. The update's id is derived
// from it (and the unit), so Temporal attaches once however often the upload
// is repeated: a repeat answers with the document the first attached
// (repeated true) and this upload's bytes are discarded; the same key with
// another file is refused (422) and changes nothing.
func (s *Service) AttachDocument(ctx context.Context, a domain.Actor, v domain.View, doc domain.Document, key string) (domain.View, domain.Document, bool, error) {
	if fe := CheckIdempotencyKey(key); fe != nil {
		s.Discard(ctx, doc)
		return domain.View{}, domain.Document{}, false, invalid(*fe)
	}
	token := "u-" + rand.Text()
	if key != "" {
		sum := sha256.Sum256([]byte(a.Unit + "\x00" + key))
		token = "doc-" + hex.EncodeToString(sum[:20])
	}
	out, err := s.sendAs(ctx, v.ID, token, domain.Command{Action: domain.ActAttachDocument, Actor: a, Document: &doc})
	if err != nil {
		s.Discard(ctx, doc)
		return domain.View{}, domain.Document{}, false, s.updateError(ctx, v.ID, domain.ActAttachDocument, "attach document", err)
	}
	attached := doc
	for _, e := range out.Entries {
		if e.Details != nil && e.Details.Document != nil {
			attached = *e.Details.Document
		}
	}
	if attached.ID == doc.ID {
		return s.present(ctx, a, out.View, nil), doc, false, nil
	}
	// A repeat: the first upload with this key is the one attached.
	s.Discard(ctx, doc)
	if attached.Kind != doc.Kind || attached.SHA256 != doc.SHA256 {
		return domain.View{}, domain.Document{}, false, invalid(domain.FieldError{Field: "Idempotency-Key",
			Message: "was already used for a different document"})
	}
	nv, err := s.Dossier(ctx, a, v.ID)
	if err != nil {
		return domain.View{}, domain.Document{}, false, err
	}
	return nv, attached, true, nil
}

// Discard deletes a stored document whose attachment did not happen.
func (s *Service) Discard(ctx context.Context, doc domain.Document) {
	// The client may have gone away; the clean-up must still happen.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), TemporalTimeout)
	defer cancel()
	if err := s.store.DeleteDocument(ctx, doc.ID); err != nil {
		s.log.ErrorContext(ctx, "delete unattached document", "document", doc.ID, "error", err)
	}
}

// UploadError classifies an error met while reading or storing an upload.
func UploadError(err error) *Error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, store.ErrTooLarge), errors.As(err, &tooBig):
		return &Error{Kind: ErrTooLarge, Detail: "document too large"}
	case errors.Is(err, store.ErrNotFound):
		return refusal(domain.ErrNotFound, "no such dossier")
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The client's, not a backing service's: it did not send in time.
		return refusal(ErrMalformed, "the upload did not arrive in full within the time allowed")
	case Unavailable(err):
		return failure("upload", err)
	case errors.Is(err, multipart.ErrMessageTooLarge), strings.Contains(err.Error(), "multipart"), errors.Is(err, io.ErrUnexpectedEOF):
		return refusal(ErrMalformed, "the multipart body is malformed: %v", err)
	default:
		return failure("upload", err)
	}
}

// OpenDocument opens a document of a dossier a may see.
func (s *Service) OpenDocument(ctx context.Context, a domain.Actor, id, docID string) (domain.Document, io.ReadCloser, error) {
	v, err := s.visible(ctx, a, id)
	if err != nil {
		return domain.Document{}, nil, err
	}
	if !ValidID(docID) {
		return domain.Document{}, nil, refusal(domain.ErrNotFound, "no such document")
	}
	doc, rc, err := s.store.OpenDocument(ctx, v.ID, docID)
	if errors.Is(err, store.ErrNotFound) {
		return domain.Document{}, nil, refusal(domain.ErrNotFound, "no such document")
	}
	if err != nil {
		return domain.Document{}, nil, failure("open document", err)
	}
	return doc, rc, nil
}
