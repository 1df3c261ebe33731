package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"tdkt/domain"
	"tdkt/store"
)

// TestCampaignStore: a campaign's code is its key, lists filter by year,
// kind and the day they are open, and each campaign's dossiers are counted
// per stage from the report rollup the projection keeps.
func TestCampaignStore(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	plan := domain.SeedPlan(2025)
	require.NoError(t, st.SeedCampaigns(ctx, plan))
	require.NoError(t, st.SeedCampaigns(ctx, plan), "seeding twice")
	err := st.CreateCampaign(ctx, plan[0], "o-1")
	require.True(t, errors.Is(err, store.ErrExists), "%v", err)
	c, err := st.Campaign(ctx, "2025-school")
	require.NoError(t, err)
	require.Equal(t, plan[2], c)
	_, err = st.Campaign(ctx, "2025-nope")
	require.ErrorIs(t, err, store.ErrNotFound)

	for _, tc := range []struct {
		f    store.CampaignFilter
		want []string
	}{
		{store.CampaignFilter{}, []string{"2025-annual", "2025-election", "2025-school"}},
		{store.CampaignFilter{Year: 2024}, nil},
		{store.CampaignFilter{Kind: "school_year"}, []string{"2025-school"}},
		{store.CampaignFilter{OpenOn: "2025-06-30"}, []string{"2025-election", "2025-school"}},
		{store.CampaignFilter{OpenOn: "2025-01-31"}, []string{"2025-annual"}},
		{store.CampaignFilter{OpenOn: "2025-02-01"}, nil},
	} {
		cs, err := st.Campaigns(ctx, tc.f)
		require.NoError(t, err)
		var got []string
		for _, c := range cs {
			got = append(got, c.Code)
		}
		require.Equal(t, tc.want, got, "%+v", tc.f)
	}

	a := dossier("HS-2025-000001", "SGDDT", "CSTD_TINH", "Lò Văn A", "", t0)
	a.Campaign = "2025-school"
	put(t, st, a)
	b := dossier("HS-2025-000002", "SYT", "BK_UBND_TINH", "Lò Văn B", "", t0)
	b.Campaign = "2025-school"
	b.Stage, b.Status, b.Version = domain.Appraisal, domain.StatusActive, 2
	put(t, st, b)
	counts, err := st.CampaignStages(ctx, []string{"2025-school", "2025-annual"})
	require.NoError(t, err)
	require.Equal(t, map[string]map[string]int64{"2025-school": {"reception": 1, "appraisal": 1}}, counts)
}

// TestPlanMigrationCountsExistingDossiers: migration 0008 fills the report
// rows of the dossiers there already (their year in Vietnam, stage, overdue,
// returned at least once from the history).
func TestPlanMigrationCountsExistingDossiers(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, freshURL(t))
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, store.Migrate(ctx, st.DB.DB, "up"))
	// Submitted at 23:30 on 31 December 2024 in Vietnam: counts in 2025.
	d := dossier("HS-2025-000001", "SGDDT", "CSTD_TINH", "Lò Văn A", "", t0)
	d.CreatedAt = time.Date(2024, 12, 31, 17, 30, 0, 0, time.UTC)
	d.Stage, d.Status, d.Version, d.Overdue = domain.Supplement, domain.StatusActive, 3, true
	require.NoError(t, st.Project(ctx, d.View(), []domain.HistoryEntry{
		{Seq: 1, At: d.CreatedAt, Action: domain.ActSubmit, To: domain.Reception},
		{Seq: 2, At: d.CreatedAt.Add(time.Hour), Action: domain.ActReturn, From: domain.Reception, To: domain.Supplement, Comment: "Bổ sung"},
	}))
	require.NoError(t, store.Migrate(ctx, st.DB.DB, "down"))
	require.NoError(t, store.Migrate(ctx, st.DB.DB, "up"))
	var row struct {
		Year     int    `db:"year"`
		Stage    string `db:"stage"`
		Overdue  bool   `db:"overdue"`
		Returned bool   `db:"returned"`
		Campaign string `db:"campaign"`
	}
	require.NoError(t, st.DB.Get(&row, `SELECT year, stage, overdue, returned, campaign FROM report_dossiers WHERE dossier_id = 'HS-2025-000001'`))
	require.Equal(t, 2025, row.Year)
	require.Equal(t, "supplement", row.Stage)
	require.True(t, row.Overdue)
	require.True(t, row.Returned)
	require.Equal(t, "2025-annual", row.Campaign)
}
