package worker_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"tdkt/app"
	"tdkt/config"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/worker"
	"tdkt/workflows"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

var (
	unit     = domain.Actor{ID: "u-sgddt", Name: "Văn thư Sở GD&ĐT", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	officer  = domain.Actor{ID: "o-1", Name: "Chuyên viên Nguyễn Thị Hương", Roles: []domain.Role{domain.RoleOfficer}}
	chairman = domain.Actor{ID: "ch-1", Name: "Chủ tịch Lê Văn Thành", Roles: []domain.Role{domain.RoleChairman}}
)

// A decision batch on the real stack: three dossiers in decision, one of
// which the chairman returns alone before signing. Signing issues one
// number; the other two are awarded carrying it (their read model and
// history say so, written as the API writes), the returned one is dropped
// with its reason in Vietnamese, and no dossier issued a number of its own.
func TestBatchSignedOnRealStack(t *testing.T) {
	ctx := context.Background()
	tmp := devenv.TestTemporal(t)
	st := devenv.TestStore(t)
	c, err := client.Dial(client.Options{HostPort: tmp.Address, Namespace: tmp.Namespace})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := config.Defaults()
	cfg.TaskQueue = "batches"
	w, err := worker.Start(c, st, cfg, logger)
	require.NoError(t, err)
	t.Cleanup(w.Stop)
	core := app.New(app.Deps{Temporal: c, Store: st, TaskQueue: cfg.TaskQueue, Policy: domain.DefaultPolicy(), Logger: logger, MaxUpload: 1 << 20})

	var ids []string
	for i := range 3 {
		v, _, err := core.Submit(ctx, unit, "", domain.Submission{AwardCode: "BK_UBND_TINH", Kind: domain.KindMerit,
			AchievementPeriod: "2025", Nominee: domain.Nominee{Type: domain.Individual, Name: fmt.Sprintf("Lò Văn Danh Sách %d", i+1)}})
		require.NoError(t, err)
		for _, k := range []domain.DocumentKind{domain.DocToTrinh, domain.DocBaoCaoThanhTich, domain.DocBienBanHop} {
			target, err := core.UploadTarget(ctx, unit, v.ID)
			require.NoError(t, err)
			rcv, err := core.ReceiveDocument(strings.NewReader("%PDF-1.7 "+string(k)), string(k)+".pdf")
			require.NoError(t, err)
			doc, err := core.StoreDocument(ctx, target, string(k), rcv)
			require.NoError(t, err)
			_, _, _, err = core.AttachDocument(ctx, unit, target, doc, "")
			require.NoError(t, err)
			rcv.Close()
		}
		for _, a := range []domain.Action{domain.ActAccept, domain.ActApprove} {
			_, err := core.Act(ctx, officer, v.ID, app.ActionRequest{Action: a})
			require.NoError(t, err)
		}
		ids = append(ids, v.ID)
	}
	// The third is returned alone before the batch is signed.
	_, err = core.Act(ctx, chairman, ids[2], app.ActionRequest{Action: domain.ActReturn, Comment: "Bổ sung biên bản"})
	require.NoError(t, err)

	const batch = "DS-2026-0001"
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.BatchWorkflowID(batch), TaskQueue: cfg.TaskQueue},
		workflows.BatchWorkflowName, workflows.BatchInput{ID: batch, Kind: workflows.BatchDecision, Title: "Tặng Bằng khen năm 2025",
			Dossiers: ids, By: officer, CreatedAt: time.Now().UTC()})
	require.NoError(t, err)
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.BatchWorkflowID(batch),
		UpdateName: workflows.UpdateBatchSign, Args: []any{workflows.BatchSign{Actor: chairman}},
		WaitForStage: client.WorkflowUpdateStageCompleted})
	require.NoError(t, err)
	var v workflows.BatchView
	require.NoError(t, h.Get(ctx, &v))
	require.Equal(t, "signed", v.Status)
	require.Regexp(t, `^1/QĐ-UBND$`, v.Number, "the batch's number is the year's first decision number")
	require.ElementsMatch(t, ids[:2], v.Moved)
	require.Len(t, v.Dropped, 1)
	require.Equal(t, ids[2], v.Dropped[0].DossierID)
	require.Contains(t, v.Dropped[0].Reason, "bổ sung", "the reason, in Vietnamese, names the stage")

	for _, id := range ids[:2] {
		d, err := st.GetDossier(ctx, id)
		require.NoError(t, err)
		require.Equal(t, domain.Awarded, d.Stage)
		require.Equal(t, v.Number, d.Decision.Number)
		require.Equal(t, v.Date, d.Decision.Date)
		hist, err := st.History(ctx, id)
		require.NoError(t, err)
		last := hist[len(hist)-1]
		require.Equal(t, domain.ActDecide, last.Action)
		require.Equal(t, batch, last.Details.Batch)
	}
	n, _, err := st.PendingCount(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "every move was written as the API writes")
	next, err := st.NextNumber(ctx, "QĐ-UBND", time.Now().In(domain.Local).Year())
	require.NoError(t, err)
	require.Equal(t, 2, next, "one number for the batch, none for its dossiers")
}
