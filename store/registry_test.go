package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"tdkt/domain"
	"tdkt/store"
)

// The unit directory is seeded with Lai Châu after 1/7/2025 and holds the
// demo users' units; codes are unique; a code never changes.
func TestUnitDirectory(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	units, err := st.ListUnits(ctx)
	require.NoError(t, err)
	kinds := map[domain.UnitKind]int{}
	byCode := map[string]domain.Unit{}
	for _, u := range units {
		kinds[u.Kind]++
		byCode[u.Code] = u
		require.Empty(t, u.Check(), "seeded unit %s", u.Code)
		require.NotEmpty(t, u.Block, "seeded unit %s has no emulation block", u.Code)
	}
	for _, code := range []string{"SGDDT", "SYT", "SNV", "P-TANPHONG", "P-DOANKET", "X-SINHO", "X-MUONGTE", "X-THANUYEN"} {
		require.Contains(t, byCode, code)
	}
	assert.Equal(t, "Phường Tân Phong", byCode["P-TANPHONG"].Name)
	assert.Equal(t, domain.UnitWard, byCode["P-DOANKET"].Kind)
	assert.Equal(t, 2, kinds[domain.UnitWard])
	assert.Positive(t, kinds[domain.UnitDepartment])
	assert.Positive(t, kinds[domain.UnitMassOrg])
	assert.Positive(t, kinds[domain.UnitCommune])
	assert.Positive(t, kinds[domain.UnitEnterprise])
	// No district after the reorganisation: no "huyện" and no "UBND-" unit.
	for _, u := range units {
		assert.NotContains(t, u.Name, "Huyện", u.Code)
	}

	nu := domain.Unit{Code: "X-NAMTAM2", Name: "Xã thử nghiệm", Kind: domain.UnitCommune, Block: "Cụm thi đua số 2 (xã)"}
	require.NoError(t, st.CreateUnit(ctx, nu))
	require.ErrorIs(t, st.CreateUnit(ctx, nu), store.ErrExists)
	nu.Name = "Xã thử nghiệm (đổi tên)"
	require.NoError(t, st.UpdateUnit(ctx, nu))
	got, err := st.GetUnit(ctx, "X-NAMTAM2")
	require.NoError(t, err)
	assert.Equal(t, nu, got)
	require.ErrorIs(t, st.UpdateUnit(ctx, domain.Unit{Code: "KHONGCO", Name: "x", Kind: domain.UnitCommune}), store.ErrNotFound)
	_, err = st.GetUnit(ctx, "KHONGCO")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = st.GetUnit(ctx, "bad\x00")
	require.ErrorIs(t, err, store.ErrNotFound)
}

// awarded is dossier d granted by decision number on date.
func awarded(d *domain.Dossier, number, date string) *domain.Dossier {
	d.Stage, d.Status = domain.Awarded, domain.StatusAwarded
	d.Decision = &domain.Issued{Number: number, Date: date, Authority: domain.AuthorityProvince}
	d.Version += 5
	return d
}

// A dossier projected into stage awarded is in the registry once, however
// often it is projected again (a retried projection, tdkt reproject); a
// dossier on its way is not.
func TestGrantedAwardRecordedOnce(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	d := dossier("HS-2025-000001", "SGDDT", "BK_UBND_TINH", "Lò Văn Đặng", "", t0)
	put(t, st, d)
	items, _, err := st.ListRegistry(ctx, store.RegistryFilter{})
	require.NoError(t, err)
	require.Empty(t, items, "not awarded yet")

	awarded(d, "12/QĐ-UBND", "2025-12-20")
	for range 3 {
		require.NoError(t, st.Project(ctx, d.View(), nil))
	}
	// Reprojection writes the same version again, and an older one.
	require.NoError(t, st.ProjectPending(ctx, "", d.View(), nil))
	items, _, err = st.ListRegistry(ctx, store.RegistryFilter{})
	require.NoError(t, err)
	require.Len(t, items, 1)
	e := items[0]
	assert.Equal(t, domain.SourceEngine, e.Source)
	assert.Equal(t, "HS-2025-000001", e.DossierID)
	assert.Equal(t, "p:lo van dang||SGDDT", e.NomineeKey)
	assert.Equal(t, 2025, e.Year)
	assert.Equal(t, "12/QĐ-UBND", e.DecisionNumber)
	assert.Equal(t, "2025-12-20", e.DecisionDate)
	assert.Equal(t, "Bằng khen của Chủ tịch UBND tỉnh", e.AwardName)
	assert.Equal(t, domain.AuthorityProvince, e.Authority)
}

