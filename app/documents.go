package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"go.temporal.io/sdk/client"

	"tdkt/domain"
	"tdkt/store"
	"tdkt/workflows"
)

// UploadTarget checks that a may add a document to dossier id now, before
// anything is read from the client: only a user of the dossier's unit, in
// stage reception or supplement.
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
	return v, nil
}

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

// StoreDocument stores a document of dossier v (from UploadTarget), its
// type judged from its first bytes. It is not part of the dossier until
// AttachDocument; Discard removes it if that does not happen.
func (s *Service) StoreDocument(ctx context.Context, v domain.View, kind, filename string, r io.Reader) (domain.Document, error) {
	if fe := CheckKind(kind); fe != nil {
		return domain.Document{}, invalid(*fe)
	}
	br := bufio.NewReaderSize(r, SniffLen)
	head, err := br.Peek(SniffLen)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return domain.Document{}, UploadError(err)
	}
	if len(head) == 0 {
		return domain.Document{}, invalid(domain.FieldError{Field: "file", Message: "is empty"})
	}
	ct := Sniff(head)
	if ct == "" {
		return domain.Document{}, refusal(ErrUnsupported, "accepted documents are PDF, DOC, DOCX, ODT, JPEG and PNG (judged by content)")
	}
	d, err := s.store.PutDocument(ctx, v.ID, domain.DocumentKind(kind), CleanFilename(filename), ct, br, s.maxUpload)
	if err != nil {
		return domain.Document{}, UploadError(err)
	}
	return d, nil
}

// AttachDocument makes a stored document part of the dossier (an update of
// its workflow); a refused or failed attachment leaves nothing behind.
func (s *Service) AttachDocument(ctx context.Context, a domain.Actor, v domain.View, doc domain.Document) (domain.View, error) {
	tctx, cancel := temporalCtx(ctx)
	defer cancel()
	cmd := domain.Command{Action: domain.ActAttachDocument, Actor: a, Document: &doc}
	h, err := s.temporal.UpdateWorkflow(tctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.DossierWorkflowID(v.ID),
		UpdateName:   workflows.UpdateName(domain.ActAttachDocument),
		Args:         []interface{}{cmd},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var nv domain.View
	if err == nil {
		err = h.Get(tctx, &nv)
	}
	if err != nil {
		s.Discard(ctx, doc)
		return domain.View{}, s.updateError(ctx, v.ID, domain.ActAttachDocument, "attach document", err)
	}
	return s.present(ctx, a, nv, nil), nil
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
