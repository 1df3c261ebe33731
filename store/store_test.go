package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"tdkt/app"
	"tdkt/domain"
	"tdkt/store"
)

func TestMigrateUpDownUp(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, freshURL(t))
	require.NoError(t, err)
	defer st.Close()
	db := st.DB.DB

	v, err := store.MigrationVersion(ctx, db)
	require.NoError(t, err)
	assert.Zero(t, v)
	require.NoError(t, store.Migrate(ctx, db, "status"))

	require.NoError(t, store.Migrate(ctx, db, "up"))
	v, err = store.MigrationVersion(ctx, db)
	require.NoError(t, err)
	assert.EqualValues(t, 11, v)
	var awards int
	require.NoError(t, st.DB.Get(&awards, `SELECT count(*) FROM awards`))
	assert.Equal(t, len(domain.Catalogue), awards)
	var name string
	require.NoError(t, st.DB.Get(&name, `SELECT name FROM awards WHERE code = 'CSTD_TINH'`))
	assert.Equal(t, "Chiến sĩ thi đua cấp tỉnh", name)
	require.NoError(t, store.Migrate(ctx, db, "status"))
	// up again is a no-op that re-seeds the catalogue.
	require.NoError(t, store.Migrate(ctx, db, "up"))
	for _, want := range []string{"HS-2026-000001", "HS-2026-000002"} {
		id, _, err := st.ReserveSubmission(ctx, "SGDDT", "", "h", 2026)
		require.NoError(t, err)
		assert.Equal(t, want, id)
	}

	// down undoes one migration at a time: the council's roster, the
	// registrations and the
	// reminders' outbox, the holds, the plan and its reports, the unit
	// directory and the award registry, the council sessions, the batches,
	// the text search indexes, the write path (the yearly id counters go back
	// into their table), the console's sessions, then the read model.
	var exists bool
	require.NoError(t, store.Migrate(ctx, db, "down"))
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('council_members') IS NOT NULL`))
	assert.False(t, exists, "0011 undone")
	require.NoError(t, store.Migrate(ctx, db, "down"))
	v, err = store.MigrationVersion(ctx, db)
	require.NoError(t, err)
	assert.EqualValues(t, 9, v)
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('registrations') IS NOT NULL OR to_regclass('reminders_sent') IS NOT NULL
  OR EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'units' AND column_name = 'email')`))
	assert.False(t, exists, "0010 undone")
	require.NoError(t, store.Migrate(ctx, db, "down"))
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('holds') IS NOT NULL`))
	assert.False(t, exists, "0009 undone")
	require.NoError(t, store.Migrate(ctx, db, "down"))
	v, err = store.MigrationVersion(ctx, db)
	require.NoError(t, err)
	assert.EqualValues(t, 7, v)
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('campaigns') IS NOT NULL OR to_regclass('report_dossiers') IS NOT NULL`))
	assert.False(t, exists, "0008 undone")
	require.NoError(t, store.Migrate(ctx, db, "down"))
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('units') IS NOT NULL OR to_regclass('award_registry') IS NOT NULL`))
	assert.False(t, exists, "0007 undone")
	require.NoError(t, store.Migrate(ctx, db, "down"))
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('council_sessions') IS NOT NULL OR to_regclass('creation_keys') IS NOT NULL`))
	assert.False(t, exists, "0006 undone")
	require.NoError(t, store.Migrate(ctx, db, "down"))
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('batches') IS NOT NULL`))
	assert.False(t, exists, "0005 undone")
	require.NoError(t, store.Migrate(ctx, db, "down"))
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('dossiers_search_joined_idx') IS NULL AND to_regclass('dossiers_search_idx') IS NOT NULL`))
	assert.True(t, exists, "0004 undone")
	require.NoError(t, store.Migrate(ctx, db, "down"))
	v, err = store.MigrationVersion(ctx, db)
	require.NoError(t, err)
	assert.EqualValues(t, 2, v)
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('projection_pending') IS NOT NULL`))
	assert.False(t, exists)
	var last int64
	require.NoError(t, st.DB.Get(&last, `SELECT last FROM dossier_ids WHERE year = 2026`))
	assert.EqualValues(t, 2, last)
	// and up carries them over into the sequences.
	require.NoError(t, store.Migrate(ctx, db, "up"))
	id, _, err := st.ReserveSubmission(ctx, "SGDDT", "", "h", 2026)
	require.NoError(t, err)
	assert.Equal(t, "HS-2026-000003", id)
	for range 9 { // 0011, 0010, 0009, 0008, 0007, 0006, 0005, 0004, 0003
		require.NoError(t, store.Migrate(ctx, db, "down"))
	}

	require.NoError(t, store.Migrate(ctx, db, "down"))
	v, err = store.MigrationVersion(ctx, db)
	require.NoError(t, err)
	assert.EqualValues(t, 1, v)
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('sessions') IS NOT NULL`))
	assert.False(t, exists)
	require.NoError(t, store.Migrate(ctx, db, "down"))
	v, err = store.MigrationVersion(ctx, db)
	require.NoError(t, err)
	assert.Zero(t, v)
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('dossiers') IS NOT NULL`))
	assert.False(t, exists)

	require.NoError(t, store.Migrate(ctx, db, "up"))
	require.NoError(t, st.DB.Get(&exists, `SELECT to_regclass('dossiers') IS NOT NULL`))
	assert.True(t, exists)

	assert.Error(t, store.Migrate(ctx, db, "sideways"))
}

func TestProjectIsIdempotentAndMonotonic(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := domain.DefaultPolicy()
	sub := domain.Submission{AwardCode: "CSTD_TINH", Kind: domain.KindMerit, AchievementPeriod: "2025",
		Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn A"}, Summary: "Giáo viên giỏi"}
	d, first := domain.NewDossier("HS-2025-000001", sub, unitA, t0, p)
	v1 := d.View()
	require.NoError(t, st.Project(ctx, v1, []domain.HistoryEntry{first}, ""))
	require.NoError(t, st.Project(ctx, v1, []domain.HistoryEntry{first}, "")) // a retry

	// Legacy: an accept under the rules before the completeness guard, so
	// that this test stays about projection (no documents to attach).
	accept := d.Apply(domain.Command{Action: domain.ActAccept, Actor: officer, Comment: "đủ hồ sơ", Legacy: true}, t0.Add(time.Hour), p)
	require.Len(t, accept, 1)
	v2 := d.View()
	require.NoError(t, st.Project(ctx, v2, accept, ""))
	require.NoError(t, st.Project(ctx, v2, accept, ""))
	// A late, older projection moves nothing backwards.
	require.NoError(t, st.Project(ctx, v1, []domain.HistoryEntry{first}, ""))

	got, err := st.GetDossier(ctx, d.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 2, got.Version)
	assert.Equal(t, domain.Appraisal, got.Stage)
	assert.Equal(t, "Lò Văn A", got.Nominee.Name)
	assert.Equal(t, []domain.Action{}, got.AllowedActions)
	assert.True(t, got.CreatedAt.Equal(t0))

	var row struct {
		Stage   string `db:"stage"`
		Version int64  `db:"version"`
		Search  string `db:"search"`
	}
	require.NoError(t, st.DB.Get(&row, `SELECT stage, version, search FROM dossiers WHERE id = $1`, d.ID))
	assert.Equal(t, "appraisal", row.Stage)
	assert.EqualValues(t, 2, row.Version)
	assert.Equal(t, "lo van a giao vien gioi", row.Search)

	h, err := st.History(ctx, d.ID)
	require.NoError(t, err)
	require.Len(t, h, 2)
	assert.Equal(t, []int64{1, 2}, []int64{h[0].Seq, h[1].Seq})
	assert.Equal(t, domain.ActSubmit, h[0].Action)
	assert.Equal(t, domain.ActAccept, h[1].Action)
	assert.Equal(t, domain.Reception, h[1].From)
	assert.Equal(t, domain.Appraisal, h[1].To)
	assert.Equal(t, "đủ hồ sơ", h[1].Comment)
	assert.Equal(t, officer.ID, h[1].ActorID)
	assert.Equal(t, domain.RoleOfficer, h[1].ActorRole)

	// Details survive the round trip.
	ret := d.Apply(domain.Command{Action: domain.ActReturn, Actor: officer, Comment: "thiếu biên bản",
		Missing: []domain.DocumentKind{domain.DocBienBanHop}}, t0.Add(2*time.Hour), p)
	require.NoError(t, st.Project(ctx, d.View(), ret, ""))
	h, err = st.History(ctx, d.ID)
	require.NoError(t, err)
	require.Len(t, h, 3)
	require.NotNil(t, h[2].Details)
	assert.Equal(t, []domain.DocumentKind{domain.DocBienBanHop}, h[2].Details.Missing)

	_, err = st.GetDossier(ctx, "HS-2025-999999")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func TestVotesStoreWhoNotHow(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := domain.DefaultPolicy()
	d := dossier("HS-2025-000007", "SGDDT", "CSTD_TINH", "Lò Văn A", "", t0)
	d.Stage = domain.Council
	d.Ballot = &domain.Ballot{Members: 9, Needed: 9, Quorum: 6, Voters: []string{}}
	put(t, st, d)
	member := domain.Actor{ID: "c-1", Name: "Thành viên 1", Roles: []domain.Role{domain.RoleCouncil}}
	yes := true
	entries := d.Apply(domain.Command{Action: domain.ActVote, Actor: member, Approve: &yes}, t0.Add(time.Hour), p)
	require.NoError(t, st.Project(ctx, d.View(), entries, member.ID))
	require.NoError(t, st.Project(ctx, d.View(), entries, member.ID))

	voted, err := st.HasVoted(ctx, d.ID, "c-1")
	require.NoError(t, err)
	assert.True(t, voted)
	voted, err = st.HasVoted(ctx, d.ID, "c-2")
	require.NoError(t, err)
	assert.False(t, voted)

	var n int
	require.NoError(t, st.DB.Get(&n, `SELECT count(*) FROM dossier_votes WHERE dossier_id = $1`, d.ID))
	assert.Equal(t, 1, n)
	// The table has no place for a choice.
	var cols []string
	require.NoError(t, st.DB.Select(&cols, `SELECT column_name FROM information_schema.columns
		WHERE table_name = 'dossier_votes' ORDER BY ordinal_position`))
	assert.Equal(t, []string{"dossier_id", "member_id", "voted_at"}, cols)
	// The history entry says someone voted, not who.
	h, err := st.History(ctx, d.ID)
	require.NoError(t, err)
	require.Len(t, h, 1)
	assert.Equal(t, domain.ActVote, h[0].Action)
	assert.Empty(t, h[0].ActorID)
	// The view shows how many voted, not how.
	got, err := st.GetDossier(ctx, d.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Votes)
	assert.Equal(t, 1, got.Votes.Cast)
	assert.Nil(t, got.Votes.Yes)
	var raw string
	require.NoError(t, st.DB.Get(&raw, `SELECT view::text FROM dossiers WHERE id = $1`, d.ID))
	assert.NotContains(t, raw, "c-1")
}

func TestIssueNumber(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	issue := func(dossier, kind string, year int) int {
		t.Helper()
		n, err := st.IssueNumber(ctx, dossier, kind, year)
		require.NoError(t, err)
		return n
	}
	assert.Equal(t, 1, issue("D1", "QĐ-UBND", 2025))
	assert.Equal(t, 2, issue("D2", "QĐ-UBND", 2025))
	assert.Equal(t, 3, issue("D3", "QĐ-UBND", 2025))
	// A retry for the same dossier gets the same number, and skips none.
	assert.Equal(t, 2, issue("D2", "QĐ-UBND", 2025))
	assert.Equal(t, 4, issue("D4", "QĐ-UBND", 2025))
	// Independent per kind and per year.
	assert.Equal(t, 1, issue("D1", "TTr-UBND", 2025))
	assert.Equal(t, 1, issue("D5", "QĐ-UBND", 2026))
	assert.Equal(t, 2, issue("D6", "TTr-UBND", 2025))

	t.Run("concurrent", func(t *testing.T) {
		const workers = 20
		got := make([]int, workers)
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = st.IssueNumber(ctx, fmt.Sprintf("C%02d", i), "QĐ-UBND", 2027)
			}()
		}
		wg.Wait()
		seen := map[int]bool{}
		for i := range workers {
			require.NoError(t, errs[i])
			assert.False(t, seen[got[i]], "number %d issued twice", got[i])
			seen[got[i]] = true
		}
		for n := 1; n <= workers; n++ {
			assert.True(t, seen[n], "number %d skipped", n)
		}
	})

	t.Run("concurrent retries of one dossier", func(t *testing.T) {
		const workers = 10
		got := make([]int, workers)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := st.IssueNumber(ctx, "SAME", "TTr-UBND", 2027)
				assert.NoError(t, err)
				got[i] = n
			}()
		}
		wg.Wait()
		for _, n := range got {
			assert.Equal(t, 1, n)
		}
		assert.Equal(t, 2, issue("NEXT", "TTr-UBND", 2027), "a lost race must not consume a number")
	})
}

func TestReserveSubmission(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	reserve := func(unit, key, hash string, year int) (string, bool) {
		t.Helper()
		id, existed, err := st.ReserveSubmission(ctx, unit, key, hash, year)
		require.NoError(t, err)
		return id, existed
	}
	id, existed := reserve("SGDDT", "", "h", 2025)
	assert.Equal(t, "HS-2025-000001", id)
	assert.False(t, existed)
	id, _ = reserve("SGDDT", "", "h", 2025)
	assert.Equal(t, "HS-2025-000002", id)
	id, _ = reserve("SYT", "", "h", 2026)
	assert.Equal(t, "HS-2026-000001", id)

	id, existed = reserve("SGDDT", "k1", "hash-a", 2025)
	assert.Equal(t, "HS-2025-000003", id)
	assert.False(t, existed)
	again, existed := reserve("SGDDT", "k1", "hash-a", 2025)
	assert.Equal(t, id, again)
	assert.True(t, existed)
	// The same key of another unit is another request.
	other, existed := reserve("SYT", "k1", "hash-a", 2025)
	assert.Equal(t, "HS-2025-000004", other)
	assert.False(t, existed)

	_, _, err := st.ReserveSubmission(ctx, "SGDDT", "k1", "hash-b", 2025)
	assert.True(t, errors.Is(err, store.ErrIdempotencyMismatch), "got %v", err)

	t.Run("concurrent same key", func(t *testing.T) {
		const workers = 20
		ids := make([]string, workers)
		created := make([]bool, workers)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, existed, err := st.ReserveSubmission(ctx, "SNV", "race", "h", 2025)
				assert.NoError(t, err)
				ids[i], created[i] = id, !existed
			}()
		}
		wg.Wait()
		n := 0
		for i := range workers {
			assert.Equal(t, ids[0], ids[i])
			if created[i] {
				n++
			}
		}
		assert.Equal(t, 1, n, "exactly one request creates")
		// Ids come from a sequence: a race lost may leave a gap (never a
		// repeat), so the next id only comes after.
		next, _ := reserve("SNV", "", "", 2025)
		assert.Greater(t, next, ids[0], "the next id comes after")
	})
}

// A caller that cannot get a connection within a few seconds (store.Open's
// pool: 20) gets an error that means "unavailable, retry" (503 with
// Retry-After at the API) instead of waiting for as long as its context
// lets it; once a connection is free, reads answer again.
func TestWaitForConnectionIsBounded(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	d := dossier("HS-2025-000001", "SGDDT", "BK_UBND_TINH", "Nguyễn Văn B", "", t0)
	put(t, st, d)
	var txs []*sql.Tx
	defer func() {
		for _, tx := range txs {
			tx.Rollback()
		}
	}()
	for i := 0; i < 20; i++ {
		tx, err := st.DB.BeginTx(ctx, nil)
		require.NoError(t, err)
		txs = append(txs, tx)
	}
	rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	start := time.Now()
	_, err := st.GetDossier(rctx, d.ID)
	took := time.Since(start)
	require.Error(t, err)
	assert.Less(t, took, 10*time.Second, "waited %s for a connection", took)
	assert.True(t, app.Unavailable(err), "%v is not an unavailable error", err)
	assert.NoError(t, rctx.Err(), "the caller's own deadline ended the wait")

	// A connection comes free: reads answer again, at once.
	require.NoError(t, txs[0].Rollback())
	txs = txs[1:]
	start = time.Now()
	_, err = st.GetDossier(ctx, d.ID)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
}
