package workflows

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"tdkt/activities"
	"tdkt/domain"
)

// Dossier is the workflow of one dossier (hồ sơ thi đua, khen thưởng), from
// reception to award, rejection, withdrawal or cancellation.
//
// Every human action is a validated update: the validator asks the domain's
// transition table whether the caller may act now, so a refused action leaves
// no event in history. An accepted action changes the state in the update's
// one workflow task and returns the new view with the history entries it
// wrote (Outcome); the API writes them into the read model before it
// answers, so the caller's next read sees it, and a reconciler in the worker
// (package reconcile) writes from this history whatever an API did not.
// Only what nobody waits for (a deadline passing) is projected by the
// workflow itself, with an activity.
func Dossier(ctx workflow.Context, in DossierInput) (domain.View, error) {
	return dossier(ctx, in, nil)
}

// DossierWith is the dossier workflow of a worker holding the API's keys:
// it takes only starts and commands the API sealed (v nil checks nothing,
// as Dossier). Register it under DossierWorkflowName.
func DossierWith(v Verifier) func(workflow.Context, DossierInput) (domain.View, error) {
	return func(ctx workflow.Context, in DossierInput) (domain.View, error) { return dossier(ctx, in, v) }
}

func dossier(ctx workflow.Context, in DossierInput, v Verifier) (domain.View, error) {
	// Only the API starts a dossier: a start made straight in Temporal (its
	// UI, its CLI) carries no valid seal and ends here, before anything is
	// recorded or projected. The check is a side effect, so a replay never
	// depends on the keys the replaying worker holds.
	if in.State == nil && workflow.GetVersion(ctx, changeSealedCommands, workflow.DefaultVersion, 1) == 1 {
		var sealed bool
		if err := workflow.SideEffect(ctx, func(workflow.Context) any {
			return sealedStart(v, in)
		}).Get(&sealed); err != nil {
			return domain.View{}, err
		}
		if !sealed {
			return domain.View{}, temporal.NewNonRetryableApplicationError(
				"the dossier was not submitted through the tdkt API (no valid seal)", "unsealed", nil)
		}
	}
	w := &dossierWorkflow{in: in, policy: in.Policy, verifier: v}
	if err := w.setup(ctx); err != nil {
		return domain.View{}, err
	}
	return w.run(ctx)
}

type dossierWorkflow struct {
	// verifier checks the API's seals; nil checks nothing.
	verifier Verifier
	in       DossierInput
	policy   domain.Policy
	d        *domain.Dossier
	logger   log.Logger

	// projected is the newest version known to be in the read model.
	projected int64
	// busy is set while an action waits on a number being issued; other
	// actions are refused meanwhile, so none is validated against a state
	// that is about to change.
	busy bool
	// first holds the submission's history entry until it is projected.
	first []domain.HistoryEntry
	// unconfirmed are history entries not yet known to be in the read model.
	unconfirmed []domain.HistoryEntry
	// unconfirmedVoters are members whose vote is not yet known to be in the
	// read model: kept like the entries, so that a projection that fails for
	// good never loses who voted (the inbox and the vote offer read it).
	unconfirmedVoters []string
	timer             *deadlineTimer
	// sa is what the search attributes were last set to.
	sa searchState
}

type deadlineTimer struct {
	at     time.Time
	cancel workflow.CancelFunc
	fired  bool
}

type searchState struct {
	stage   domain.Stage
	overdue bool
	due     time.Time
}

