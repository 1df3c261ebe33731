package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"tdkt/domain"
	"tdkt/store"
)

// A submission's reservation marks its start; the projection that writes
// it clears the mark in the same transaction; marks become claimable only
// after a moment, and a claimed mark is leased, so two reconcilers never
// take the same one at once.
func TestPendingMarks(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	id, _, err := st.ReserveSubmission(ctx, "SGDDT", "k-1", "h", 2026)
	require.NoError(t, err)
	// A repeat of the key marks nothing more.
	again, existed, err := st.ReserveSubmission(ctx, "SGDDT", "k-1", "h", 2026)
	require.NoError(t, err)
	require.True(t, existed)
	require.Equal(t, id, again)
	require.NoError(t, st.MarkPending(ctx, id, "u-1"))
	require.NoError(t, st.MarkPending(ctx, id, "u-1"))
	n, _, err := st.PendingCount(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)

	claimed, err := st.ClaimPending(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, claimed, "claimable at once: the API had no chance to write it")
	_, err = st.DB.Exec(`UPDATE projection_pending SET next_try = now()`)
	require.NoError(t, err)
	claimed, err = st.ClaimPending(ctx, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 2)
	again2, err := st.ClaimPending(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, again2, "a leased mark was claimed twice")

	d, first := domain.NewDossier(id, domain.Submission{AwardCode: "CSTD_TINH", Kind: domain.KindMerit, AchievementPeriod: "2026",
		Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn A"}}, unitA, t0, domain.DefaultPolicy())
	require.NoError(t, st.ProjectPending(ctx, store.PendingStart, d.View(), []domain.HistoryEntry{first}))
	require.NoError(t, st.ClearPending(ctx, id, "u-1"))
	n, _, err = st.PendingCount(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	v, err := st.GetDossier(ctx, id)
	require.NoError(t, err)
	require.EqualValues(t, 1, v.Version)
}

// Dossier ids come from a sequence per year: concurrent submissions get
// distinct ids, a new year starts at 1, and restoring an id moves the
// sequence past it, never back.
func TestDossierIDSequences(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	ids := make(chan string, 40)
	for i := 0; i < 40; i++ {
		go func() {
			id, _, err := st.ReserveSubmission(ctx, "SGDDT", "", "h", 2031)
			if err != nil {
				t.Error(err)
			}
			ids <- id
		}()
	}
	seen := map[string]bool{}
	for i := 0; i < 40; i++ {
		id := <-ids
		require.False(t, seen[id], "id %s issued twice", id)
		seen[id] = true
	}
	require.True(t, seen["HS-2031-000001"] && seen["HS-2031-000040"])
	require.NoError(t, st.RestoreDossierID(ctx, "HS-2031-000100"))
	require.NoError(t, st.RestoreDossierID(ctx, "HS-2031-000050"))
	id, _, err := st.ReserveSubmission(ctx, "SGDDT", "", "h", 2031)
	require.NoError(t, err)
	require.Equal(t, "HS-2031-000101", id)
	counters, err := st.DossierIDCounters(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 101, counters[2031])
}
