package bench_test

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"tdkt/bench"
	"tdkt/devenv"
	"tdkt/domain"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

func logger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

func engine(t *testing.T) *bench.System {
	tmp := devenv.TestTemporal(t)
	sys, err := bench.StartEngine(context.Background(), tmp.Address, tmp.Namespace, devenv.TestPostgres(t), logger(t))
	require.NoError(t, err)
	t.Cleanup(sys.Close)
	return sys
}

func finitePositive(t *testing.T, name string, x float64) {
	t.Helper()
	assert.False(t, math.IsNaN(x) || math.IsInf(x, 0), "%s is not finite: %v", name, x)
	assert.Greater(t, x, 0.0, name)
}

// A tiny run: functional facts only, never timings.
func TestBenchTiny(t *testing.T) {
	sys := engine(t)
	o := bench.Options{N: 4, C: 2, KFloor: 3, Warmup: 1, Logger: logger(t)}
	res, err := bench.Run(context.Background(), sys, o)
	require.NoError(t, err)

	assert.Equal(t, 4, res.Floor.Workflows)
	assert.Equal(t, 4, res.Floor.Completed, "every floor workflow completed with K updates")
	assert.Zero(t, res.Floor.Failed)
	assert.Equal(t, 4*3, res.Floor.Steps)
	assert.Equal(t, 4*3, res.Floor.Step.Count)
	assert.Equal(t, 4, res.Floor.Start.Count)

	assert.Equal(t, 4, res.Engine.Workflows)
	assert.Equal(t, 4, res.Engine.Completed, "every dossier awarded")
	assert.Zero(t, res.Engine.Failed)
	assert.Equal(t, 4*3, res.Engine.Steps)
	assert.Equal(t, 4, res.Engine.Start.Count, "every submission measured")
	for _, a := range []string{"accept", "approve", "decide"} {
		assert.Equal(t, 4, res.Engine.ByAction[a].Count, a)
	}
	assert.Equal(t, 4*3, res.ReadAfterAction.Checks, "every action's new stage was seen in the list")

	for name, x := range map[string]float64{
		"floor workflows/s": res.Floor.WorkflowsPerSec, "floor steps/s": res.Floor.StepsPerSec,
		"floor p50": res.Floor.Step.P50, "floor p99": res.Floor.Step.P99,
		"engine workflows/s": res.Engine.WorkflowsPerSec, "engine steps/s": res.Engine.StepsPerSec,
		"engine p50": res.Engine.Step.P50, "engine p99": res.Engine.Step.P99,
		"ratio steps/s": res.Ratios.StepsPerSec, "ratio p50": res.Ratios.P50, "ratio p99": res.Ratios.P99,
		"ratio submission p50": res.Ratios.StartP50,
	} {
		finitePositive(t, name, x)
	}
	var goals []string
	for _, g := range res.Goals {
		goals = append(goals, g.Name)
	}
	require.Equal(t, []string{"engine steps/s vs floor", "engine step p50 vs floor", "submission p50 vs floor start",
		"submission p99 ms", "read-after-action delay ms"}, goals)
	// Over devenv's servers the bench did not start Temporal or PostgreSQL,
	// so it reports no CPU split.
	assert.Nil(t, res.Engine.CPUPerStep)

	var out bytes.Buffer
	res.Print(&out)
	assert.Contains(t, out.String(), "engine/floor")
	require.NoError(t, bench.WriteJSON(&out, res))

	// A tiny batch on the same system (the test Temporal server is shared,
	// so a second system would issue the same dossier ids again).
	br, err := bench.RunBatch(context.Background(), sys, bench.BatchOptions{N: 3, C: 2, Logger: logger(t)})
	require.NoError(t, err)
	assert.Equal(t, 3, br.Moved)
	assert.Zero(t, br.Dropped)
	assert.Equal(t, 3, br.Awarded, "read-your-writes after the sign")
	assert.Regexp(t, `^\d+/QĐ-UBND$`, br.Number)
	finitePositive(t, "sign seconds", br.SignSeconds)
	out.Reset()
	br.Print(&out)
	assert.Contains(t, out.String(), "signing batch")

	// A tiny session on the same system: every member votes, the close
	// applies every tally, half pass and half fail.
	sr, err := bench.RunSession(context.Background(), sys, bench.SessionOptions{N: 4, C: 2, Logger: logger(t)})
	require.NoError(t, err)
	assert.Equal(t, 4, sr.Applied)
	assert.Zero(t, sr.Dropped)
	assert.Equal(t, 4, sr.Moved, "read-your-writes after the close")
	assert.Equal(t, 9, sr.Members)
	finitePositive(t, "close seconds", sr.CloseSeconds)
	out.Reset()
	sr.Print(&out)
	assert.Contains(t, out.String(), "closing:")
}

// The read-path load over a small seed: every query answers, the plans are
// those of the store's own statements.
func TestReadTiny(t *testing.T) {
	sys := engine(t)
	var plans bytes.Buffer
	o := bench.ReadOptions{Dossiers: 2000, C: 2, Requests: 8, Seed: 1, Explain: &plans, Logger: logger(t)}
	res, err := bench.RunRead(context.Background(), sys, o)
	require.NoError(t, err)
	assert.Equal(t, 2000, res.Mix.Total)
	assert.Len(t, res.Mix.Units, 30)
	assert.Len(t, res.Mix.Campaigns, 3)
	assert.Greater(t, len(res.Mix.Stages), 9, "stages seeded: %v", res.Mix.Stages)
	assert.Greater(t, res.Mix.Overdue, 0)
	assert.Greater(t, len(res.Mix.Awards), 10)
	require.NotEmpty(t, res.Queries)
	for _, q := range res.Queries {
		assert.Zero(t, q.Errors, q.Name)
		assert.Equal(t, 8, q.Latency.Count, q.Name)
		if q.Name == "list, no filter" {
			assert.Equal(t, 50, q.Items)
		}
	}
	assert.Contains(t, plans.String(), "ORDER BY created_at DESC")
	assert.Contains(t, plans.String(), "Execution Time")
	_, ok := domain.AwardByCode(bench.EngineAward)
	assert.True(t, ok)

	// A second seed into the same, no longer empty, read model is refused.
	_, err = bench.RunRead(context.Background(), sys, o)
	assert.ErrorContains(t, err, "already holds")
}

// The bench on a Temporal cluster (tdkt bench --cluster): a cluster of its
// own on a PostgreSQL of its own; every floor workflow and every dossier
// completes, and the CPU split counts the cluster's four processes.
func TestBenchTinyOnCluster(t *testing.T) {
	sys, err := bench.StartClusterSystem(context.Background(), logger(t))
	require.NoError(t, err)
	t.Cleanup(sys.Close)
	res, err := bench.Run(context.Background(), sys, bench.Options{N: 4, C: 2, KFloor: 3, Warmup: 1, Logger: logger(t)})
	require.NoError(t, err)
	assert.Equal(t, 4, res.Floor.Completed)
	assert.Equal(t, 4, res.Engine.Completed, "every dossier awarded on the cluster")
	assert.Zero(t, res.Engine.Failed)
	require.NotNil(t, res.Engine.CPUPerStep, "the bench started the cluster, so it measures its CPU")
	assert.Positive(t, res.Engine.CPUPerStep.Temporal)
}
