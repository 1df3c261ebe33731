package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"tdkt/domain"
	"tdkt/store"
)

// A hold is set (again: a new reason), found by any of a nominee's keys,
// listed while it stands and lifted once.
func TestHolds(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	key := "p:lo van a|1980-03-15|SGDDT"
	h, err := st.SetHold(ctx, domain.Hold{PersonKey: key, Reason: "Đang xem xét kỷ luật", SetBy: "officer-1", SetByName: "Chuyên viên"})
	require.NoError(t, err)
	assert.Equal(t, "Đang xem xét kỷ luật", h.Reason)
	assert.False(t, h.SetAt.IsZero())
	h, err = st.SetHold(ctx, domain.Hold{PersonKey: key, Reason: "Thanh tra kết luận sai phạm", SetBy: "officer-2"})
	require.NoError(t, err)
	assert.Equal(t, "officer-2", h.SetBy)
	all, err := st.Holds(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, "Thanh tra kết luận sai phạm", all[0].Reason)

	got, err := st.HoldOn(ctx, []string{"cccd:001080000001", key})
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, key, got.PersonKey)
	got, err = st.HoldOn(ctx, []string{"p:someone else||SGDDT"})
	require.NoError(t, err)
	assert.Nil(t, got)

	require.NoError(t, st.LiftHold(ctx, key, "officer-1", "Không kỷ luật"))
	require.ErrorIs(t, st.LiftHold(ctx, key, "officer-1", ""), store.ErrNotFound)
	got, err = st.HoldOn(ctx, []string{key})
	require.NoError(t, err)
	assert.Nil(t, got)
	all, err = st.Holds(ctx)
	require.NoError(t, err)
	assert.Empty(t, all)
	// A new hold after a lifted one stands again.
	_, err = st.SetHold(ctx, domain.Hold{PersonKey: key, Reason: "Lần hai", SetBy: "officer-1"})
	require.NoError(t, err)
	all, err = st.Holds(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 1)
}

// A nominee's other dossiers for an award are found by the folded name
// (running or awarded, not rejected), and the registry by key.
func TestProposalsAndNomineeRegistry(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	put(t, st, dossier("HS-2026-000001", "SGDDT", "CSTD_TINH", "Lò Văn Đặng", "Giáo viên giỏi", t0))
	put(t, st, dossier("HS-2026-000002", "SGDDT", "CSTD_TINH", "Lò Văn Đặng Khoa", "", t0))
	put(t, st, dossier("HS-2026-000003", "SGDDT", "BK_UBND_TINH", "Lò Văn Đặng", "", t0))
	gone := dossier("HS-2026-000004", "SGDDT", "CSTD_TINH", "Lò Văn Đặng", "", t0)
	gone.Stage, gone.Status = domain.Rejected, domain.StatusRejected
	put(t, st, gone)
	put(t, st, awarded(dossier("HS-2026-000005", "SYT", "CSTD_TINH", "LO VAN DANG", "", t0), "3/QĐ-UBND", "2026-01-20"))

	vs, err := st.ProposalsOf(ctx, "CSTD_TINH", "lò văn  đặng")
	require.NoError(t, err)
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	assert.Equal(t, []string{"HS-2026-000001", "HS-2026-000005"}, ids)
	vs, err = st.ProposalsOf(ctx, "CSTD_TINH", "50%_")
	require.NoError(t, err)
	assert.Empty(t, vs)

	_, err = st.ImportRegistry(ctx, []domain.RegistryEntry{
		entry("Lò Văn Đặng", "SGDDT", "CSTD_CO_SO", 2024, "9/QĐ-SGDĐT"),
		entry("Lò Văn Đặng", "SGDDT", "CSTD_CO_SO", 2023, "8/QĐ-SGDĐT"),
		entry("Lò Thị Hoa", "SGDDT", "CSTD_CO_SO", 2023, "8/QĐ-SGDĐT"),
	})
	require.NoError(t, err)
	key := entry("Lò Văn Đặng", "SGDDT", "LDTT", 2024, "").NomineeKey
	rows, err := st.NomineeRegistry(ctx, []string{key})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, 2023, rows[0].Year)
	assert.Equal(t, "8/QĐ-SGDĐT", rows[0].DecisionNumber)
	page, _, err := st.ListRegistry(ctx, store.RegistryFilter{Nominee: key})
	require.NoError(t, err)
	assert.Len(t, page, 2)
}