func (w *dossierWorkflow) setup(ctx workflow.Context) error {
	if w.in.State != nil {
		w.d = w.in.State
		w.projected = w.in.Projected
		w.unconfirmed = w.in.Unconfirmed
		w.unconfirmedVoters = w.in.UnconfirmedVoters
	} else if !w.in.SubmittedAt.IsZero() {
		// The API projected this very state when it started the workflow;
		// its due date is the API's calendar's, recorded with the input.
		w.d, _ = Opened(w.in)
	} else {
		d, first := domain.NewDossier(w.in.ID, w.in.Submission, w.in.By, workflow.Now(ctx), w.policy)
		w.d = d
		w.first = []domain.HistoryEntry{first}
	}
	w.logger = log.With(workflow.GetLogger(ctx), "dossier", w.d.ID)
	if w.in.State == nil && w.in.SubmittedAt.IsZero() {
		w.redate(ctx, workflow.Now(ctx))
	}

	if err := workflow.SetQueryHandler(ctx, QueryState, func() (domain.View, error) {
		return w.d.View(), nil
	}); err != nil {
		return fmt.Errorf("query handler: %w", err)
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateSync, w.sync); err != nil {
		return fmt.Errorf("update %s: %w", UpdateSync, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateFlush,
		func(workflow.Context) (domain.View, error) { return w.d.View(), nil },
		workflow.UpdateHandlerOptions{Validator: func() error { return errFlushed }},
	); err != nil {
		return fmt.Errorf("update %s: %w", UpdateFlush, err)
	}
	// Handlers added later (overrule_eligibility, 12/2026) are replay-safe:
	// registering one changes no recorded command.
	actions := append(domain.PublicActions(), domain.ActAttachDocument, domain.ActSessionResult, domain.ActOverruleEligibility)
	for _, a := range actions {
		a := a
		err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateName(a),
			func(ctx workflow.Context, c domain.Command) (Outcome, error) { return w.act(ctx, a, c) },
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, c domain.Command) error {
				// Validators never replay: the seal is checked here only.
				if !sealedCommand(w.verifier, w.d.ID, a, c) {
					return refusal(&domain.Error{Kind: domain.ErrForbidden, Stage: w.d.Stage,
						Detail: "the command was not issued by the tdkt API (no valid seal)"})
				}
				return w.validate(a, c)
			}},
		)
		if err != nil {
			return fmt.Errorf("update %s: %w", a, err)
		}
	}
	w.upsertSearchAttributes(ctx)
	return nil
}

func (w *dossierWorkflow) run(ctx workflow.Context) (domain.View, error) {
	if len(w.first) > 0 {
		v := w.d.View()
		w.project(ctx, v, w.first, "")
		w.first = nil
	}
	for !w.d.Terminal() {
		w.armTimer(ctx)
		seen, t := w.d.Version, w.timer
		if err := workflow.Await(ctx, func() bool {
			return w.d.Version != seen || (t != nil && t.fired) || w.shouldContinueAsNew(ctx)
		}); err != nil {
			return domain.View{}, err
		}
		if t != nil && t.fired && w.timer == t {
			w.timer = nil
			w.onDeadline(ctx)
		}
		if !w.d.Terminal() && w.shouldContinueAsNew(ctx) {
			// Let in-flight actions finish, so none is lost across runs.
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return domain.View{}, err
			}
			w.logger.Info("continuing as new", "version", w.d.Version)
			next := w.in
			next.State, next.Projected, next.Unconfirmed = w.d, w.projected, w.unconfirmed
			next.UnconfirmedVoters = w.unconfirmedVoters
			return domain.View{}, workflow.NewContinueAsNewError(ctx, DossierWorkflowName, next)
		}
	}
	if w.timer != nil {
		w.timer.cancel()
	}
	// Finish projecting whatever is in flight before the run closes.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return domain.View{}, err
	}
	w.logger.Info("dossier finished", "stage", w.d.Stage)
	return w.d.View(), nil
}

func (w *dossierWorkflow) shouldContinueAsNew(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	if info.GetContinueAsNewSuggested() {
		return true
	}
	return w.in.MaxHistoryEvents > 0 && info.GetCurrentHistoryLength() >= w.in.MaxHistoryEvents
}

// validate is every action update's validator: it refuses, with a typed
// error, whatever the transition table does not allow now.
func (w *dossierWorkflow) validate(a domain.Action, c domain.Command) error {
	c.Action = a
	if w.busy {
		return refusal(&domain.Error{Kind: domain.ErrConflict, Stage: w.d.Stage, Detail: "another action on this dossier is being recorded; try again"})
	}
	if err := w.d.Validate(c); err != nil {
		return refusal(err)
	}
	return nil
}

