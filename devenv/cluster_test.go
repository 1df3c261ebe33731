package devenv

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"tdkt/workflows"
)

// counter is a workflow that counts its updates until told to stop.
func counter(ctx workflow.Context) (int, error) {
	n, done := 0, false
	if err := workflow.SetUpdateHandler(ctx, "add", func(ctx workflow.Context, stop bool) (int, error) {
		n++
		done = stop
		return n, nil
	}); err != nil {
		return 0, err
	}
	err := workflow.Await(ctx, func() bool { return done && workflow.AllHandlersFinished(ctx) })
	return n, err
}

// A real Temporal cluster on PostgreSQL: four service processes from the
// configuration compose runs, several history shards, a namespace with the
// dossier's search attributes; a workflow runs through it, and goes on
// after the history service is SIGKILLed and started again.
func TestClusterRunsAWorkflowAcrossAHistoryRestart(t *testing.T) {
	c := TestCluster(t)
	for _, s := range ClusterServices {
		require.FileExists(t, filepath.Join(c.dir, s+".log"))
	}
	b, err := os.ReadFile(filepath.Join(c.dir, "temporal", "tdkt.yaml"))
	require.NoError(t, err)
	root, err := ModuleRoot()
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(root, "deploy", "temporal", "tdkt.yaml"))
	require.NoError(t, err)
	require.Equal(t, string(want), string(b), "the cluster runs the configuration compose mounts")

	cl, err := client.Dial(client.Options{HostPort: c.Address, Namespace: c.Namespace})
	require.NoError(t, err)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	w := worker.New(cl, "cluster-test", worker.Options{})
	w.RegisterWorkflow(counter)
	require.NoError(t, w.Start())
	defer w.Stop()
	run, err := cl.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "counter-1", TaskQueue: "cluster-test"}, counter)
	require.NoError(t, err)
	add := func(stop bool) int {
		var n int
		for {
			h, err := cl.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: "counter-1", UpdateName: "add",
				UpdateID: time.Now().Format(time.RFC3339Nano), Args: []any{stop}, WaitForStage: client.WorkflowUpdateStageCompleted})
			if err == nil {
				if err = h.Get(ctx, &n); err == nil {
					return n
				}
			}
			require.NoError(t, ctx.Err(), "update: %v", err)
			time.Sleep(200 * time.Millisecond)
		}
	}
	require.Equal(t, 1, add(false))
	require.NoError(t, c.KillService("history"))
	require.NoError(t, c.StartService("history"))
	require.Equal(t, 2, add(false))
	require.Equal(t, 3, add(true))
	var n int
	require.NoError(t, run.Get(ctx, &n))
	require.Equal(t, 3, n)

	// Temporal UI's own server, pointed at the cluster, answers.
	ui, err := StartUI(ctx, UIOptions{Frontend: c.Address, Namespace: c.Namespace, Dir: t.TempDir()})
	require.NoError(t, err)
	defer ui.Stop()
	resp, err := http.Get(ui.URL + "/api/v1/namespaces/" + c.Namespace + "/workflows/counter-1")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Contains(t, string(body), "counter-1")

	sa, err := cl.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: c.Namespace})
	require.NoError(t, err)
	for _, s := range workflows.SearchAttributes {
		require.Contains(t, sa.GetCustomAttributes(), s.Name)
	}
}