func entry(name, unit, award string, year int, number string) domain.RegistryEntry {
	a, _ := domain.RegistryAward(award)
	return domain.RegistryEntry{NomineeType: domain.Individual, NomineeKey: domain.PersonKey(name, time.Date(1985, 4, 30, 0, 0, 0, 0, time.UTC), unit, ""), Name: name,
		BirthDate: "1985-04-30", Unit: unit, AwardCode: award, Year: year, Kind: domain.KindMerit, DecisionNumber: number,
		DecisionDate: fmt.Sprintf("%d-12-25", year), Authority: a.Authority, Source: domain.SourceImport, RecordedBy: "o-1"}
}

// Filters (unit, award, year, a name without diacritics) and keyset pages
// newest year first; a duplicate is refused; an import is all or nothing.
func TestRegistryListAndImport(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	var batch []domain.RegistryEntry
	for i := range 120 {
		unit := []string{"SGDDT", "SYT", "X-SINHO"}[i%3]
		award := []string{"LDTT", "CSTD_CO_SO", "GIAY_KHEN"}[i%3]
		batch = append(batch, entry(fmt.Sprintf("Nguyễn Thị Hoa %d", i), unit, award, 2021+i%4, fmt.Sprintf("%d/QĐ-SGDĐT", i)))
	}
	batch = append(batch, entry("Đặng Văn Tủa", "X-MUONGTE", "CSTD_CO_SO", 2024, "7/QĐ-UBND"))
	dups, err := st.ImportRegistry(ctx, batch)
	require.NoError(t, err)
	require.Empty(t, dups)

	all, next, err := st.ListRegistry(ctx, store.RegistryFilter{Limit: 200})
	require.NoError(t, err)
	require.Empty(t, next)
	require.Len(t, all, 121)
	for i := 1; i < len(all); i++ {
		require.GreaterOrEqual(t, all[i-1].Year, all[i].Year, "newest year first")
	}

	// Pages of 7 walk every entry once.
	seen := map[int64]bool{}
	cursor := ""
	for {
		page, next, err := st.ListRegistry(ctx, store.RegistryFilter{Limit: 7, Cursor: cursor})
		require.NoError(t, err)
		for _, e := range page {
			require.False(t, seen[e.ID], "entry %d twice", e.ID)
			seen[e.ID] = true
		}
		if next == "" {
			break
		}
		cursor = next
	}
	require.Len(t, seen, 121)
	_, _, err = st.ListRegistry(ctx, store.RegistryFilter{Cursor: "not-a-cursor"})
	require.ErrorIs(t, err, store.ErrBadCursor)

	// A query's % and _ are text, not wildcards.
	got, _, err := st.ListRegistry(ctx, store.RegistryFilter{Q: "hoa_1"})
	require.NoError(t, err)
	require.Empty(t, got)
	got, _, err = st.ListRegistry(ctx, store.RegistryFilter{Q: "%"})
	require.NoError(t, err)
	require.Empty(t, got)
	got, _, err = st.ListRegistry(ctx, store.RegistryFilter{Q: "dang van tua"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "Đặng Văn Tủa", got[0].Name)
	assert.Equal(t, "1985-04-30", got[0].BirthDate)
	got, _, err = st.ListRegistry(ctx, store.RegistryFilter{Unit: "SYT", Award: "CSTD_CO_SO", Year: 2022, Limit: 200})
	require.NoError(t, err)
	require.NotEmpty(t, got)
	for _, e := range got {
		require.Equal(t, "SYT", e.Unit)
		require.Equal(t, "CSTD_CO_SO", e.AwardCode)
		require.Equal(t, 2022, e.Year)
	}
	got, _, err = st.ListRegistry(ctx, store.RegistryFilter{Unit: "SGDDT", Award: "GIAY_KHEN"})
	require.NoError(t, err)
	require.Empty(t, got, "SGDDT's rows are LDTT only")

	// One row already recorded makes the whole import refused, naming it.
	again := []domain.RegistryEntry{entry("Người Mới", "SYT", "LDTT", 2025, "1/QĐ-SYT"), batch[5]}
	dups, err = st.ImportRegistry(ctx, again)
	require.NoError(t, err)
	require.Len(t, dups, 1)
	require.Contains(t, dups, 1)
	got, _, err = st.ListRegistry(ctx, store.RegistryFilter{Q: "nguoi moi"})
	require.NoError(t, err)
	require.Empty(t, got, "nothing of a refused import is recorded")

	one, err := st.AddRegistryEntry(ctx, again[0])
	require.NoError(t, err)
	assert.Positive(t, one.ID)
	_, err = st.AddRegistryEntry(ctx, again[0])
	require.ErrorIs(t, err, store.ErrDuplicate)
}