// act carries out an accepted action.
func (w *dossierWorkflow) act(ctx workflow.Context, a domain.Action, c domain.Command) (Outcome, error) {
	c.Action = a
	// Actions recorded before the rules of 12/2026 (completeness, quorum,
	// only the fields a transition takes) replay under the rules they were
	// accepted by; the update validator, which is never replayed, always
	// applies today's.
	if workflow.GetVersion(ctx, changeRules2026, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		c.Legacy = true
	}
	// Another update accepted in the same workflow task may have moved the
	// dossier since this one was validated.
	if err := w.validate(a, c); err != nil {
		return Outcome{}, err
	}
	// A decision or proposal signed in a batch carries the batch's number
	// and date (issued once for the whole batch); one signed alone gets its
	// own.
	if w.d.Stage == domain.Decision && (a == domain.ActDecide || a == domain.ActPropose) && c.Batch == "" {
		// The number's year and the decision's date come from one reading
		// of the clock: across New Year, two readings could disagree.
		// Histories from before kept the second reading, after the number.
		issuedAt := workflow.Now(ctx)
		oneClock := workflow.GetVersion(ctx, changeOneClockForNumbers, workflow.DefaultVersion, 1) == 1
		w.busy = true
		number, err := w.issueNumber(ctx, a, issuedAt)
		w.busy = false
		if err != nil {
			return Outcome{}, err
		}
		c.Number = number
		if !oneClock {
			issuedAt = workflow.Now(ctx)
		}
		c.Date = issuedAt.In(domain.Local).Format(time.DateOnly)
	}
	entries := w.d.Apply(c, workflow.Now(ctx), w.policy)
	w.redate(ctx, workflow.Now(ctx))
	voter := ""
	switch a {
	case domain.ActVote:
		voter = c.Actor.ID
	case domain.ActWrittenOpinion:
		voter = strings.TrimSpace(c.Member)
	}
	w.upsertSearchAttributes(ctx)
	if c.CallerProjects {
		return Outcome{View: w.d.View(), Entries: entries, Voter: voter}, nil
	}
	w.project(ctx, w.d.View(), entries, voter)
	return Outcome{View: w.d.View()}, nil
}

// sync returns the view once the current version is in the read model.
func (w *dossierWorkflow) sync(ctx workflow.Context) (domain.View, error) {
	want := w.d.Version
	if err := workflow.Await(ctx, func() bool { return w.projected >= want }); err != nil {
		return domain.View{}, err
	}
	return w.d.View(), nil
}

// onDeadline handles a due date passing: the public notice ends by itself;
// any other stage is flagged overdue and keeps waiting.
func (w *dossierWorkflow) onDeadline(ctx workflow.Context) {
	now := workflow.Now(ctx)
	if w.d.DueAt == nil || now.Before(*w.d.DueAt) {
		return
	}
	action := domain.ActOverdue
	if w.d.Stage == domain.PublicNotice {
		action = domain.ActNoticeEnd
	} else if w.d.Overdue {
		return
	}
	entries := w.d.Apply(domain.Command{Action: action, Actor: domain.SystemActor}, now, w.policy)
	if len(entries) == 0 {
		return
	}
	w.redate(ctx, now)
	w.logger.Info("deadline passed", "action", action, "stage", w.d.Stage)
	v := w.d.View()
	w.upsertSearchAttributes(ctx)
	w.project(ctx, v, entries, "")
}

// dueDateChange versions where a due date's calendar comes from. Version 1:
// the calendar the worker holds when the dossier enters a stage, read through
// a side effect; before it, the calendar frozen into the dossier's input,
// which histories of that generation replay with.
const dueDateChange = "due-date-from-current-calendar"

