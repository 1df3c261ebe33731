package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"tdkt/domain"
	"tdkt/store"
)

func TestDocuments(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	// Two and a half chunks, so order matters.
	data := make([]byte, 5<<19+17)
	_, err := rand.Read(data)
	require.NoError(t, err)
	sum := sha256.Sum256(data)

	doc, err := st.PutDocument(ctx, "HS-2025-000001", domain.DocToTrinh, "tờ trình.pdf", "application/pdf", bytes.NewReader(data), 20<<20)
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), doc.Size)
	assert.Equal(t, hex.EncodeToString(sum[:]), doc.SHA256)
	assert.Equal(t, domain.DocToTrinh, doc.Kind)
	assert.NotEmpty(t, doc.ID)

	got, rc, err := st.OpenDocument(ctx, "HS-2025-000001", doc.ID)
	require.NoError(t, err)
	assert.Equal(t, doc, got)
	back, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	assert.True(t, bytes.Equal(data, back), "bytes differ")

	// Another dossier's document, or a malformed id, is not found.
	_, _, err = st.OpenDocument(ctx, "HS-2025-000002", doc.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, _, err = st.OpenDocument(ctx, "HS-2025-000001", "not-a-uuid")
	assert.ErrorIs(t, err, store.ErrNotFound)

	// An empty file is a file.
	empty, err := st.PutDocument(ctx, "HS-2025-000001", domain.DocKhac, "empty.txt", "text/plain", bytes.NewReader(nil), 10)
	require.NoError(t, err)
	_, rc, err = st.OpenDocument(ctx, "HS-2025-000001", empty.ID)
	require.NoError(t, err)
	back, err = io.ReadAll(rc)
	require.NoError(t, err)
	assert.Empty(t, back)

	// Too large: nothing stays behind. Exactly the limit is fine.
	_, err = st.PutDocument(ctx, "HS-2025-000001", domain.DocKhac, "big.pdf", "application/pdf", bytes.NewReader(data), int64(len(data)-1))
	assert.ErrorIs(t, err, store.ErrTooLarge)
	var docs, chunks int
	require.NoError(t, st.DB.Get(&docs, `SELECT count(*) FROM documents`))
	require.NoError(t, st.DB.Get(&chunks, `SELECT count(*) FROM document_chunks`))
	assert.Equal(t, 2, docs)
	assert.Equal(t, 3, chunks)
	_, err = st.PutDocument(ctx, "HS-2025-000001", domain.DocKhac, "exact.pdf", "application/pdf", bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)

	// Delete removes the bytes too.
	require.NoError(t, st.DeleteDocument(ctx, doc.ID))
	_, _, err = st.OpenDocument(ctx, "HS-2025-000001", doc.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, st.DB.Get(&chunks, `SELECT count(*) FROM document_chunks WHERE document_id = $1`, doc.ID))
	assert.Zero(t, chunks)
	assert.ErrorIs(t, st.DeleteDocument(ctx, doc.ID), store.ErrNotFound)
	assert.ErrorIs(t, st.DeleteDocument(ctx, "nope"), store.ErrNotFound)
}

// failingReader gives some bytes, then an error, as a broken upload does.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 3<<20 {
		return 0, io.ErrClosedPipe
	}
	f.n += len(p)
	return len(p), nil
}

func TestDocumentBrokenUploadLeavesNothing(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	_, err := st.PutDocument(ctx, "HS-2025-000001", domain.DocKhac, "x.pdf", "application/pdf", &failingReader{}, 20<<20)
	assert.ErrorIs(t, err, io.ErrClosedPipe)
	var docs int
	require.NoError(t, st.DB.Get(&docs, `SELECT count(*) FROM documents`))
	assert.Zero(t, docs)
}

// A dossier holds at most maxDocs documents, counted atomically: of ten
// uploads at once for the last place, exactly one is stored, and the
// refused ones leave nothing.
func TestDocumentLimitIsAtomic(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	const id = "HS-2025-000001"
	data := []byte("%PDF-1.7 tài liệu")
	for i := 0; i < 2; i++ {
		_, err := st.PutDocumentAtMost(ctx, id, domain.DocKhac, "a.pdf", "application/pdf", bytes.NewReader(data), 1<<20, 3)
		require.NoError(t, err)
	}
	var stored, refused atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.PutDocumentAtMost(ctx, id, domain.DocKhac, "b.pdf", "application/pdf", bytes.NewReader(data), 1<<20, 3)
			switch {
			case err == nil:
				stored.Add(1)
			case errors.Is(err, store.ErrTooManyDocuments):
				refused.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, stored.Load())
	assert.EqualValues(t, 9, refused.Load())
	var docs, chunks int
	require.NoError(t, st.DB.Get(&docs, `SELECT count(*) FROM documents WHERE dossier_id = $1`, id))
	require.NoError(t, st.DB.Get(&chunks, `SELECT count(*) FROM document_chunks`))
	assert.Equal(t, 3, docs)
	assert.Equal(t, 3, chunks)
	// Another dossier has its own count; 0 is no limit.
	_, err := st.PutDocumentAtMost(ctx, "HS-2025-000002", domain.DocKhac, "c.pdf", "application/pdf", bytes.NewReader(data), 1<<20, 3)
	require.NoError(t, err)
	_, err = st.PutDocument(ctx, id, domain.DocKhac, "d.pdf", "application/pdf", bytes.NewReader(data), 1<<20)
	require.NoError(t, err)
}
