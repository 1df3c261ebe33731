package workflows_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"tdkt/workflows"
)

// TestReplayHistories replays histories captured from real runs of every path,
// by every generation of the workflow code kept in testdata/histories/g*,
// against today's code: a change that would break running dossiers fails
// here. Guard a deliberate change with workflow.GetVersion, and never delete
// a generation while a dossier it started may be running.
func TestReplayHistories(t *testing.T) {
	gens, err := filepath.Glob("testdata/histories/g*")
	require.NoError(t, err)
	require.NotEmpty(t, gens, "saved histories missing: run `make histories`")
	var files []string
	for _, g := range gens {
		fs, err := filepath.Glob(filepath.Join(g, "*.json"))
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(fs), 6, "generation %s lacks paths", g)
		files = append(files, fs...)
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.Dossier, workflow.RegisterOptions{Name: workflows.DossierWorkflowName})
			r.RegisterWorkflowWithOptions(workflows.Batch, workflow.RegisterOptions{Name: workflows.BatchWorkflowName})
			r.RegisterWorkflowWithOptions(workflows.CouncilSession, workflow.RegisterOptions{Name: workflows.SessionWorkflowName})
			r.RegisterWorkflowWithOptions(workflows.Reminders, workflow.RegisterOptions{Name: workflows.RemindersWorkflowName})
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}
