// Package bench measures what the engine costs over Temporal itself, and how
// its read path holds up under load.
//
// One run of Run drives, on the same Temporal server, first the floor (a
// bare workflow, BenchFloor, that counts K updates) and then the engine (N
// dossiers of BK_UBND_TINH taken through accept, approve and decide over the
// HTTP API), each by C concurrent clients, and reports both side by side with
// their ratios. RunRead seeds the read model with 100,000 dossiers and
// measures the list and inbox endpoints. Nothing here asserts on timings:
// goals are reported MET or NOT MET.
package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"time"
)

// Options of a run.
type Options struct {
	N      int // workflows (floor) and dossiers (engine)
	C      int // concurrent clients
	KFloor int // updates per floor workflow
	// Warmup workflows and dossiers run before each phase, not measured;
	// negative means min(C, N).
	Warmup int
	Logger *slog.Logger
}

// DefaultOptions are those of `tdkt bench`.
func DefaultOptions() Options { return Options{N: 200, C: 32, KFloor: 3, Warmup: -1} }

// PhaseResult is one side of the comparison.
type PhaseResult struct {
	Workflows int `json:"workflows"`
	// Completed counts workflows that completed (floor: with K updates;
	// engine: dossiers awarded).
	Completed int     `json:"completed"`
	Failed    int     `json:"failed"`
	Steps     int     `json:"steps"`
	Seconds   float64 `json:"seconds"`
	// WorkflowsPerSec and StepsPerSec are over the phase's wall time, which
	// includes starting (floor) or submitting (engine) each workflow.
	WorkflowsPerSec float64 `json:"workflows_per_sec"`
	StepsPerSec     float64 `json:"steps_per_sec"`
	Step            Summary `json:"step_latency"`
	// Start is the start of a floor workflow, or the submission of a dossier
	// (POST /api/v1/dossiers), measured apart from the steps.
	Start Summary `json:"start_latency"`
	// ByAction is the engine's step latency per action.
	ByAction map[string]Summary `json:"by_action,omitempty"`
	// CPUPerStep is the CPU each part of a throw-away system used over the
	// measured steps (not the starts or submissions), in ms per step.
	CPUPerStep *CPUSeconds `json:"cpu_ms_per_step,omitempty"`
}

func phaseResult(n, completed, failed int, step, start Summary, elapsed time.Duration) PhaseResult {
	return PhaseResult{Workflows: n, Completed: completed, Failed: failed, Steps: step.Count,
		Seconds: math.Round(elapsed.Seconds()*1000) / 1000, WorkflowsPerSec: rate(completed, elapsed),
		StepsPerSec: rate(step.Count, elapsed), Step: step, Start: start}
}

// Goal is a target reported against, never asserted.
type Goal struct {
	Name   string  `json:"name"`
	Target string  `json:"target"`
	Value  float64 `json:"value"`
	Met    bool    `json:"met"`
}

// Result is what a run prints.
type Result struct {
	Mode     string      `json:"mode"` // "throw-away" or "running system"
	API      string      `json:"api"`
	Temporal string      `json:"temporal"`
	N        int         `json:"n"`
	C        int         `json:"c"`
	KFloor   int         `json:"k_floor"`
	KEngine  int         `json:"k_engine"`
	Warmup   int         `json:"warmup"`
	CPUs     int         `json:"cpus"`
	Go       string      `json:"go"`
	Started  string      `json:"started"`
	Floor    PhaseResult `json:"floor"`
	Engine   PhaseResult `json:"engine"`
	// Ratios are engine / floor.
	Ratios struct {
		StepsPerSec float64 `json:"steps_per_sec"`
		P50         float64 `json:"p50"`
		P99         float64 `json:"p99"`
		// StartP50 is the submission's p50 over the floor start's.
		StartP50 float64 `json:"start_p50"`
	} `json:"ratios"`
	ReadAfterAction ReadAfterAction `json:"read_after_action"`
	Goals           []Goal          `json:"goals"`
}

// Run measures the floor, then the engine, on sys.
func Run(ctx context.Context, sys *System, o Options) (*Result, error) {
	if o.N < 1 || o.C < 1 || o.KFloor < 1 {
		return nil, errors.New("bench: n, c and k-floor must be at least 1")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	log := o.Logger
	warm := o.Warmup
	if warm < 0 {
		warm = min(o.C, o.N)
	}
	run := randomID()
	res := &Result{Mode: "running system", API: sys.APIURL, Temporal: sys.TemporalAddress, N: o.N, C: o.C,
		KFloor: o.KFloor, KEngine: len(enginePath), Warmup: warm, CPUs: runtime.NumCPU(), Go: runtime.Version(),
		Started: time.Now().UTC().Format(time.RFC3339)}
	if sys.Started {
		res.Mode = "throw-away"
	}

	queue := "tdkt-bench-floor-" + run
	w, err := startFloorWorker(sys.Temporal, queue)
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	if warm > 0 {
		log.Info("floor: warm-up", "workflows", warm)
		runFloor(ctx, sys.Temporal, queue, "bench-floor-warm-"+run, warm, o.C, o.KFloor, log, nil)
	}
	log.Info("floor: measuring", "n", o.N, "c", o.C, "k", o.KFloor)
	res.Floor = runFloor(ctx, sys.Temporal, queue, "bench-floor-"+run, o.N, o.C, o.KFloor, log, sys.cpu)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bench interrupted: %w", err)
	}

	api, err := newAPIClient(sys.APIURL, sys.Secret, o.C)
	if err != nil {
		return nil, err
	}
	if warm > 0 {
		log.Info("engine: warm-up", "dossiers", warm)
		runEngine(ctx, api, run, 1_000_000, warm, o.C, log, nil)
	}
	log.Info("engine: measuring", "n", o.N, "c", o.C, "k", len(enginePath))
	res.Engine, res.ReadAfterAction = runEngine(ctx, api, run, 0, o.N, o.C, log, sys.cpu)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bench interrupted: %w", err)
	}

	res.Ratios.StepsPerSec = ratio(res.Engine.StepsPerSec, res.Floor.StepsPerSec)
	res.Ratios.P50 = ratio(res.Engine.Step.P50, res.Floor.Step.P50)
	res.Ratios.P99 = ratio(res.Engine.Step.P99, res.Floor.Step.P99)
	res.Ratios.StartP50 = ratio(res.Engine.Start.P50, res.Floor.Start.P50)
	res.Goals = []Goal{
		{Name: "engine steps/s vs floor", Target: ">= 0.8", Value: res.Ratios.StepsPerSec, Met: res.Ratios.StepsPerSec >= 0.8},
		{Name: "engine step p50 vs floor", Target: "<= 1.5", Value: res.Ratios.P50, Met: res.Ratios.P50 > 0 && res.Ratios.P50 <= 1.5},
		{Name: "submission p50 vs floor start", Target: "<= 3", Value: res.Ratios.StartP50, Met: res.Ratios.StartP50 > 0 && res.Ratios.StartP50 <= 3},
		{Name: "submission p99 ms", Target: "< 1000", Value: res.Engine.Start.P99, Met: res.Engine.Start.Count > 0 && res.Engine.Start.P99 < 1000},
		{Name: "read-after-action delay ms", Target: "= 0", Value: res.ReadAfterAction.WorstDelayMs,
			Met: res.ReadAfterAction.WorstDelayMs == 0 && res.ReadAfterAction.Checks == res.Engine.Steps},
	}
	return res, nil
}
