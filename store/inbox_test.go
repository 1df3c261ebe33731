package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"tdkt/domain"
)

func TestInbox(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	r1 := seedDossier(t, st, 1, "SGDDT", domain.Reception, at(1), 5)
	r2 := seedDossier(t, st, 2, "SYT", domain.Reception, at(2), 3)
	ap := seedDossier(t, st, 3, "SYT", domain.Appraisal, at(3), 4)
	nodue := seedDossier(t, st, 4, "SYT", domain.CentralAppraisal, at(0), -1) // no due date: last
	supA := seedDossier(t, st, 5, "SGDDT", domain.Supplement, at(5), 10)
	supB := seedDossier(t, st, 6, "SYT", domain.Supplement, at(6), 9)
	c1 := seedDossier(t, st, 7, "SGDDT", domain.Council, at(7), 20)
	c2 := seedDossier(t, st, 8, "SYT", domain.Council, at(8), 21)
	dec := seedDossier(t, st, 9, "SYT", domain.Decision, at(9), 2)
	seedDossier(t, st, 10, "SGDDT", domain.Awarded, at(10), -1)
	seedDossier(t, st, 11, "SGDDT", domain.PublicNotice, at(11), 1)

	// Member c-1 has voted on c1.
	require.NoError(t, st.Project(ctx, c1.View(), nil, "c-1"))

	actor := func(id, unit string, roles ...domain.Role) domain.Actor {
		return domain.Actor{ID: id, Unit: unit, Roles: roles}
	}
	cases := []struct {
		name string
		a    domain.Actor
		want []string
	}{
		{"officer: due first, none last", actor("o-1", "", domain.RoleOfficer), []string{r2.ID, ap.ID, r1.ID, nodue.ID}},
		{"unit: own supplement only", actor("u-a", "SGDDT", domain.RoleUnit), []string{supA.ID}},
		{"unit: other unit", actor("u-b", "SYT", domain.RoleUnit), []string{supB.ID}},
		{"unit without unit claim", actor("u-x", "", domain.RoleUnit), []string{}},
		{"council member who voted", actor("c-1", "", domain.RoleCouncil), []string{c2.ID}},
		{"council member who did not", actor("c-2", "", domain.RoleCouncil), []string{c1.ID, c2.ID}},
		{"secretary sees all council", actor("s-1", "", domain.RoleSecretary), []string{c1.ID, c2.ID}},
		{"council and secretary: no duplicates", actor("c-1", "", domain.RoleCouncil, domain.RoleSecretary), []string{c1.ID, c2.ID}},
		{"chairman", actor("ch", "", domain.RoleChairman), []string{dec.ID}},
		{"admin waits on nothing", actor("ad", "", domain.RoleAdmin), []string{}},
		{"several roles merge by due date", actor("x", "SGDDT", domain.RoleChairman, domain.RoleUnit, domain.RoleOfficer),
			[]string{dec.ID, r2.ID, ap.ID, r1.ID, supA.ID, nodue.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.Inbox(ctx, tc.a, 50)
			require.NoError(t, err)
			assert.Equal(t, tc.want, ids(got))
		})
	}

	got, err := st.Inbox(ctx, actor("o-1", "", domain.RoleOfficer), 2)
	require.NoError(t, err)
	assert.Equal(t, []string{r2.ID, ap.ID}, ids(got))
}
