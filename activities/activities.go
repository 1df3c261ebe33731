package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"tdkt/store"
)

// Activities are the dossier workflow's side effects on the read model.
type Activities struct {
	Store *store.Store
}

// errBadInput is the type of a non-retryable failure: a malformed input is a
// bug in the caller, and retrying it would never succeed.
const errBadInput = "BadInput"

func badInput(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), errBadInput, nil)
}

// Project writes one transition into the read model. It is idempotent: a
// retry, or a projection older than what is stored, changes nothing. A
// database error is returned as is, so Temporal retries it.
func (a *Activities) Project(ctx context.Context, in ProjectInput) error {
	v := in.View
	if v.ID == "" || v.Version <= 0 || v.Stage == "" {
		return badInput("project: incomplete view (id %q, version %d, stage %q)", v.ID, v.Version, v.Stage)
	}
	for _, e := range in.Entries {
		if e.Seq <= 0 || e.Action == "" {
			return badInput("project %s: history entry with seq %d and action %q", v.ID, e.Seq, e.Action)
		}
	}
	logger := activity.GetLogger(ctx)
	if err := a.Store.Project(ctx, v, in.Entries, append(in.Voters, in.Voter)...); err != nil {
		logger.Warn("projection failed; it will be retried", "dossier", v.ID, "version", v.Version, "error", err)
		return fmt.Errorf("project %s v%d: %w", v.ID, v.Version, err)
	}
	logger.Debug("projected", "dossier", v.ID, "version", v.Version, "stage", v.Stage, "entries", len(in.Entries))
	return nil
}

// IssueNumber issues the next decision or proposal number of the year for a
// dossier, as "12/QĐ-UBND" or "3/TTr-UBND". Retried for the same dossier and
// kind, it gives the same number.
func (a *Activities) IssueNumber(ctx context.Context, in IssueNumberInput) (string, error) {
	if in.DossierID == "" {
		return "", badInput("issue number: no dossier id")
	}
	if in.Kind != DecisionNumber && in.Kind != ProposalNumber {
		return "", badInput("issue number for %s: unknown kind %q", in.DossierID, in.Kind)
	}
	if in.Year < 2000 || in.Year > 9999 {
		return "", badInput("issue number for %s: implausible year %d", in.DossierID, in.Year)
	}
	n, err := a.Store.IssueNumber(ctx, in.DossierID, string(in.Kind), in.Year)
	if err != nil {
		activity.GetLogger(ctx).Warn("numbering failed; it will be retried", "dossier", in.DossierID, "kind", in.Kind, "error", err)
		return "", fmt.Errorf("issue %s number for %s: %w", in.Kind, in.DossierID, err)
	}
	number := fmt.Sprintf("%d/%s", n, in.Kind)
	activity.GetLogger(ctx).Info("number issued", "dossier", in.DossierID, "number", number, "year", in.Year)
	return number, nil
}
