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

// batchProgress is a chunk's progress, heartbeated, so that an attempt after
// a worker died goes on where the last one was.
type batchProgress struct {
	Done   int                       `json:"done"`
	Result workflows.MoveBatchResult `json:"result"`
}

// Move moves one chunk, dossier by dossier.
func (m *batchMover) Move(ctx context.Context, in workflows.MoveBatchInput) (workflows.MoveBatchResult, error) {
	var p batchProgress
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &p)
	}
	for i := p.Done; i < len(in.Dossiers); i++ {
		// An attempt Temporal gave up on (its heartbeat timed out while a
		// dossier was slow) stops before marking another one: the next
		// attempt does it.
		if err := ctx.Err(); err != nil {
			return workflows.MoveBatchResult{}, err
		}
		id := in.Dossiers[i]
		moved, reason, err := m.app.MoveInBatch(ctx, in.Signer, id, in.Kind, in.Batch, in.Number, in.Date)
		if err != nil {
			return workflows.MoveBatchResult{}, fmt.Errorf("batch %s: move %s: %w", in.Batch, id, err)
		}
		if moved {
			p.Result.Moved = append(p.Result.Moved, id)
		} else {
			p.Result.Dropped = append(p.Result.Dropped, workflows.BatchDropped{DossierID: id, Reason: reason})
		}
		p.Done = i + 1
		activity.RecordHeartbeat(ctx, p)
	}
	return p.Result, nil
}
