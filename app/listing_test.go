package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"tdkt/app"
	"tdkt/devenv"
	"tdkt/domain"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

// TestStoredListsAsPresented: the JSON API's lists and inbox, served from
// the stored JSON, give every caller the same dossier objects (the same
// fields and values) as List and Inbox present, item for item, views stored
// in an older shape included.
func TestStoredListsAsPresented(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy()})
	t0 := time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)
	n := 0
	put := func(unit, award string, stage domain.Stage, change func(*domain.Dossier), voters ...string) *domain.Dossier {
		n++
		sub := domain.Submission{AwardCode: award, Kind: domain.KindMerit, Procedure: domain.ProcedureRegular,
			Campaign: "2025-annual", AchievementPeriod: "2025",
			Nominee: domain.Nominee{Type: domain.Individual, Name: fmt.Sprintf("Lò Văn <%d> & \"B\"", n)}, Summary: "Tăng 100% năng suất"}
		d, _ := domain.NewDossier(fmt.Sprintf("HS-2025-%06d", n), sub, domain.Actor{ID: "u", Roles: []domain.Role{domain.RoleUnit}, Unit: unit},
			t0.Add(time.Duration(n)*time.Hour), domain.DefaultPolicy())
		d.Stage, d.Status = stage, domain.StatusOf(stage)
		due := t0.AddDate(0, 0, n%7)
		d.DueAt = &due
		if change != nil {
			change(d)
		}
		require.NoError(t, st.Project(ctx, d.View(), nil, voters...))
		return d
	}
	docs := func(d *domain.Dossier) {
		a, _ := domain.AwardByCode(d.AwardCode)
		for i, k := range domain.RequiredDocuments(a, d.Procedure) {
			d.Documents = append(d.Documents, domain.Document{ID: fmt.Sprintf("doc-%d", i), Kind: k, Filename: "a.pdf", Size: 10, ContentType: "application/pdf"})
		}
	}
	ballot := func(cast int, closed bool) func(*domain.Dossier) {
		return func(d *domain.Dossier) {
			docs(d)
			d.Ballot = &domain.Ballot{Members: 9, Needed: 6, Quorum: 6, Closed: closed}
			for i := 0; i < cast; i++ {
				d.Ballot.Voters = append(d.Ballot.Voters, fmt.Sprintf("c-%d", i+1))
			}
			if closed {
				d.Ballot.Yes, d.Ballot.No = cast-1, 1
			}
		}
	}
	put("SGDDT", "CSTD_TINH", domain.Reception, nil)
	put("SGDDT", "CSTD_TINH", domain.Reception, docs)
	put("SYT", "BK_UBND_TINH", domain.Appraisal, docs)
	put("SYT", "BK_UBND_TINH", domain.Appraisal, nil)
	put("SGDDT", "BK_UBND_TINH", domain.Supplement, func(d *domain.Dossier) { d.ReturnedFrom = domain.Reception })
	put("SGDDT", "BK_UBND_TINH", domain.Supplement, func(d *domain.Dossier) { docs(d); d.ReturnedFrom = domain.Decision })
	put("SYT", "CSTD_TINH", domain.Council, ballot(2, false), "c-1", "c-2")
	put("SGDDT", "CSTD_TINH", domain.Council, ballot(7, false), "c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7")
	put("SYT", "CSTD_TINH", domain.Council, ballot(0, false))
	put("SYT", "CSTD_TINH", domain.Council, ballot(8, true), "c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7", "c-8")
	put("SYT", "CSTD_TINH", domain.Decision, docs)
	put("SGDDT", "BK_TTG", domain.Decision, docs)
	put("SGDDT", "BK_TTG", domain.PMDecision, docs)
	put("SGDDT", "HC_LAO_DONG_3", domain.PMDecision, docs)
	put("SYT", "HC_LAO_DONG_3", domain.PresidentDecision, docs)
	put("SYT", "BK_UBND_TINH", domain.Awarded, docs)
	put("SGDDT", "BK_UBND_TINH", domain.Withdrawn, nil)
	// Views stored in older shapes: a vote without its quorum, no
	// allowed_actions.
	old := put("SGDDT", "CSTD_TINH", domain.Council, ballot(5, false), "c-1")
	_, err := st.DB.Exec(`UPDATE dossiers SET view = view #- '{votes,quorum}' WHERE id = $1`, old.ID)
	require.NoError(t, err)
	old = put("SYT", "CSTD_TINH", domain.Appraisal, docs)
	_, err = st.DB.Exec(`UPDATE dossiers SET view = view - 'allowed_actions' WHERE id = $1`, old.ID)
	require.NoError(t, err)

	actor := func(id, unit string, roles ...domain.Role) domain.Actor {
		return domain.Actor{ID: id, Name: id, Unit: unit, Roles: roles}
	}
	actors := []domain.Actor{
		actor("o-1", "", domain.RoleOfficer),
		actor("u-a", "SGDDT", domain.RoleUnit),
		actor("u-b", "SYT", domain.RoleUnit),
		actor("c-1", "", domain.RoleCouncil),
		actor("c-9", "", domain.RoleCouncil),
		actor("s-1", "", domain.RoleSecretary),
		actor("c-2", "", domain.RoleCouncil, domain.RoleSecretary),
		actor("ch", "", domain.RoleChairman),
		actor("ad", "", domain.RoleAdmin),
		actor("x", "SGDDT", domain.RoleUnit, domain.RoleOfficer, domain.RoleChairman),
	}
	// decoded makes both sides comparable: the same fields and values.
	decoded := func(t *testing.T, b []byte) []map[string]any {
		var out []map[string]any
		require.NoError(t, json.Unmarshal(b, &out))
		return out
	}
	filters := []app.ListFilter{{}, {Limit: 5}, {Stage: "council"}, {Unit: "SYT"}, {Q: "lo van"}, {Stage: "nowhere"}}
	for _, a := range actors {
		for _, f := range filters {
			t.Run(fmt.Sprintf("list %s %+v", a.ID, f), func(t *testing.T) {
				want, wantNext, err := svc.List(ctx, a, f)
				require.NoError(t, err)
				wantJSON, err := json.Marshal(want)
				require.NoError(t, err)
				items := app.NewJSONItems()
				defer items.Release()
				next, err := svc.ListJSON(ctx, a, f, items)
				require.NoError(t, err)
				require.Equal(t, wantNext, next)
				require.Equal(t, len(want), items.Len())
				require.Equal(t, decoded(t, wantJSON), decoded(t, append(append([]byte("["), items.Bytes()...), ']')))
			})
		}
		t.Run("inbox "+a.ID, func(t *testing.T) {
			want, err := svc.Inbox(ctx, a, app.MaxLimit)
			require.NoError(t, err)
			wantJSON, err := json.Marshal(want)
			require.NoError(t, err)
			items := app.NewJSONItems()
			defer items.Release()
			require.NoError(t, svc.InboxJSON(ctx, a, app.MaxLimit, items))
			require.Equal(t, len(want), items.Len())
			require.Equal(t, decoded(t, wantJSON), decoded(t, append(append([]byte("["), items.Bytes()...), ']')))
		})
	}
	// The items are the stored JSON (as PostgreSQL writes jsonb), not views
	// encoded again.
	items := app.NewJSONItems()
	defer items.Release()
	_, err = svc.ListJSON(ctx, actors[7], app.ListFilter{Stage: "decision"}, items)
	require.NoError(t, err)
	require.Contains(t, string(items.Bytes()), `"allowed_actions": ["return","reject","decide"], "missing_documents": []`)
	require.Contains(t, string(items.Bytes()), `"allowed_actions": ["return","reject","propose"], "missing_documents": []`)

	// Refusals are List's and Inbox's.
	_, err = svc.ListJSON(ctx, actors[0], app.ListFilter{Cursor: "not-a-cursor"}, items)
	require.Equal(t, domain.ErrInvalid, app.AsError(err).Kind)
	require.Equal(t, domain.ErrInvalid, app.AsError(svc.InboxJSON(ctx, actors[0], 0, items)).Kind)
}