// redate recomputes, with the worker's current calendar, the due date of a
// stage the dossier entered at now (domain.Apply computed it with the
// calendar in the input): so a corrected holiday reaches running dossiers.
//
// The calendar is read in a side effect that returns only the due date: the
// date is recorded in history, and a replay takes it from there whatever
// calendar the replaying worker holds. A side effect rather than a local
// activity because reading a calendar held in memory cannot fail or block.
// A due date already set is not moved by a later correction; the next
// stage's is computed with it.
func (w *dossierWorkflow) redate(ctx workflow.Context, now time.Time) {
	if w.d.DueAt == nil || !w.d.EnteredAt.Equal(now) {
		return
	}
	if workflow.GetVersion(ctx, dueDateChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	from, n, inputs := w.d.EnteredAt, w.policy.DueDays(w.d.Stage), *w.d.DueAt
	var due time.Time
	err := workflow.SideEffect(ctx, func(workflow.Context) interface{} {
		if c := calendar.Load(); c != nil {
			return c.AddWorkingDays(from, n)
		}
		return inputs
	}).Get(&due)
	if err != nil {
		// Only a payload that cannot be decoded gets here: keep the input's.
		w.logger.Error("due date from the current calendar", "error", err)
		return
	}
	w.d.DueAt = &due
}

// calendar is the working-day calendar this worker computes due dates with;
// while none is set, a dossier keeps using the calendar in its input.
var calendar atomic.Pointer[domain.Calendar]

// SetCalendar sets the working-day calendar this worker computes due dates
// with (`tdkt worker` sets the configured one at start-up). Dossiers read it
// whenever they enter a stage, so a corrected calendar reaches running
// dossiers at their next stage.
func SetCalendar(c domain.Calendar) { calendar.Store(&c) }

// nextDeadline is when the workflow must wake up by itself: the end of the
// public notice, or the due date of a stage not yet flagged overdue.
func (w *dossierWorkflow) nextDeadline() time.Time {
	if w.d.Terminal() || w.d.DueAt == nil || (w.d.Overdue && w.d.Stage != domain.PublicNotice) {
		return time.Time{}
	}
	return *w.d.DueAt
}

// armTimer keeps one durable timer on the next deadline, replacing it only
// when the deadline moves.
func (w *dossierWorkflow) armTimer(ctx workflow.Context) {
	at := w.nextDeadline()
	if w.timer != nil && w.timer.at.Equal(at) {
		return
	}
	if w.timer != nil {
		w.timer.cancel()
		w.timer = nil
	}
	if at.IsZero() {
		return
	}
	tctx, cancel := workflow.WithCancel(ctx)
	t := &deadlineTimer{at: at, cancel: cancel}
	w.timer = t
	wait := at.Sub(workflow.Now(ctx))
	if wait < time.Second {
		wait = time.Second
	}
	f := workflow.NewTimer(tctx, wait)
	workflow.Go(ctx, func(gctx workflow.Context) {
		if err := f.Get(gctx, nil); err == nil {
			t.fired = true
		}
	})
}

var activityOptions = workflow.ActivityOptions{
	// A projection is one short transaction; a worker that dies holding one
	// is noticed after this long.
	StartToCloseTimeout: 10 * time.Second,
	// The read model must catch up however long the database is away.
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: 500 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second},
}

// project writes a transition into the read model. It runs as an ordinary
// activity, scheduled only once the workflow task that made the transition
// is committed, so the read model never shows what Temporal has not recorded
// (a local activity would write from a task that may still fail to commit).
// It retries without limit while the database is away; the write is
// idempotent. Every call carries all history entries not yet confirmed, so a
// projection that did fail for good is repaired by the next one.
func (w *dossierWorkflow) project(ctx workflow.Context, v domain.View, entries []domain.HistoryEntry, voter string) {
	w.unconfirmed = append(w.unconfirmed, entries...)
	if voter != "" {
		w.unconfirmedVoters = append(w.unconfirmedVoters, voter)
	}
	in := activities.ProjectInput{View: v, Entries: append([]domain.HistoryEntry(nil), w.unconfirmed...), Voter: voter}
	// Earlier voters whose projection failed go out again with this one.
	for _, m := range w.unconfirmedVoters {
		if m != voter {
			in.Voters = append(in.Voters, m)
		}
	}
	sentUpTo := int64(0)
	for _, e := range in.Entries {
		if e.Seq > sentUpTo {
			sentUpTo = e.Seq
		}
	}
	actx := workflow.WithActivityOptions(ctx, activityOptions)
	if err := workflow.ExecuteActivity(actx, activities.ProjectActivity, in).Get(actx, nil); err != nil {
		// Only a non-retryable failure gets here (a bug, not an outage):
		// the entries stay unconfirmed and go out with the next transition.
		w.logger.Error("projection failed", "version", v.Version, "error", err)
		return
	}
	kept := w.unconfirmed[:0]
	for _, e := range w.unconfirmed {
		if e.Seq > sentUpTo {
			kept = append(kept, e)
		}
	}
	w.unconfirmed = kept
	w.unconfirmedVoters = nil
	if v.Version > w.projected {
		w.projected = v.Version
	}
}

