package store_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"tdkt/domain"
	"tdkt/store"
)

// What PostgreSQL cannot hold (NUL, invalid UTF-8) never fails a projection
// for ever, nor turns a lookup into a database error.
func TestUnstorableText(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	d := dossier("HS-2025-000001", "SGDDT", "CSTD_TINH", "Lò\x00 Văn A", "tóm tắt \x00 có \xff lỗi", t0)
	first := domain.HistoryEntry{Seq: 1, At: t0, ActorID: "u\x00", Action: domain.ActSubmit, To: domain.Reception, Comment: "x\x00y"}
	require.NoError(t, st.Project(ctx, d.View(), []domain.HistoryEntry{first}, ""))
	got, err := st.GetDossier(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, "Lò\uFFFD Văn A", got.Nominee.Name)
	h, err := st.History(ctx, d.ID)
	require.NoError(t, err)
	require.Len(t, h, 1)
	assert.Equal(t, "x\uFFFDy", h[0].Comment)

	items, _, err := st.ListDossiers(ctx, store.ListFilter{Q: "lo\x00van"})
	require.NoError(t, err)
	assert.Len(t, items, 1)

	_, err = st.GetDossier(ctx, "HS\x00")
	assert.ErrorIs(t, err, store.ErrNotFound)
	h, err = st.History(ctx, "\xff")
	require.NoError(t, err)
	assert.Empty(t, h)
	items, next, err := st.ListDossiers(ctx, store.ListFilter{Unit: "SGDDT\x00", Stage: "\xff"})
	require.NoError(t, err)
	assert.Empty(t, items)
	assert.Empty(t, next)
	voted, err := st.HasVoted(ctx, "HS\x00", "c\xff")
	require.NoError(t, err)
	assert.False(t, voted)
	_, err = st.Inbox(ctx, domain.Actor{ID: "c\x00", Unit: "\xff", Roles: domain.Roles}, 10)
	require.NoError(t, err)

	doc, err := st.PutDocument(ctx, d.ID, domain.DocKhac, "t\xffệp\x00.pdf", "application/pdf", bytes.NewReader([]byte("%PDF")), 100)
	require.NoError(t, err)
	assert.Equal(t, "t\uFFFDệp\uFFFD.pdf", doc.Filename)
	_, _, err = st.OpenDocument(ctx, "HS\x00", doc.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)

	id1, existed, err := st.ReserveSubmission(ctx, "SGDDT", "k\xff\x00", "h", 2025)
	require.NoError(t, err)
	assert.False(t, existed)
	id2, existed, err := st.ReserveSubmission(ctx, "SGDDT", "k\xff\x00", "h", 2025)
	require.NoError(t, err)
	assert.True(t, existed)
	assert.Equal(t, id1, id2)
	id3, existed, err := st.ReserveSubmission(ctx, "SGDDT", "k\xfe\x00", "h", 2025)
	require.NoError(t, err)
	assert.False(t, existed)
	assert.NotEqual(t, id1, id3)
}
