package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"tdkt/domain"
)

// chunkSize is how much of a document one row holds, and so the most of it
// in memory at once.
const chunkSize = 1 << 20

// PutDocument stores a file for a dossier, copying r in chunks within one
// transaction and computing its size and SHA-256 on the way. A file longer
// than maxBytes is rolled back whole and gives ErrTooLarge. r must be
// local (the application layer spools uploads to disk first): the
// transaction holds a connection for as long as r takes.
func (s *Store) PutDocument(ctx context.Context, dossierID string, kind domain.DocumentKind, filename, contentType string, r io.Reader, maxBytes int64) (domain.Document, error) {
	return s.PutDocumentAtMost(ctx, dossierID, kind, filename, contentType, r, maxBytes, 0)
}

// PutDocumentAtMost is PutDocument for a dossier that may hold at most
// maxDocs documents (0: no limit): one more is refused with
// ErrTooManyDocuments and nothing stored. The count, under a lock per
// dossier, takes in every stored document of the dossier, attached or
// being attached, so that two uploads at once cannot both take the last
// place.
func (s *Store) PutDocumentAtMost(ctx context.Context, dossierID string, kind domain.DocumentKind, filename, contentType string, r io.Reader, maxBytes int64, maxDocs int) (domain.Document, error) {
	doc := domain.Document{ID: uuid.NewString(), Kind: domain.DocumentKind(cleanText(string(kind))),
		Filename: cleanText(filename), ContentType: cleanText(contentType)}
	dossierID = cleanText(dossierID)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if maxDocs > 0 {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('tdkt-documents:' || $1, 0))`, dossierID); err != nil {
				return fmt.Errorf("lock documents of %s: %w", dossierID, err)
			}
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM documents WHERE dossier_id = $1`, dossierID); err != nil {
				return fmt.Errorf("count documents of %s: %w", dossierID, err)
			}
			if n >= maxDocs {
				return ErrTooManyDocuments
			}
		}
		if _, err := tx.ExecContext(ctx, `
INSERT INTO documents (id, dossier_id, kind, filename, content_type) VALUES ($1, $2, $3, $4, $5)`,
			doc.ID, dossierID, string(doc.Kind), doc.Filename, doc.ContentType); err != nil {
			return fmt.Errorf("store document of %s: %w", dossierID, err)
		}
		h := sha256.New()
		buf := make([]byte, chunkSize)
		for n := 0; ; n++ {
			k, rerr := io.ReadFull(r, buf)
			if k > 0 {
				doc.Size += int64(k)
				if doc.Size > maxBytes {
					return ErrTooLarge
				}
				h.Write(buf[:k])
				if _, err := tx.ExecContext(ctx, `INSERT INTO document_chunks (document_id, n, data) VALUES ($1, $2, $3)`,
					doc.ID, n, buf[:k]); err != nil {
					return fmt.Errorf("store document chunk %d: %w", n, err)
				}
			}
			if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
				break
			}
			if rerr != nil {
				return fmt.Errorf("read upload: %w", rerr)
			}
		}
		doc.SHA256 = hex.EncodeToString(h.Sum(nil))
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET size = $2, sha256 = $3 WHERE id = $1`,
			doc.ID, doc.Size, doc.SHA256); err != nil {
			return fmt.Errorf("store document of %s: %w", dossierID, err)
		}
		return nil
	})
	if err != nil {
		return domain.Document{}, err
	}
	return doc, nil
}

// DeleteDocument removes a document and its bytes (when the workflow refused
// to attach it); ErrNotFound if there is none.
func (s *Store) DeleteDocument(ctx context.Context, docID string) error {
	if _, err := uuid.Parse(docID); err != nil {
		return ErrNotFound
	}
	res, err := s.DB.ExecContext(ctx, `DELETE FROM documents WHERE id = $1`, docID)
	if err != nil {
		return fmt.Errorf("delete document %s: %w", docID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// OpenDocument describes a dossier's document and streams its bytes, one
// chunk at a time; ErrNotFound if the dossier has no such document.
func (s *Store) OpenDocument(ctx context.Context, dossierID, docID string) (domain.Document, io.ReadCloser, error) {
	if _, err := uuid.Parse(docID); err != nil || !storable(dossierID) {
		return domain.Document{}, nil, ErrNotFound
	}
	var row struct {
		ID          string `db:"id"`
		Kind        string `db:"kind"`
		Filename    string `db:"filename"`
		Size        int64  `db:"size"`
		SHA256      string `db:"sha256"`
		ContentType string `db:"content_type"`
	}
	err := s.DB.GetContext(ctx, &row, `
SELECT id, kind, filename, size, sha256, content_type FROM documents WHERE id = $1 AND dossier_id = $2`, docID, dossierID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Document{}, nil, ErrNotFound
	}
	if err != nil {
		return domain.Document{}, nil, fmt.Errorf("read document %s: %w", docID, err)
	}
	doc := domain.Document{ID: row.ID, Kind: domain.DocumentKind(row.Kind), Filename: row.Filename,
		Size: row.Size, SHA256: row.SHA256, ContentType: row.ContentType}
	return doc, &chunkReader{ctx: ctx, db: s.DB, id: doc.ID, left: doc.Size}, nil
}

// chunkReader reads a document's chunks in order, one query per chunk, so no
// connection is held while a slow client reads.
type chunkReader struct {
	ctx  context.Context
	db   *sqlx.DB
	id   string
	n    int
	buf  []byte
	left int64 // bytes not yet fetched
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.left <= 0 {
			return 0, io.EOF
		}
		var data []byte
		err := c.db.GetContext(c.ctx, &data, `SELECT data FROM document_chunks WHERE document_id = $1 AND n = $2`, c.id, c.n)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, io.ErrUnexpectedEOF
		}
		if err != nil {
			return 0, fmt.Errorf("read document %s chunk %d: %w", c.id, c.n, err)
		}
		c.n++
		c.left -= int64(len(data))
		c.buf = data
	}
	k := copy(p, c.buf)
	c.buf = c.buf[k:]
	return k, nil
}

func (c *chunkReader) Close() error { c.buf, c.left = nil, 0; return nil }
