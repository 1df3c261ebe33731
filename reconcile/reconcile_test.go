package reconcile_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"tdkt/app"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/reconcile"
	"tdkt/reproject"
	"tdkt/store"
	"tdkt/worker"
	"tdkt/workflows"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

var (
	unit    = domain.Actor{ID: "u-sgddt", Name: "Văn thư Sở GD&ĐT", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	officer = domain.Actor{ID: "o-1", Name: "Chuyên viên Nguyễn Thị Hương", Roles: []domain.Role{domain.RoleOfficer}}
)

// TestReconcilerWritesWhatTheAPIDidNot plays an API that dies between
// Temporal's answer and its own write, for an action and for a start, and
// one whose update never reached Temporal: the reconciler writes the first
// two from the dossiers' histories exactly as the API would have (the read
// model then equals each workflow's state), clears their marks, and drops
// the third's only once no API can still be waiting on it.
func TestReconcilerWritesWhatTheAPIDidNot(t *testing.T) {
	ctx := context.Background()
	tmp := devenv.TestTemporal(t)
	st := devenv.TestStore(t)
	c, err := client.Dial(client.Options{HostPort: tmp.Address, Namespace: tmp.Namespace})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	const queue = "reconcile"
	w := sdkworker.New(c, queue, sdkworker.Options{})
	worker.Register(w, st)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := domain.DefaultPolicy()
	core := app.New(app.Deps{Temporal: c, Store: st, TaskQueue: queue, Policy: p, Logger: logger})
	sub := domain.Submission{AwardCode: "BK_UBND_TINH", Kind: domain.KindMerit, Procedure: domain.ProcedureRegular,
		AchievementPeriod: "2026", Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn Đối Soát"}}

	// A: submitted through the API, then rejected by an officer whose API
	// died once Temporal had completed the update.
	a, _, err := core.Submit(ctx, unit, "", sub)
	require.NoError(t, err)
	require.NoError(t, st.MarkPending(ctx, a.ID, "u-lost"))
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.DossierWorkflowID(a.ID),
		UpdateID: "u-lost", UpdateName: workflows.UpdateName(domain.ActReject), WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{domain.Command{Action: domain.ActReject, Actor: officer, Comment: "Không đủ tiêu chuẩn", CallerProjects: true}}})
	require.NoError(t, err)
	var out workflows.Outcome
	require.NoError(t, h.Get(ctx, &out))
	require.Equal(t, domain.Rejected, out.Stage)
	// B: a start Temporal recorded, by an API that died before writing it.
	bID, _, err := st.ReserveSubmission(ctx, unit.Unit, "", "h", 2026)
	require.NoError(t, err)
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.DossierWorkflowID(bID), TaskQueue: queue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL}, workflows.DossierWorkflowName,
		workflows.DossierInput{ID: bID, Submission: sub, By: unit, Policy: p, SubmittedAt: time.Now().UTC().Truncate(time.Microsecond)})
	require.NoError(t, err)
	// C: an update marked by an API that died before sending it.
	require.NoError(t, st.MarkPending(ctx, a.ID, "u-never"))

	got, err := st.GetDossier(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, domain.Reception, got.Stage, "the read model already had the lost write")
	_, err = st.GetDossier(ctx, bID)
	require.ErrorIs(t, err, store.ErrNotFound)

	now := time.Now()
	rec := &reconcile.Reconciler{Store: st, Logger: logger, Now: func() time.Time { return now },
		Options: reproject.Options{Client: c, Namespace: tmp.Namespace}}
	// Marks wait a moment for their API before a reconciler takes them.
	rep, err := rec.Once(ctx)
	require.NoError(t, err)
	require.Zero(t, rep.Claimed, "a mark was taken before its API had its chance")
	due(t, st)
	rep, err = rec.Once(ctx)
	require.NoError(t, err)
	require.Equal(t, reconcile.Report{Claimed: 3, Rebuilt: 2, Cleared: 2}, rep)

	for _, id := range []string{a.ID, bID} {
		stored, err := st.GetDossier(ctx, id)
		require.NoError(t, err)
		q, err := c.QueryWorkflow(ctx, workflows.DossierWorkflowID(id), "", workflows.QueryState)
		require.NoError(t, err)
		var want domain.View
		require.NoError(t, q.Get(&want))
		require.Equal(t, want, stored, "%s: the read model differs from the workflow", id)
	}
	hist, err := st.History(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	require.Equal(t, domain.ActReject, hist[1].Action)
	require.Equal(t, "Không đủ tiêu chuẩn", hist[1].Comment)
	n, _, err := st.PendingCount(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "only the update that never reached Temporal is left")

	// Once no API can be waiting on it any more, it is dropped.
	now = now.Add(reconcile.DefaultGiveUp + time.Second)
	due(t, st)
	rep, err = rec.Once(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Cleared)
	n, _, err = st.PendingCount(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}

// due makes every mark's time come now.
func due(t *testing.T, st *store.Store) {
	t.Helper()
	_, err := st.DB.Exec(`UPDATE projection_pending SET next_try = now()`)
	require.NoError(t, err)
}
