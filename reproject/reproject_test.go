package reproject_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"tdkt/app"
	"tdkt/codec"
	"tdkt/config"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/reproject"
	"tdkt/store"
	"tdkt/worker"
	"tdkt/workflows"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

var (
	unit     = domain.Actor{ID: "u-sgddt", Name: "Sở GD&ĐT", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	officer  = domain.Actor{ID: "o1", Name: "Chuyên viên", Roles: []domain.Role{domain.RoleOfficer}}
	chairman = domain.Actor{ID: "ch", Name: "Chủ tịch", Roles: []domain.Role{domain.RoleChairman}}
	secr     = domain.Actor{ID: "s1", Name: "Thư ký", Roles: []domain.Role{domain.RoleSecretary}}
)

func member(id string) domain.Actor {
	return domain.Actor{ID: id, Name: "Thành viên", Roles: []domain.Role{domain.RoleCouncil}}
}

// snapshot is everything of the read model that reproject must rebuild.
type snapshot map[string][]string

func take(t *testing.T, st *store.Store) snapshot {
	s := snapshot{}
	for name, q := range map[string]string{
		"dossiers": `SELECT id || ' v' || version || ' ' || stage || ' ' || view::text FROM dossiers ORDER BY id`,
		"history": `SELECT dossier_id || '#' || seq || ' ' || action || ' ' || from_stage || '>' || to_stage || ' ' || actor_id ||
			' ' || comment || ' ' || coalesce(details::text, '') FROM dossier_history ORDER BY dossier_id, seq`,
		"votes":    `SELECT dossier_id || ' ' || member_id FROM dossier_votes ORDER BY 1`,
		"numbers":  `SELECT dossier_id || ' ' || kind || ' ' || year || ' ' || n FROM issued_numbers ORDER BY 1`,
		"counters": `SELECT kind || ' ' || year || ' ' || last FROM number_counters ORDER BY 1`,
	} {
		var rows []string
		require.NoError(t, st.DB.Select(&rows, q), name)
		s[name] = rows
	}
	ids, err := st.DossierIDCounters(context.Background())
	require.NoError(t, err)
	for year, last := range ids {
		s["ids"] = append(s["ids"], fmt.Sprintf("%d %d", year, last))
	}
	sort.Strings(s["ids"])
	return s
}

func wipe(t *testing.T, st *store.Store, where string) {
	for _, tbl := range []string{"dossier_history", "dossier_votes", "issued_numbers", "dossiers"} {
		q := "DELETE FROM " + tbl
		if where != "" {
			col := "dossier_id"
			if tbl == "dossiers" {
				col = "id"
			}
			q += " WHERE " + col + " = '" + where + "'"
		}
		_, err := st.DB.Exec(q)
		require.NoError(t, err)
	}
	if where == "" {
		_, err := st.DB.Exec(`DELETE FROM number_counters;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT sequencename FROM pg_sequences WHERE sequencename ~ '^dossier_ids_[0-9]{4}$' LOOP
    EXECUTE format('DROP SEQUENCE %I', r.sequencename);
  END LOOP;
END $$`)
		require.NoError(t, err)
	}
}

// TestReprojectRebuildsTheReadModel loses the read model of dossiers that
// went through documents, a return, a council vote, continue-as-new and a
// numbered decision, with Temporal payloads encrypted, and gets it back
// from Temporal alone, exactly; twice changes nothing; one dossier alone
// too; and a new submission does not reuse an id.
func TestReprojectRebuildsTheReadModel(t *testing.T) {
	ctx := context.Background()
	tmp := devenv.TestTemporal(t)
	st := devenv.TestStore(t)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	pc, err := codec.New("k1", key)
	require.NoError(t, err)
	dc := codec.DataConverter(pc)
	c, err := client.Dial(client.Options{HostPort: tmp.Address, Namespace: tmp.Namespace, DataConverter: dc,
		FailureConverter: codec.FailureConverter(dc)})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := config.Defaults()
	cfg.TaskQueue = "reproject"
	w, err := worker.Start(c, st, cfg, logger)
	require.NoError(t, err)
	t.Cleanup(w.Stop)
	p := domain.DefaultPolicy()
	p.PublicNoticeDays = 0
	core := app.New(app.Deps{Temporal: c, Store: st, TaskQueue: cfg.TaskQueue, Policy: p, Logger: logger, MaxUpload: 1 << 20})

	act := func(id string, a domain.Actor, r app.ActionRequest) domain.View {
		v, err := core.Act(ctx, a, id, r)
		require.NoError(t, err, "%s by %s", r.Action, a.ID)
		return v
	}
	// Each submission is another nominee: the same one proposed twice for
	// an award and period is refused (eligibility).
	subs := 0
	sub := func(award string, nt domain.NomineeType) string {
		subs++
		v, _, err := core.Submit(ctx, unit, "", domain.Submission{AwardCode: award, Kind: domain.KindMerit,
			Campaign: "2026-annual", AchievementPeriod: "2026", Nominee: domain.Nominee{Type: nt, Name: fmt.Sprintf("Lò Văn Tái Dựng %d", subs)}})
		require.NoError(t, err)
		return v.ID
	}
	attach := func(id string, kind domain.DocumentKind) {
		v, err := core.UploadTarget(ctx, unit, id)
		require.NoError(t, err)
		rcv, err := core.ReceiveDocument(strings.NewReader("%PDF-1.7 "+string(kind)), "Tài liệu "+string(kind)+".pdf")
		require.NoError(t, err)
		defer rcv.Close()
		doc, err := core.StoreDocument(ctx, v, string(kind), rcv)
		require.NoError(t, err)
		_, _, _, err = core.AttachDocument(ctx, unit, v, doc, "")
		require.NoError(t, err)
	}
	// A: documents, a return and resubmission, a decision with its number.
	a := sub("BK_UBND_TINH", domain.Individual)
	for _, k := range []domain.DocumentKind{domain.DocToTrinh, domain.DocBaoCaoThanhTich, domain.DocBienBanHop} {
		attach(a, k)
	}
	act(a, officer, app.ActionRequest{Action: domain.ActReturn, Comment: "Thiếu biên bản", Missing: []domain.DocumentKind{domain.DocBienBanHop}})
	act(a, unit, app.ActionRequest{Action: domain.ActResubmit})
	act(a, officer, app.ActionRequest{Action: domain.ActAccept})
	act(a, officer, app.ActionRequest{Action: domain.ActApprove})
	require.Equal(t, domain.Awarded, act(a, chairman, app.ActionRequest{Action: domain.ActDecide}).Stage)

	// B: a council vote across continue-as-new runs, then a proposal.
	b := "HS-2026-900001"
	op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{ID: workflows.DossierWorkflowID(b), TaskQueue: cfg.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING},
		workflows.DossierWorkflowName, workflows.DossierInput{ID: b, By: unit, Policy: p, MaxHistoryEvents: 40,
			Submission: domain.Submission{AwardCode: "BK_TTG", Kind: domain.KindMerit, Procedure: domain.ProcedureRegular,
				AchievementPeriod: "2026", Nominee: domain.Nominee{Type: domain.Individual, Name: "Hà Thị Bỏ Phiếu"}}})
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: workflows.UpdateSync, WaitForStage: client.WorkflowUpdateStageCompleted}})
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))
	for _, k := range []domain.DocumentKind{domain.DocToTrinh, domain.DocBaoCaoThanhTich, domain.DocBienBanHop} {
		attach(b, k)
	}
	act(b, officer, app.ActionRequest{Action: domain.ActAccept})
	act(b, officer, app.ActionRequest{Action: domain.ActApprove})
	yes := true
	for _, m := range []string{"c1", "c2", "c3", "c4", "c5", "c6"} {
		act(b, member(m), app.ActionRequest{Action: domain.ActVote, Approve: &yes})
	}
	act(b, secr, app.ActionRequest{Action: domain.ActCloseVote})
	require.Equal(t, domain.CentralAppraisal, act(b, chairman, app.ActionRequest{Action: domain.ActPropose}).Stage)
	runs, err := c.ListWorkflow(ctx, listReq(tmp.Namespace, b))
	require.NoError(t, err)
	require.Greater(t, len(runs.Executions), 1, "B did not continue as new")

	// Let visibility catch up, then lose the read model of both.
	require.Eventually(t, func() bool {
		r, err := c.ListWorkflow(ctx, listReq(tmp.Namespace, a))
		return err == nil && len(r.Executions) == 1
	}, 10*time.Second, 100*time.Millisecond)
	before := take(t, st)
	require.Len(t, before["dossiers"], 2)
	require.Len(t, before["votes"], 6)
	require.Len(t, before["numbers"], 2)
	wipe(t, st, "")
	require.Empty(t, take(t, st)["dossiers"])

	opts := reproject.Options{Client: c, DataConverter: dc, Store: st, Namespace: tmp.Namespace, Logger: logger}
	rep, err := reproject.Run(ctx, opts)
	require.NoError(t, err)
	require.Equal(t, 2, rep.Dossiers)
	require.Equal(t, 2, rep.Numbers)
	require.Zero(t, rep.MissingDocuments, "the document's bytes were kept")
	// The id counter comes back at the highest id Temporal has (B's id was
	// not allocated by it), so no new submission can reuse one.
	require.Equal(t, []string{"2026 900001"}, take(t, st)["ids"])
	before["ids"] = []string{"2026 900001"}
	require.Equal(t, before, take(t, st), "the rebuilt read model differs")

	// Again: nothing changes.
	_, err = reproject.Run(ctx, opts)
	require.NoError(t, err)
	require.Equal(t, before, take(t, st))

	// One dossier alone.
	wipe(t, st, b)
	opts.Dossier = b
	rep, err = reproject.Run(ctx, opts)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Dossiers)
	require.Equal(t, before, take(t, st))

	// The counters were rebuilt: the next submission is a new id and the
	// next decision a new number.
	next := sub("BK_UBND_TINH", domain.Individual)
	require.Equal(t, "HS-2026-900002", next)
	_, err = reproject.Run(ctx, reproject.Options{Client: c, DataConverter: dc, Store: st, Namespace: tmp.Namespace, Dossier: "no such"})
	require.Error(t, err)
}

func listReq(ns, id string) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: "WorkflowId = '" + workflows.DossierWorkflowID(id) + "'"}
}
