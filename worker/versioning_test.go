package worker_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"tdkt/config"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/worker"
	"tdkt/workflows"
)

// A rolling deploy of versioned workers (TDKT_DEPLOYMENT_NAME, TDKT_BUILD_ID)
// on a real Temporal cluster: a dossier started on build v1 goes on on v2
// once v2 is current and v1's worker stopped (auto-upgrade), while a batch
// started on v1 stays pinned to v1 (it finishes on the code it started on).
func TestRollingDeployOfVersionedWorkers(t *testing.T) {
	cl := devenv.TestCluster(t)
	st := devenv.TestStore(t)
	c, err := client.Dial(client.Options{HostPort: cl.Address, Namespace: cl.Namespace})
	require.NoError(t, err)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	require.NoError(t, worker.RegisterSearchAttributes(ctx, c, cl.Namespace))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := func(build string) *worker.Worker {
		cfg := config.Defaults()
		cfg.TemporalAddress, cfg.TemporalNamespace, cfg.TaskQueue = cl.Address, cl.Namespace, "versioned"
		cfg.DeploymentName, cfg.BuildID = "tdkt", build
		w, err := worker.Start(c, st, cfg, quiet)
		require.NoError(t, err)
		return w
	}
	setCurrent := func(build string) {
		h := c.WorkerDeploymentClient().GetHandle("tdkt")
		for {
			_, err := h.SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{BuildID: build})
			if err == nil {
				return
			}
			require.NoError(t, ctx.Err(), "make %s current: %v", build, err)
			time.Sleep(300 * time.Millisecond)
		}
	}
	describe := func(id string) (build string, behavior enums.VersioningBehavior) {
		d, err := c.DescribeWorkflowExecution(ctx, id, "")
		require.NoError(t, err)
		vi := d.GetWorkflowExecutionInfo().GetVersioningInfo()
		return vi.GetDeploymentVersion().GetBuildId(), vi.GetBehavior()
	}
	officer := domain.Actor{ID: "o1", Name: "Chuyên viên", Roles: []domain.Role{domain.RoleOfficer}}
	unit := domain.Actor{ID: "u1", Name: "Sở GD&ĐT", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	act := func(id string, cmd domain.Command) domain.View {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.DossierWorkflowID(id),
			UpdateName: workflows.UpdateName(cmd.Action), Args: []any{cmd}, WaitForStage: client.WorkflowUpdateStageCompleted})
		require.NoError(t, err)
		var out workflows.Outcome
		require.NoError(t, h.Get(ctx, &out))
		return out.View
	}

	v1 := start("v1")
	setCurrent("v1")
	const id = "HS-2026-990001"
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.DossierWorkflowID(id), TaskQueue: "versioned"},
		workflows.DossierWorkflowName, workflows.DossierInput{ID: id, By: unit, Policy: domain.DefaultPolicy(),
			Submission: domain.Submission{AwardCode: "BK_UBND_TINH", Kind: domain.KindMerit, AchievementPeriod: "2026",
				Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn Phiên Bản"}}})
	require.NoError(t, err)
	require.Equal(t, domain.Supplement, act(id, domain.Command{Action: domain.ActReturn, Actor: officer, Comment: "thiếu tờ trình"}).Stage)
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.BatchWorkflowID("DS-V-1"), TaskQueue: "versioned"},
		workflows.BatchWorkflowName, workflows.BatchInput{ID: "DS-V-1", Kind: workflows.BatchDecision, Title: "Lô thử",
			Dossiers: []string{id}, By: officer, CreatedAt: time.Now().UTC()})
	require.NoError(t, err)
	require.Eventually(t, func() bool { b, _ := describe(workflows.BatchWorkflowID("DS-V-1")); return b == "v1" },
		30*time.Second, 200*time.Millisecond, "the batch ran its first task on v1")

	v2 := start("v2")
	defer v2.Stop()
	setCurrent("v2")
	// The batch, pinned, stays on v1 while v1's worker is up.
	build, behavior := describe(workflows.BatchWorkflowID("DS-V-1"))
	require.Equal(t, "v1", build)
	require.Equal(t, enums.VERSIONING_BEHAVIOR_PINNED, behavior)
	require.NoError(t, c.TerminateWorkflow(ctx, workflows.BatchWorkflowID("DS-V-1"), "", "test over"))
	v1.Stop()

	// The dossier, auto-upgrade, goes on on v2.
	require.Equal(t, domain.Reception, act(id, domain.Command{Action: domain.ActResubmit, Actor: unit}).Stage)
	build, behavior = describe(workflows.DossierWorkflowID(id))
	require.Equal(t, "v2", build)
	require.Equal(t, enums.VERSIONING_BEHAVIOR_AUTO_UPGRADE, behavior)
}
