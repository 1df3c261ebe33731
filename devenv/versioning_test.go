package devenv

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The cluster runs Worker Versioning with deployments (issue 15's rolling
// deploy): a workflow started on build v1 of a deployment, auto-upgrade,
// goes on on build v2 once v2 is the current version and v1's worker is
// stopped. What a rolling deploy of tdkt's workers needs from the server.
func TestClusterWorkerVersioningMovesAutoUpgradeWorkflows(t *testing.T) {
	c := TestCluster(t)
	cl, err := client.Dial(client.Options{HostPort: c.Address, Namespace: c.Namespace})
	require.NoError(t, err)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	const deployment, queue = "tdkt-versioning-test", "versioning-test"
	start := func(build string) worker.Worker {
		w := worker.New(cl, queue, worker.Options{DeploymentOptions: worker.DeploymentOptions{
			UseVersioning: true, Version: worker.WorkerDeploymentVersion{DeploymentName: deployment, BuildID: build},
			DefaultVersioningBehavior: workflow.VersioningBehaviorAutoUpgrade}})
		w.RegisterWorkflowWithOptions(counter, workflow.RegisterOptions{Name: "counter"})
		require.NoError(t, w.Start())
		return w
	}
	setCurrent := func(build string) {
		h := cl.WorkerDeploymentClient().GetHandle(deployment)
		for {
			_, err := h.SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{BuildID: build})
			if err == nil {
				return
			}
			// The server learns of a version from its workers' polls.
			require.NoError(t, ctx.Err(), "set current version %s: %v", build, err)
			time.Sleep(300 * time.Millisecond)
		}
	}
	v1 := start("v1")
	setCurrent("v1")
	run, err := cl.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "versioned-1", TaskQueue: queue}, "counter")
	require.NoError(t, err)
	add := func(stop bool) int {
		h, err := cl.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: "versioned-1", UpdateName: "add",
			Args: []any{stop}, WaitForStage: client.WorkflowUpdateStageCompleted})
		require.NoError(t, err)
		var n int
		require.NoError(t, h.Get(ctx, &n))
		return n
	}
	require.Equal(t, 1, add(false))

	v2 := start("v2")
	defer v2.Stop()
	setCurrent("v2")
	v1.Stop()
	require.Equal(t, 2, add(true), "the workflow went on on v2")
	var n int
	require.NoError(t, run.Get(ctx, &n))
	require.Equal(t, 2, n)
	d, err := cl.DescribeWorkflowExecution(ctx, "versioned-1", "")
	require.NoError(t, err)
	require.Equal(t, "v2", d.GetWorkflowExecutionInfo().GetVersioningInfo().GetDeploymentVersion().GetBuildId(), "the last task ran on v2")
}
