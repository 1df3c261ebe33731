package worker_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

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

// rollingProbe is the change build v2 brings, behind workflow.GetVersion: a
// dossier that starts on v2 records the marker; one that started on v1 and
// moves to v2 replays its v1 history on v2's code without it.
const rollingProbe = "rolling-deploy-probe"

// dossierV2 is build v2's dossier workflow: the same, with the change.
func dossierV2(ctx workflow.Context, in workflows.DossierInput) (domain.View, error) {
	_ = workflow.GetVersion(ctx, rollingProbe, workflow.DefaultVersion, 1)
	return workflows.Dossier(ctx, in)
}

// A rolling deploy under load: 100 dossiers in flight on build v1 (each
// returned, resubmitted and withdrawn, concurrently); halfway, build v2,
// whose workflow code differs behind GetVersion, starts and becomes current,
// and v1's worker is stopped. Every dossier finishes, each action once, and
// the histories of dossiers that ran on v1 (wholly, or before moving) replay
// on v2's code.
func TestRollingDeployUnderLoad(t *testing.T) {
	cl := devenv.TestCluster(t)
	st := devenv.TestStore(t)
	c, err := client.Dial(client.Options{HostPort: cl.Address, Namespace: cl.Namespace})
	require.NoError(t, err)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	require.NoError(t, worker.RegisterSearchAttributes(ctx, c, cl.Namespace))
	const queue, deployment = "rolling", "tdkt-rolling"
	cfg := config.Defaults()
	cfg.TemporalAddress, cfg.TemporalNamespace, cfg.TaskQueue = cl.Address, cl.Namespace, queue
	cfg.DeploymentName, cfg.BuildID = deployment, "v1"
	v1, err := worker.Start(c, st, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	setCurrent := func(build string) {
		h := c.WorkerDeploymentClient().GetHandle(deployment)
		for {
			if _, err := h.SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{BuildID: build}); err == nil {
				return
			}
			require.NoError(t, ctx.Err())
			time.Sleep(300 * time.Millisecond)
		}
	}
	setCurrent("v1")

	officer := domain.Actor{ID: "o1", Name: "Chuyên viên", Roles: []domain.Role{domain.RoleOfficer}}
	unit := domain.Actor{ID: "u1", Name: "Sở GD&ĐT", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	steps := []domain.Command{
		{Action: domain.ActReturn, Actor: officer, Comment: "thiếu tờ trình"},
		{Action: domain.ActResubmit, Actor: unit},
		{Action: domain.ActWithdraw, Actor: unit, Comment: "rút"},
	}
	const n = 100
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("HS-2026-98%04d", i)
		_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.DossierWorkflowID(ids[i]), TaskQueue: queue},
			workflows.DossierWorkflowName, workflows.DossierInput{ID: ids[i], By: unit, Policy: domain.DefaultPolicy(),
				Submission: domain.Submission{AwardCode: "BK_UBND_TINH", Kind: domain.KindMerit, AchievementPeriod: "2026",
					Nominee: domain.Nominee{Type: domain.Individual, Name: fmt.Sprintf("Lò Văn Triển Khai %d", i)}}})
		require.NoError(t, err)
	}
	// One dossier runs its whole path on v1 first: its history is v1's alone.
	act := func(id string, cmd domain.Command) error {
		for {
			h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.DossierWorkflowID(id),
				UpdateID: id + "-" + string(cmd.Action), UpdateName: workflows.UpdateName(cmd.Action), Args: []any{cmd},
				WaitForStage: client.WorkflowUpdateStageCompleted})
			if err == nil {
				err = h.Get(ctx, nil)
			}
			if err == nil {
				return nil
			}
			if _, refused := workflows.AsRefusal(err); refused || ctx.Err() != nil {
				return fmt.Errorf("%s %s: %w", id, cmd.Action, err)
			}
			time.Sleep(200 * time.Millisecond) // a worker going away: send it again (same update id)
		}
	}
	for _, cmd := range steps {
		require.NoError(t, act(ids[0], cmd))
	}

	// Every other dossier is returned and resubmitted on v1; then all are
	// withdrawn at once, and the deploy happens while those run.
	errs := make(chan error, n)
	run := func(cmds []domain.Command, done *atomic.Int64, spread time.Duration) *sync.WaitGroup {
		var wg sync.WaitGroup
		for i, id := range ids[1:] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Spread over the window, so that the deploy lands among them.
				time.Sleep(spread * time.Duration(i) / time.Duration(len(ids)))
				for _, cmd := range cmds {
					if err := act(id, cmd); err != nil {
						errs <- err
						return
					}
					done.Add(1)
				}
			}()
		}
		return &wg
	}
	var before, during atomic.Int64
	run(steps[:2], &before, 0).Wait()
	// The new build's workers come up beside the old ones (not current yet:
	// no work goes to them), as a rolling deploy starts.
	w2 := sdkworker.New(c, queue, sdkworker.Options{DeploymentOptions: sdkworker.DeploymentOptions{UseVersioning: true,
		Version:                   sdkworker.WorkerDeploymentVersion{DeploymentName: deployment, BuildID: "v2"},
		DefaultVersioningBehavior: workflow.VersioningBehaviorAutoUpgrade}})
	worker.RegisterSealed(w2, st, nil)
	w2.RegisterWorkflowWithOptions(dossierV2, workflow.RegisterOptions{Name: workflows.DossierWorkflowName, DisableAlreadyRegisteredCheck: true})
	require.NoError(t, w2.Start())
	defer w2.Stop()
	wg := run(steps[2:], &during, 4*time.Second)
	for during.Load() < 10 {
		require.NoError(t, ctx.Err())
		time.Sleep(5 * time.Millisecond)
	}
	setCurrent("v2")
	switchedAt := before.Load() + during.Load() + int64(len(steps))
	v1.Stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.False(t, t.Failed())

	// Every dossier withdrawn, with one entry per action, in the read model
	// as in its workflow.
	var onV2 int
	replayer := sdkworker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(dossierV2, workflow.RegisterOptions{Name: workflows.DossierWorkflowName})
	for _, id := range ids {
		v, err := st.GetDossier(ctx, id)
		require.NoError(t, err)
		require.Equal(t, domain.Withdrawn, v.Stage, id)
		h, err := st.History(ctx, id)
		require.NoError(t, err)
		require.Len(t, h, 1+len(steps), "%s: one entry per action", id)
		d, err := c.DescribeWorkflowExecution(ctx, workflows.DossierWorkflowID(id), "")
		require.NoError(t, err)
		if d.GetWorkflowExecutionInfo().GetVersioningInfo().GetDeploymentVersion().GetBuildId() == "v2" {
			onV2++
		}
		// Its history, recorded on v1 (and v2), replays on v2's code.
		hist := c.GetWorkflowHistory(ctx, workflows.DossierWorkflowID(id), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		var events []*historypb.HistoryEvent
		for hist.HasNext() {
			ev, err := hist.Next()
			require.NoError(t, err)
			events = append(events, ev)
		}
		require.NoError(t, replayer.ReplayWorkflowHistory(nil, &historypb.History{Events: events}), "%s replays on v2", id)
	}
	require.Positive(t, onV2, "some dossiers finished on v2")
	t.Logf("rolling deploy: %d dossiers, %d actions; v2 current after %d actions; %d dossiers finished on v2, all replay on v2's code",
		n, n*len(steps), switchedAt, onV2)
}
