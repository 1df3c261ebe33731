package bench

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const (
	// FloorWorkflowName is the registered name of the floor workflow.
	FloorWorkflowName = "BenchFloor"
	// FloorUpdate is the floor's one update.
	FloorUpdate = "step"
)

// BenchFloor is the floor: the least a workflow driven by updates can cost on
// this Temporal server. Its one update handler does nothing but count; it
// completes after k updates.
func BenchFloor(ctx workflow.Context, k int) (int, error) {
	count := 0
	if err := workflow.SetUpdateHandler(ctx, FloorUpdate, func(ctx workflow.Context) (int, error) {
		count++
		return count, nil
	}); err != nil {
		return 0, fmt.Errorf("update %s: %w", FloorUpdate, err)
	}
	if err := workflow.Await(ctx, func() bool { return count >= k }); err != nil {
		return count, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return count, err
	}
	return count, nil
}

// startFloorWorker runs the floor workflow on its own task queue, with the
// same worker options as the engine's worker (the defaults).
func startFloorWorker(c client.Client, taskQueue string) (sdkworker.Worker, error) {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(BenchFloor, workflow.RegisterOptions{Name: FloorWorkflowName})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start floor worker on %s: %w", taskQueue, err)
	}
	return w, nil
}

// runFloor drives n floor workflows with c concurrent clients: each client
// starts a workflow, then sends it k updates in sequence, each waiting for
// the update to complete. ids are prefix-<i>.
func runFloor(ctx context.Context, tc client.Client, taskQueue, prefix string, n, c, k int, logger *slog.Logger, cpu *cpuMeter) PhaseResult {
	var (
		steps, starts Latencies
		failed        atomic.Int64
		firstErr      sync.Once
	)
	fail := func(err error) {
		failed.Add(1)
		firstErr.Do(func() { logger.Warn("floor workflow failed", "error", err) })
	}
	// As the engine: first the starts (each timed), then, timed as a whole,
	// the k steps of every workflow.
	started := make([]bool, n+1) // pool counts from 1
	pool(ctx, n, c, func(i int) {
		id := fmt.Sprintf("%s-%d", prefix, i)
		t0 := time.Now()
		if _, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue},
			FloorWorkflowName, k); err != nil {
			fail(fmt.Errorf("start %s: %w", id, err))
			return
		}
		starts.Add(time.Since(t0))
		started[i] = true
	})
	began, cpu0 := time.Now(), cpu.read()
	pool(ctx, n, c, func(i int) {
		if !started[i] {
			return
		}
		id := fmt.Sprintf("%s-%d", prefix, i)
		for j := 1; j <= k; j++ {
			t1 := time.Now()
			var got int
			h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: FloorUpdate,
				WaitForStage: client.WorkflowUpdateStageCompleted})
			if err == nil {
				err = h.Get(ctx, &got)
			}
			if err != nil {
				fail(fmt.Errorf("update %d of %s: %w", j, id, err))
				break
			}
			steps.Add(time.Since(t1))
		}
	})
	elapsed, used := time.Since(began), cpu.read().sub(cpu0)

	// Outside the measured time: did every workflow complete with k updates?
	completed := 0
	var mu sync.Mutex
	pool(ctx, n, c, func(i int) {
		id := fmt.Sprintf("%s-%d", prefix, i)
		gctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		var got int
		err := tc.GetWorkflow(gctx, id, "").Get(gctx, &got)
		cancel()
		if err == nil && got == k {
			mu.Lock()
			completed++
			mu.Unlock()
		}
	})
	p := phaseResult(n, completed, int(failed.Load()), steps.Summary(), starts.Summary(), elapsed)
	if cpu != nil {
		per := used.perStep(p.Steps)
		p.CPUPerStep = &per
	}
	return p
}