// changeSealedCommands marks the check of the API's seal on a start.
const changeSealedCommands = "sealed-commands"

// Verifier checks the API's seals (codec.Sealer).
type Verifier interface {
	Verify(msg []byte, seal string) bool
}

// sealedCommand reports whether c, sent as action a to dossier id, carries
// the API's seal. It runs in an update validator, which never replays, so
// encoding the message here is safe.
//
//workflowcheck:ignore
func sealedCommand(v Verifier, id string, a domain.Action, c domain.Command) bool {
	if v == nil {
		return true
	}
	c.Action = a
	return v.Verify(domain.CommandMessage(id, c), c.Seal)
}

// sealedStart reports whether a start carries the API's seal; it runs in a
// side effect.
//
//workflowcheck:ignore
func sealedStart(v Verifier, in DossierInput) bool {
	return v == nil || v.Verify(domain.StartMessage(in.ID, in.Submission, in.By, in.SubmittedAt), in.Seal)
}

// changeRules2026 marks the rules of 12/2026: the completeness and quorum
// guards and fields a transition does not take.
const changeRules2026 = "rules-2026-12"

// changeOneClockForNumbers marks the change that reads the clock once for a
// number's year and its date.
const changeOneClockForNumbers = "one-clock-for-numbers"

func (w *dossierWorkflow) issueNumber(ctx workflow.Context, a domain.Action, at time.Time) (string, error) {
	kind := activities.DecisionNumber
	if a == domain.ActPropose {
		kind = activities.ProposalNumber
	}
	actx := workflow.WithActivityOptions(ctx, activityOptions)
	in := activities.IssueNumberInput{DossierID: w.d.ID, Kind: kind, Year: at.In(domain.Local).Year()}
	f := workflow.ExecuteActivity(actx, activities.IssueNumberActivity, in)
	var number string
	if err := f.Get(actx, &number); err != nil {
		return "", fmt.Errorf("issue %s number: %w", kind, err)
	}
	return number, nil
}

// upsertSearchAttributes sets what administrators filter on, when it changed.
func (w *dossierWorkflow) upsertSearchAttributes(ctx workflow.Context) {
	now := searchState{stage: w.d.Stage, overdue: w.d.Overdue}
	if w.d.DueAt != nil {
		now.due = *w.d.DueAt
	}
	if now == w.sa {
		return
	}
	updates := []temporal.SearchAttributeUpdate{
		SAStage.ValueSet(string(w.d.Stage)),
		SAUnit.ValueSet(w.d.Unit),
		SAAward.ValueSet(w.d.AwardCode),
		SAAuthority.ValueSet(string(w.d.Authority)),
		SAOverdue.ValueSet(w.d.Overdue),
	}
	if w.d.Campaign != "" {
		updates = append(updates, SACampaign.ValueSet(w.d.Campaign))
	}
	if w.d.DueAt != nil {
		updates = append(updates, SADueAt.ValueSet(*w.d.DueAt))
	} else if !w.sa.due.IsZero() {
		updates = append(updates, SADueAt.ValueUnset())
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		w.logger.Error("search attributes", "error", err)
		return
	}
	w.sa = now
}

// errFlushed is the refusal of every flush (UpdateFlush).
var errFlushed = temporal.NewNonRetryableApplicationError("flushed: this update is always refused", "flushed", nil)

// refusal turns a domain refusal into the application error the API maps to
// a status: its type is the error kind, its detail the domain.Error.
func refusal(e *domain.Error) error {
	return temporal.NewApplicationErrorWithOptions(e.Detail, string(e.Kind), temporal.ApplicationErrorOptions{
		NonRetryable: true, Details: []interface{}{*e},
	})
}

// AsRefusal reports whether err is a refusal from a validator or handler, and
// gives the domain error it carries.
func AsRefusal(err error) (*domain.Error, bool) {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return nil, false
	}
	for _, k := range domain.ErrorKinds {
		if app.Type() == string(k) {
			e := &domain.Error{Kind: k, Detail: app.Message()}
			if app.HasDetails() {
				var d domain.Error
				if app.Details(&d) == nil {
					d.Kind = k
					e = &d
				}
			}
			return e, true
		}
	}
	return nil, false
}
