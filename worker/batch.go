package worker

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"
	sdkworker "go.temporal.io/sdk/worker"

	"tdkt/app"
	"tdkt/workflows"
)

// RegisterFanOut puts on a worker the activities that send many dossiers
// their update: a signed batch's decide or propose, a closed council
// session's results. a sends them as the API acts (Start does this with the
// configured keys).
func RegisterFanOut(w sdkworker.Registry, a *app.Service) {
	w.RegisterActivityWithOptions((&batchMover{app: a}).Move, activity.RegisterOptions{Name: workflows.MoveBatchActivity})
	w.RegisterActivityWithOptions((&sessionApplier{app: a}).Apply, activity.RegisterOptions{Name: workflows.ApplySessionActivity})
}

// batchMover moves a signed batch's dossiers (workflows.MoveBatchActivity).
type batchMover struct {
	app *app.Service
}

// Move moves one chunk, dossier by dossier.
func (m *batchMover) Move(ctx context.Context, in workflows.MoveBatchInput) (workflows.MoveBatchResult, error) {
	return eachDossier(ctx, len(in.Dossiers), func(i int, r *workflows.MoveBatchResult) error {
		id := in.Dossiers[i]
		moved, reason, err := m.app.MoveInBatch(ctx, in.Signer, id, in.Kind, in.Batch, in.Number, in.Date)
		if err != nil {
			return fmt.Errorf("batch %s: move %s: %w", in.Batch, id, err)
		}
		if moved {
			r.Moved = append(r.Moved, id)
		} else {
			r.Dropped = append(r.Dropped, workflows.BatchDropped{DossierID: id, Reason: reason})
		}
		return nil
	})
}

// progress is a chunk's progress, heartbeated, so that an attempt after a
// worker died goes on where the last one was.
type progress[R any] struct {
	Done   int `json:"done"`
	Result R   `json:"result"`
}

// eachDossier runs step for the dossiers of a chunk (n of them) from the
// first one the last attempt's heartbeat does not count as done, and
// heartbeats the progress after each; step adds its dossier's outcome to
// the result.
func eachDossier[R any](ctx context.Context, n int, step func(i int, r *R) error) (R, error) {
	var p progress[R]
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &p)
	}
	for i := p.Done; i < n; i++ {
		// An attempt Temporal gave up on (its heartbeat timed out while a
		// dossier was slow) stops before marking another one: the next
		// attempt does it.
		if err := ctx.Err(); err != nil {
			var none R
			return none, err
		}
		if err := step(i, &p.Result); err != nil {
			var none R
			return none, err
		}
		p.Done = i + 1
		activity.RecordHeartbeat(ctx, p)
	}
	return p.Result, nil
}
