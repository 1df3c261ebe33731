package store_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"tdkt/domain"
	"tdkt/store"
)

func ids(vs []domain.View) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

func TestListFilters(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

	a := dossier("HS-2025-000001", "SGDDT", "CSTD_TINH", "Lò Văn A", "Giáo viên dạy giỏi", at(1))
	b := dossier("HS-2025-000002", "SYT", "BK_UBND_TINH", "Đặng Thị Hoa", "Bác sĩ tuyến huyện", at(2))
	b.Stage, b.Status = domain.Appraisal, domain.StatusActive
	b.Overdue = true
	c := dossier("HS-2025-000003", "SGDDT", "BK_UBND_TINH", "Nguyễn Văn C", "Tăng 100% năng suất, mã a_b\\c, O'Brien", at(3))
	c.Stage, c.Status = domain.Awarded, domain.StatusAwarded
	c.Campaign = "2025-covid"
	e := dossier("HS-2025-000004", "SGDDT", "BK_UBND_TINH", "Trần Văn E", "Tăng 1000 năng suất, mã abbc", at(4))
	for _, d := range []*domain.Dossier{a, b, c, e} {
		put(t, st, d)
	}

	cases := []struct {
		name string
		f    store.ListFilter
		want []string
	}{
		{"all, newest first", store.ListFilter{}, []string{e.ID, c.ID, b.ID, a.ID}},
		{"stage", store.ListFilter{Stage: "appraisal"}, []string{b.ID}},
		{"status", store.ListFilter{Status: "awarded"}, []string{c.ID}},
		{"unit", store.ListFilter{Unit: "SGDDT"}, []string{e.ID, c.ID, a.ID}},
		{"award", store.ListFilter{Award: "CSTD_TINH"}, []string{a.ID}},
		{"campaign", store.ListFilter{Campaign: "2025-covid"}, []string{c.ID}},
		{"overdue", store.ListFilter{Overdue: true}, []string{b.ID}},
		{"not overdue", store.ListFilter{NotOverdue: true}, []string{e.ID, c.ID, a.ID}},
		{"unit and award", store.ListFilter{Unit: "SGDDT", Award: "BK_UBND_TINH"}, []string{e.ID, c.ID}},
		{"unit and stage, none", store.ListFilter{Unit: "SYT", Stage: "reception"}, []string{}},
		{"q without marks", store.ListFilter{Q: "Lo Van A"}, []string{a.ID}},
		{"q lower case with marks", store.ListFilter{Q: "lò văn"}, []string{a.ID}},
		{"q d for đ", store.ListFilter{Q: "dang"}, []string{b.ID}},
		{"q Đ", store.ListFilter{Q: "ĐẶNG"}, []string{b.ID}},
		{"q in summary", store.ListFilter{Q: "bac si"}, []string{b.ID}},
		{"q extra spaces", store.ListFilter{Q: "  lo   van  a "}, []string{a.ID}},
		{"q percent is literal", store.ListFilter{Q: "100%"}, []string{c.ID}},
		{"q lone percent", store.ListFilter{Q: "%"}, []string{c.ID}},
		{"q underscore is literal", store.ListFilter{Q: "a_b"}, []string{c.ID}},
		{"q lone underscore", store.ListFilter{Q: "_"}, []string{c.ID}},
		{"q backslash is literal", store.ListFilter{Q: `b\c`}, []string{c.ID}},
		{"q quote", store.ListFilter{Q: "o'brien"}, []string{c.ID}},
		{"q injection attempt", store.ListFilter{Q: "'; DROP TABLE dossiers; --"}, []string{}},
		{"q and unit", store.ListFilter{Q: "nang suat", Unit: "SGDDT"}, []string{e.ID, c.ID}},
		{"q no match", store.ListFilter{Q: "không có"}, []string{}},
	}
	for _, plan := range []string{"newest first", "by trigrams"} {
		if plan == "by trigrams" {
			store.AsIfLarge(st)
		}
		for _, tc := range cases {
			t.Run(plan+"/"+tc.name, func(t *testing.T) {
				got, next, err := st.ListDossiers(ctx, tc.f)
				require.NoError(t, err)
				assert.Equal(t, tc.want, ids(got))
				assert.Empty(t, next)
				var stored []string
				_, err = st.ListStored(ctx, tc.f, "", func(s *store.Stored) error {
					stored = append(stored, s.Facts.ID)
					return nil
				})
				require.NoError(t, err)
				assert.Equal(t, tc.want, append([]string{}, stored...))
			})
		}
	}
	var n int
	require.NoError(t, st.DB.Get(&n, `SELECT count(*) FROM dossiers`))
	assert.Equal(t, 4, n)
}

func TestListPagination(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	const total = 120
	var want []string
	for i := 1; i <= total; i++ {
		// Pairs share a created_at, so the id breaks ties.
		d := dossier(fmt.Sprintf("HS-2025-%06d", i), "SGDDT", "BK_UBND_TINH", "Nguyễn Văn B", "",
			t0.Add(time.Duration(i/2)*time.Minute).Add(123456789*time.Nanosecond))
		put(t, st, d)
		want = append([]string{d.ID}, want...)
	}
	var got []string
	cursor, pages := "", 0
	for {
		items, next, err := st.ListDossiers(ctx, store.ListFilter{Limit: 50, Cursor: cursor})
		require.NoError(t, err)
		pages++
		got = append(got, ids(items)...)
		if next == "" {
			break
		}
		require.Less(t, pages, 10)
		cursor = next
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, want, got)

	// A full last page still ends the listing.
	items, next, err := st.ListDossiers(ctx, store.ListFilter{Limit: 60})
	require.NoError(t, err)
	require.Len(t, items, 60)
	items, next, err = st.ListDossiers(ctx, store.ListFilter{Limit: 60, Cursor: next})
	require.NoError(t, err)
	assert.Len(t, items, 60)
	assert.Empty(t, next)

	// Limits are clamped: zero is 50, more than 200 is 200.
	items, _, err = st.ListDossiers(ctx, store.ListFilter{})
	require.NoError(t, err)
	assert.Len(t, items, 50)

	// Filters hold across pages.
	items, next, err = st.ListDossiers(ctx, store.ListFilter{Unit: "SGDDT", Limit: 100})
	require.NoError(t, err)
	require.Len(t, items, 100)
	items, _, err = st.ListDossiers(ctx, store.ListFilter{Unit: "SGDDT", Limit: 100, Cursor: next})
	require.NoError(t, err)
	assert.Len(t, items, 20)
}

func TestListBadCursor(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	for _, c := range []string{"!!!", "bm90LWEtY3Vyc29y", base64.RawURLEncoding.EncodeToString([]byte("12:")),
		base64.RawURLEncoding.EncodeToString([]byte("x:HS-1")), base64.RawURLEncoding.EncodeToString([]byte("-5:HS-1"))} {
		_, _, err := st.ListDossiers(ctx, store.ListFilter{Cursor: c})
		assert.ErrorIs(t, err, store.ErrBadCursor, c)
	}
}
