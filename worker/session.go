package worker

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"tdkt/app"
	"tdkt/workflows"
)

// sessionApplier applies a closed council session's results to its
// dossiers (workflows.ApplySessionActivity).
type sessionApplier struct {
	app *app.Service
}

// sessionProgress is a chunk's progress, heartbeated, so that an attempt
// after a worker died goes on where the last one was.
type sessionProgress struct {
	Done   int                          `json:"done"`
	Result workflows.ApplySessionResult `json:"result"`
}

// Apply applies one chunk, dossier by dossier.
func (m *sessionApplier) Apply(ctx context.Context, in workflows.ApplySessionInput) (workflows.ApplySessionResult, error) {
	var p sessionProgress
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &p)
	}
	for i := p.Done; i < len(in.Items); i++ {
		// An attempt Temporal gave up on (its heartbeat timed out while a
		// dossier was slow) stops before marking another one: the next
		// attempt does it.
		if err := ctx.Err(); err != nil {
			return workflows.ApplySessionResult{}, err
		}
		it := in.Items[i]
		tally, reason, err := m.app.ApplySessionResult(ctx, in.Secretary, it.DossierID, in.Session, it.Tally)
		if err != nil {
			return workflows.ApplySessionResult{}, fmt.Errorf("session %s: apply %s: %w", in.Session, it.DossierID, err)
		}
		if tally != nil {
			p.Result.Applied = append(p.Result.Applied, workflows.SessionApplied{DossierID: it.DossierID, Tally: *tally})
		} else {
			p.Result.Dropped = append(p.Result.Dropped, workflows.BatchDropped{DossierID: it.DossierID, Reason: reason})
		}
		p.Done = i + 1
		activity.RecordHeartbeat(ctx, p)
	}
	return p.Result, nil
}
