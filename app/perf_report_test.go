//go:build perf

// TestReportPerf seeds the report rollups of N dossiers of one year (200,000
// by default; TDKT_REPORT_DOSSIERS=1000000 for a million), as the
// projection keeps them, and times the yearly summary:
//
//	go test -tags perf -run TestReportPerf -v ./app
package app_test

import (
	"context"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"tdkt/app"
	"tdkt/devenv"
	"tdkt/domain"
)

func TestReportPerf(t *testing.T) {
	ctx := context.Background()
	n := 200000
	if v := os.Getenv("TDKT_REPORT_DOSSIERS"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err)
	}
	st := devenv.TestStore(t)
	start := time.Now()
	// 100 units, 8 awards, 5 campaigns (one the empty code); stages as a
	// year ends: most finished, some under way, 5% of those overdue.
	_, err := st.DB.Exec(`
INSERT INTO report_dossiers (dossier_id, year, campaign, unit, award_code, stage, overdue, returned, version)
SELECT 'HS-2025-' || lpad(i::text, 7, '0'), 2025,
  (ARRAY['2025-annual','2025-school','2025-election','2025-flood',''])[1 + i % 5],
  'U' || (i % 100),
  (ARRAY['CSTD_TINH','CO_THI_DUA_TINH','BK_UBND_TINH','TTLDXS','BK_TTG','CSTD_TOAN_QUOC','HC_LAO_DONG_3','CO_THI_DUA_CP'])[1 + (i / 7) % 8],
  (ARRAY['reception','supplement','appraisal','public_notice','council','decision','central_appraisal','awarded','awarded','awarded','awarded','rejected','withdrawn','cancelled','awarded','awarded'])[1 + (i::bigint * 7919) % 16],
  i % 20 = 0, i % 9 = 0, 5
FROM generate_series(1, $1) i`, n)
	require.NoError(t, err)
	// Four stays a dossier, 0 to 29 working days each, into the histogram.
	_, err = st.DB.Exec(`
INSERT INTO report_stage_days (year, campaign, unit, award_code, stage, working_days, n)
SELECT 2025, d.campaign, d.unit, d.award_code, s.stage, ((hashint4(i) & 2147483647) % 30), count(*)
FROM (SELECT i, (ARRAY['2025-annual','2025-school','2025-election','2025-flood',''])[1 + i % 5] AS campaign, 'U' || (i % 100) AS unit,
  (ARRAY['CSTD_TINH','CO_THI_DUA_TINH','BK_UBND_TINH','TTLDXS','BK_TTG','CSTD_TOAN_QUOC','HC_LAO_DONG_3','CO_THI_DUA_CP'])[1 + (i / 7) % 8] AS award_code
  FROM generate_series(1, $1) i) d
CROSS JOIN (VALUES ('reception'), ('appraisal'), ('council'), ('decision')) s(stage)
GROUP BY 1, 2, 3, 4, 5, 6`, n)
	require.NoError(t, err)
	for _, tbl := range []string{"report_dossiers", "report_stage_days"} {
		_, err = st.DB.Exec(`VACUUM ANALYZE ` + tbl)
		require.NoError(t, err)
	}
	var hist int
	require.NoError(t, st.DB.Get(&hist, `SELECT count(*) FROM report_stage_days`))
	t.Logf("seeded %d dossiers (%d histogram rows) in %s", n, hist, time.Since(start).Round(time.Millisecond))

	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy()})
	officer := domain.Actor{ID: "o", Roles: []domain.Role{domain.RoleOfficer}}
	for _, q := range []app.ReportQuery{{Year: 2025}, {Year: 2025, Campaign: "2025-school"}, {Year: 2025, Unit: "U7"}, {Year: 2025, Award: "TTLDXS"}} {
		var times []time.Duration
		var sm app.Summary
		for range 7 {
			t0 := time.Now()
			sm, err = svc.ReportSummary(ctx, officer, q)
			require.NoError(t, err)
			times = append(times, time.Since(t0))
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		t.Logf("summary %+v: %d groups, %d dossiers; median %s, max %s", q, len(sm.Groups), sm.Totals.Submitted,
			times[len(times)/2].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond))
		if q.Campaign == "" && q.Unit == "" && q.Award == "" {
			require.EqualValues(t, n, sm.Totals.Submitted)
			x0 := time.Now()
			_, err := sm.XLSX()
			require.NoError(t, err)
			t.Logf("  as XLSX: %s", time.Since(x0).Round(time.Millisecond))
		}
	}
	var plan []string
	require.NoError(t, st.DB.Select(&plan, `EXPLAIN (ANALYZE, BUFFERS) SELECT campaign, unit, award_code, count(*),
  count(*) FILTER (WHERE stage = 'awarded'), count(*) FILTER (WHERE returned), count(*) FILTER (WHERE overdue)
FROM report_dossiers WHERE year = 2025 GROUP BY campaign, unit, award_code`))
	for _, l := range plan {
		t.Log(l)
	}
}
