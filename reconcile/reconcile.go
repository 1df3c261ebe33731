// Package reconcile writes into the read model what an API did not: a start
// or an action that Temporal recorded while the API that sent it died (or
// lost its database) before writing the outcome.
//
// The API marks every start and action in projection_pending before it
// sends it to Temporal, and clears the mark in the transaction that writes
// the outcome. A mark still there a couple of seconds later means the API
// did not get that far. The reconciler, which runs in every worker, claims
// such marks (FOR UPDATE SKIP LOCKED, with a lease, so that several workers
// share the work), rebuilds the dossier from its Temporal history with the
// same idempotent, version-guarded writes as `tdkt reproject`, and clears
// each mark whose transition it found done:
//
//   - a start, once Temporal has the workflow;
//   - an action, once its update completed (accepted but not completed:
//     the worker is still on it, look again later);
//   - a start or an action Temporal never recorded, once it is older than
//     any API could still be waiting on it (GiveUp), since then it never
//     will be: the API's call ended, a refused update is not recorded, and
//     one Temporal admitted but had not yet delivered (its caller died at
//     that moment) is flushed through first (workflows.UpdateFlush).
//
// This costs Temporal nothing while the APIs are healthy: no workflow task,
// no activity, no query per action.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"tdkt/reproject"
	"tdkt/store"
	"tdkt/workflows"
)

// Defaults.
const (
	// DefaultInterval is how often the reconciler looks for marks.
	DefaultInterval = time.Second
	// DefaultGiveUp is how old a mark of a transition Temporal has not
	// recorded must be before it is dropped: longer than an API waits on
	// Temporal (app.TemporalTimeout), with a margin.
	DefaultGiveUp = 90 * time.Second
	// batch is the most marks claimed at once.
	batch = 50
)

// Reconciler finds and writes what an API did not.
type Reconciler struct {
	Store *store.Store
	// Options reads Temporal: its Client, DataConverter (the worker's, with
	// the payload codec) and Namespace.
	Options  reproject.Options
	Interval time.Duration
	GiveUp   time.Duration
	Logger   *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (r *Reconciler) defaults() {
	if r.Interval <= 0 {
		r.Interval = DefaultInterval
	}
	if r.GiveUp <= 0 {
		r.GiveUp = DefaultGiveUp
	}
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	r.Options.Store = r.Store
	r.Options.Logger = r.Logger
}

// Run reconciles every Interval until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	r.defaults()
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		if _, err := r.Once(ctx); err != nil && ctx.Err() == nil {
			r.Logger.Warn("reconcile", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Report is what one pass did.
type Report struct {
	Claimed, Rebuilt, Cleared int
}

// Once claims the marks whose time has come and deals with each dossier
// once.
func (r *Reconciler) Once(ctx context.Context) (Report, error) {
	r.defaults()
	var rep Report
	marks, err := r.Store.ClaimPending(ctx, batch)
	if err != nil {
		return rep, err
	}
	rep.Claimed = len(marks)
	byDossier := map[string][]store.Pending{}
	var order []string
	for _, m := range marks {
		if _, ok := byDossier[m.DossierID]; !ok {
			order = append(order, m.DossierID)
		}
		byDossier[m.DossierID] = append(byDossier[m.DossierID], m)
	}
	var firstErr error
	for _, id := range order {
		rebuilt, cleared, err := r.dossier(ctx, id, byDossier[id])
		if rebuilt {
			rep.Rebuilt++
		}
		rep.Cleared += cleared
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return rep, firstErr
}

// dossier rebuilds one dossier from Temporal and clears the marks of what
// it found done (or what will never be).
func (r *Reconciler) dossier(ctx context.Context, id string, marks []store.Pending) (rebuilt bool, cleared int, err error) {
	seen, err := reproject.Dossier(ctx, r.Options, id)
	var nf *serviceerror.NotFound
	gone := errors.As(err, &nf)
	if err != nil && !gone {
		return false, 0, err
	}
	// An update whose API died as it sent it may wait, admitted, for the
	// workflow's next task: if a marked update is not in the history yet,
	// flush it through and read the history again.
	if !gone && slices.ContainsFunc(marks, func(m store.Pending) bool {
		return m.Token != store.PendingStart && !seen.Completed[m.Token] && !seen.Accepted[m.Token]
	}) {
		r.flush(ctx, id)
		if seen, err = reproject.Dossier(ctx, r.Options, id); err != nil {
			return true, 0, err
		}
	}
	now := r.Now()
	for _, m := range marks {
		old := now.Sub(m.Since) > r.GiveUp
		done := false
		switch {
		case gone:
			done = old
		case m.Token == store.PendingStart:
			done = seen.Started
		case seen.Completed[m.Token]:
			done = true
		case seen.Accepted[m.Token]:
			done = false // the worker is on it
		default:
			done = old
		}
		if !done {
			continue
		}
		if err := r.Store.ClearPending(ctx, id, m.Token); err != nil {
			return !gone, cleared, err
		}
		cleared++
		r.Logger.Info("reconciled a transition the API did not write", "dossier", id, "mark", m.Token,
			"age", now.Sub(m.Since).Round(time.Millisecond).String(), "recorded", !gone && (m.Token == store.PendingStart || seen.Completed[m.Token]))
	}
	return !gone, cleared, nil
}

// await waits until the update of dossier id is completed, or Temporal does
// not know it (it never arrived, or it was refused), or ctx ends. An update
// still admitted after a moment is flushed through.
func (r *Reconciler) await(ctx context.Context, id, updateID string) {
	poll := func(ctx context.Context) error {
		h := r.Options.Client.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{
			WorkflowID: workflows.DossierWorkflowID(id), UpdateID: updateID})
		var out workflows.Outcome
		return h.Get(ctx, &out)
	}
	pctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	err := poll(pctx)
	cancel()
	if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
		return // done, refused, or unknown to Temporal
	}
	r.flush(ctx, id)
	_ = poll(ctx) // whatever it says, the history is read next
}

// flush sends dossier id's workflow the always-refused flush update, so that
// Temporal runs a workflow task and delivers any update admitted and not yet
// delivered (workflows.UpdateFlush).
func (r *Reconciler) flush(ctx context.Context, id string) {
	fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	h, err := r.Options.Client.UpdateWorkflow(fctx, client.UpdateWorkflowOptions{WorkflowID: workflows.DossierWorkflowID(id),
		UpdateName: workflows.UpdateFlush, WaitForStage: client.WorkflowUpdateStageAccepted})
	if err == nil {
		_ = h.Get(fctx, nil)
	}
}

// Dossier rebuilds one dossier from Temporal now and clears the marks of
// what it found done: the API calls it when a dossier it is about to show
// has a mark (its API may have died after Temporal's answer, and the client
// who lost that answer is reading to find out), and for a repeated
// submission whose first attempt did not write the dossier. A dossier
// Temporal does not have is a *serviceerror.NotFound.
func (r *Reconciler) Dossier(ctx context.Context, id string) error {
	r.defaults()
	marks, err := r.Store.PendingOf(ctx, id)
	if err != nil {
		return err
	}
	// An update its API sent just before it died may still be on its way
	// through Temporal (admitted, not yet completed): wait for it, so that
	// the reader learns what became of it rather than what was so before.
	for _, m := range marks {
		if m.Token != store.PendingStart {
			r.await(ctx, id, m.Token)
		}
	}
	rebuilt, _, err := r.dossier(ctx, id, marks)
	if err == nil && !rebuilt {
		return fmt.Errorf("reconcile %s: %w", id, serviceerror.NewNotFound("no workflow for dossier "+id))
	}
	return err
}
