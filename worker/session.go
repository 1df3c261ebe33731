package worker

import (
	"context"
	"fmt"

	"tdkt/app"
	"tdkt/workflows"
)

// sessionApplier applies a closed council session's results to its
// dossiers (workflows.ApplySessionActivity).
type sessionApplier struct {
	app *app.Service
}

// Apply applies one chunk, dossier by dossier.
func (m *sessionApplier) Apply(ctx context.Context, in workflows.ApplySessionInput) (workflows.ApplySessionResult, error) {
	return eachDossier(ctx, len(in.Items), func(i int, r *workflows.ApplySessionResult) error {
		it := in.Items[i]
		tally, reason, err := m.app.ApplySessionResult(ctx, in.Secretary, it.DossierID, in.Session, it.Tally)
		if err != nil {
			return fmt.Errorf("session %s: apply %s: %w", in.Session, it.DossierID, err)
		}
		if tally != nil {
			r.Applied = append(r.Applied, workflows.SessionApplied{DossierID: it.DossierID, Tally: *tally})
		} else {
			r.Dropped = append(r.Dropped, workflows.BatchDropped{DossierID: it.DossierID, Reason: reason})
		}
		return nil
	})
}
