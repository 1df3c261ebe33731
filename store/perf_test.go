//go:build perf

// TestPerf seeds 100,000 dossiers and reports p50/p99 of list and inbox
// queries with EXPLAIN plans: go test -tags perf -run TestPerf -v ./store

package store_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"tdkt/domain"
	"tdkt/store"
)

func TestPerf(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	d := dossier("TEMPLATE", "SGDDT", "CSTD_TINH", "Lò Văn A", "Giáo viên dạy giỏi nhiều năm liền, có sáng kiến cấp tỉnh", t0)
	put(t, st, d)
	start := time.Now()
	_, err := st.DB.Exec(`
WITH src AS (SELECT view FROM dossiers WHERE id = 'TEMPLATE'),
g AS (
  SELECT i,
    'U' || (i % 50) AS unit,
    (ARRAY['HC_LAO_DONG_3','CSTD_TINH','CO_THI_DUA_TINH','BK_UBND_TINH','TTLDXS','BK_TTG','CSTD_TOAN_QUOC'])[1 + i % 7] AS award,
    (ARRAY['reception','supplement','appraisal','public_notice','council','decision','central_appraisal','pm_decision','president_decision','awarded','awarded','awarded','rejected','withdrawn','cancelled','awarded'])[1 + (i*7919) % 16] AS stage,
    (ARRAY['2023-annual','2024-annual','2025-annual','2025-covid','2024-flood'])[1 + i % 5] AS campaign,
    timestamptz '2023-01-01' + (i * interval '15 minutes') AS created,
    (ARRAY['Nguyễn','Trần','Lê','Phạm','Hoàng','Đặng','Bùi','Đỗ','Lò','Vũ'])[1 + i % 10] || ' ' ||
    (ARRAY['Văn','Thị','Hữu','Minh','Đức'])[1 + (i/10) % 5] || ' ' ||
    (ARRAY['An','Bình','Cường','Dũng','Hoa','Lan','Mai','Nam','Tuấn','Yến','Hạnh','Khánh'])[1 + (i/50) % 12] || ' ' || i AS name
  FROM generate_series(1, 100000) i)
INSERT INTO dossiers (id, unit, award_code, authority, kind, procedure, campaign, stage, status, version, due_at, overdue,
  nominee_name, search, view, created_at, updated_at)
SELECT 'HS-P-' || lpad(i::text, 6, '0'), unit, award, 'province', 'merit', 'regular', campaign, stage,
  CASE WHEN stage IN ('awarded','rejected','withdrawn','cancelled') THEN stage ELSE 'active' END, 3,
  CASE WHEN stage IN ('awarded','rejected','withdrawn','cancelled') THEN NULL ELSE created + interval '20 days' END,
  stage NOT IN ('awarded','rejected','withdrawn','cancelled') AND i % 20 = 0,
  name, '', jsonb_set(jsonb_set((SELECT view FROM src), '{id}', to_jsonb('HS-P-' || lpad(i::text, 6, '0'))), '{nominee,name}', to_jsonb(name)),
  created, created
FROM g`)
	require.NoError(t, err)
	// search is Fold(name + summary), computed here in Go.
	var rows []struct {
		ID   string `db:"id"`
		Name string `db:"nominee_name"`
	}
	require.NoError(t, st.DB.Select(&rows, `SELECT id, nominee_name FROM dossiers`))
	idl, sl := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		idl[i], sl[i] = r.ID, store.Fold(r.Name+" Giáo viên dạy giỏi nhiều năm liền, có sáng kiến cấp tỉnh")
	}
	_, err = st.DB.Exec(`UPDATE dossiers d SET search = u.s FROM unnest($1::text[], $2::text[]) u(id, s) WHERE d.id = u.id`, pq.Array(idl), pq.Array(sl))
	require.NoError(t, err)
	// Votes: member c-1 voted on half the council dossiers.
	_, err = st.DB.Exec(`INSERT INTO dossier_votes (dossier_id, member_id) SELECT id, 'c-1' FROM dossiers WHERE stage = 'council' AND random() < 0.5`)
	require.NoError(t, err)
	for _, q := range []string{`VACUUM ANALYZE dossiers`, `VACUUM ANALYZE dossier_votes`} {
		_, err = st.DB.Exec(q)
		require.NoError(t, err)
	}
	t.Logf("seeded in %v", time.Since(start))

	measure := func(name string, f func() error) {
		var ds []time.Duration
		for range 200 {
			s := time.Now()
			require.NoError(t, f(), name)
			ds = append(ds, time.Since(s))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		t.Logf("%-40s p50 %6.2fms  p99 %6.2fms", name, ms(ds[100]), ms(ds[197]))
	}
	list := func(name string, f store.ListFilter) {
		measure("list "+name, func() error { _, _, err := st.ListDossiers(ctx, f); return err })
		_, next, _ := st.ListDossiers(ctx, f)
		if next != "" {
			f.Cursor = next
			measure("list "+name+" page 2", func() error { _, _, err := st.ListDossiers(ctx, f); return err })
		}
	}
	list("all", store.ListFilter{})
	list("unit", store.ListFilter{Unit: "U7"})
	list("stage", store.ListFilter{Stage: "council"})
	list("status", store.ListFilter{Status: "active"})
	list("award", store.ListFilter{Award: "BK_TTG"})
	list("campaign", store.ListFilter{Campaign: "2025-covid"})
	list("overdue", store.ListFilter{Overdue: true})
	list("unit+stage", store.ListFilter{Unit: "U7", Stage: "supplement"})
	list("unit+award+status", store.ListFilter{Unit: "U7", Award: "BK_TTG", Status: "active"})
	list("q rare", store.ListFilter{Q: "lo van hanh 4"})
	list("q name", store.ListFilter{Q: "dang duc"})
	list("q common", store.ListFilter{Q: "giao vien"})
	list("q none", store.ListFilter{Q: "khong co ai"})
	list("q short", store.ListFilter{Q: "an"})
	list("q + unit", store.ListFilter{Q: "dang", Unit: "U5"})
	list("limit 200", store.ListFilter{Limit: 200})
	inbox := func(name string, a domain.Actor) {
		measure("inbox "+name, func() error { _, err := st.Inbox(ctx, a, 50); return err })
	}
	inbox("officer", domain.Actor{ID: "o", Roles: []domain.Role{domain.RoleOfficer}})
	inbox("unit", domain.Actor{ID: "u", Unit: "U7", Roles: []domain.Role{domain.RoleUnit}})
	inbox("council voted half", domain.Actor{ID: "c-1", Roles: []domain.Role{domain.RoleCouncil}})
	inbox("council none", domain.Actor{ID: "c-2", Roles: []domain.Role{domain.RoleCouncil}})
	inbox("chairman", domain.Actor{ID: "ch", Roles: []domain.Role{domain.RoleChairman}})
	inbox("all roles", domain.Actor{ID: "x", Unit: "U7", Roles: domain.Roles})

	explain := func(q string, args ...any) {
		var lines []string
		require.NoError(t, st.DB.Select(&lines, "EXPLAIN (ANALYZE, COSTS OFF) "+q, args...))
		t.Logf("EXPLAIN %s\n  %s", q, strings.Join(lines, "\n  "))
	}
	explain(`SELECT id FROM dossiers WHERE unit = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT 51`, "U7", time.Now(), "zz")
	explain(`SELECT id FROM dossiers WHERE search LIKE $1 ESCAPE '\' ORDER BY created_at DESC, id DESC LIMIT 51`, "%dang duc%")
	explain(`SELECT id FROM dossiers WHERE search LIKE $1 ESCAPE '\' ORDER BY created_at DESC, id DESC LIMIT 51`, "%lo van hanh 4%")
	explain(`SELECT id FROM dossiers WHERE overdue ORDER BY created_at DESC, id DESC LIMIT 51`)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
