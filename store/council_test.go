package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"tdkt/domain"
	"tdkt/store"
)

// The roster: put adds then changes, in the minutes' order; remove says
// when there is nothing to remove; the demo seed fills only an empty roster.
func TestCouncilRoster(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	created, err := st.PutCouncilMember(ctx, domain.CouncilMember{ID: "c2", Name: "Tao Thị Hương", Order: 2}, "admin")
	require.NoError(t, err)
	require.True(t, created)
	created, err = st.PutCouncilMember(ctx, domain.CouncilMember{ID: "c1", Name: "Lò Văn Thắng", Position: "Phó Chủ tịch", Order: 1}, "admin")
	require.NoError(t, err)
	require.True(t, created)
	created, err = st.PutCouncilMember(ctx, domain.CouncilMember{ID: "c2", Name: "Tao Thị Hương", Position: "ủy viên", Order: 2}, "admin")
	require.NoError(t, err)
	require.False(t, created, "a change")
	ms, err := st.CouncilMembers(ctx)
	require.NoError(t, err)
	require.Equal(t, []domain.CouncilMember{{ID: "c1", Name: "Lò Văn Thắng", Position: "Phó Chủ tịch", Order: 1},
		{ID: "c2", Name: "Tao Thị Hương", Position: "ủy viên", Order: 2}}, ms)

	require.NoError(t, st.SeedCouncilMembers(ctx, []domain.CouncilMember{{ID: "x", Name: "Không được thêm"}}))
	ms, _ = st.CouncilMembers(ctx)
	require.Len(t, ms, 2, "a kept roster is left alone")

	require.NoError(t, st.RemoveCouncilMember(ctx, "c1"))
	require.ErrorIs(t, st.RemoveCouncilMember(ctx, "c1"), store.ErrNotFound)
	require.NoError(t, st.RemoveCouncilMember(ctx, "c2"))
	require.NoError(t, st.SeedCouncilMembers(ctx, []domain.CouncilMember{{ID: "c9", Name: "Bùi Văn Tuấn", Order: 9}}))
	ms, _ = st.CouncilMembers(ctx)
	require.Equal(t, []domain.CouncilMember{{ID: "c9", Name: "Bùi Văn Tuấn", Order: 9}}, ms, "an empty roster is seeded")
}
