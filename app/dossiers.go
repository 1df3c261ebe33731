package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"tdkt/domain"
	"tdkt/store"
	"tdkt/workflows"
)

// ListFilter is a validated list query.
type ListFilter = store.ListFilter

// DefaultLimit and MaxLimit bound list pages.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Submit creates a dossier for a's unit (nộp hồ sơ). key is the optional
// Idempotency-Key: a repeat by the same unit gives the same dossier, with
// existed true, and creates nothing.
func (s *Service) Submit(ctx context.Context, a domain.Actor, key string, sub domain.Submission) (domain.View, bool, error) {
	if !a.Has(domain.RoleUnit) {
		return domain.View{}, false, refusal(domain.ErrForbidden, "only a unit may submit a dossier")
	}
	if fe := CheckIdempotencyKey(key); fe != nil {
		return domain.View{}, false, invalid(*fe)
	}
	if sub.Procedure == "" {
		sub.Procedure = domain.ProcedureRegular
	}
	if fes := checkSubmissionText(sub); len(fes) > 0 {
		return domain.View{}, false, invalid(fes...)
	}
	if err := domain.ValidateSubmission(sub); err != nil {
		return domain.View{}, false, fromDomain(err, domain.ActSubmit)
	}
	if err := s.checkUnit(ctx, a.Unit); err != nil {
		return domain.View{}, false, err
	}
	// The plan's say (campaigns.go), before an id is taken: a refused
	// submission uses no number. A repeat of a submission already made
	// (its key is known) gets its dossier even after the campaign closed.
	if err := s.admissible(ctx, a.Unit, sub); err != nil {
		repeat := false
		if cs, cerr := s.campaignStore(); cerr == nil && key != "" {
			if repeat, cerr = cs.SubmissionKeyUsed(ctx, a.Unit, key); cerr != nil {
				return domain.View{}, false, failure("read idempotency key", cerr)
			}
		}
		if !repeat {
			return domain.View{}, false, err
		}
	}
	canonical, err := json.Marshal(sub)
	if err != nil {
		return domain.View{}, false, failure("hash submission", err)
	}
	sum := sha256.Sum256(canonical)
	year := s.now().In(domain.Local).Year()
	id, existed, err := s.store.ReserveSubmission(ctx, a.Unit, key, hex.EncodeToString(sum[:]), year)
	if errors.Is(err, store.ErrIdempotencyMismatch) {
		return domain.View{}, false, invalid(domain.FieldError{Field: "Idempotency-Key", Message: "was already used by this unit for a different submission"})
	}
	if err != nil {
		return domain.View{}, false, failure("reserve submission", err)
	}

	if existed {
		v, err := s.repeated(ctx, id)
		if err == nil {
			return s.present(ctx, a, v, new(bool)), true, nil
		}
		if !errors.Is(err, errNotStarted) {
			return domain.View{}, false, err
		}
		// The first attempt never started its workflow: start it now, and
		// answer as a creation, if the plan still takes it (else the
		// reservation is released: nothing is created). Its mark may be
		// gone (the reconciler drops one Temporal never recorded): mark the
		// start again.
		if err := s.admissible(ctx, a.Unit, sub); err != nil {
			if cs, cerr := s.campaignStore(); cerr == nil {
				if rerr := cs.ReleaseSubmission(context.WithoutCancel(ctx), a.Unit, key, id); rerr != nil {
					s.log.WarnContext(ctx, "release a refused submission", "dossier", id, "error", rerr)
				}
			}
			return domain.View{}, false, err
		}
		if err := s.store.MarkPending(ctx, id, store.PendingStart); err != nil {
			return domain.View{}, false, failure("mark the submission pending", err)
		}
		existed = false
	}
	// The dossier's opening is a function of the start's input: the API
	// computes it and writes it into the read model as soon as Temporal has
	// recorded the start, without waiting for a worker to run the
	// workflow's first task (which computes the same, from the same input).
	in := workflows.DossierInput{ID: id, Submission: sub, By: a, Policy: s.policy,
		SubmittedAt: s.now().UTC().Truncate(time.Microsecond)}
	tctx, cancel := temporalCtx(ctx)
	defer cancel()
	_, err = s.temporal.ExecuteWorkflow(tctx, client.StartWorkflowOptions{
		ID:                       workflows.DossierWorkflowID(id),
		TaskQueue:                s.taskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.DossierWorkflowName, s.sealStart(in))
	var dup *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &dup) && !existed {
		// A fresh id Temporal already has: the id sequence is behind
		// Temporal (a read model restored from an older backup without
		// `tdkt reproject`). Never answer with another dossier.
		s.log.ErrorContext(ctx, "a new dossier id is already used in Temporal: run `tdkt reproject` to move the id sequences past what Temporal has", "dossier", id)
		return domain.View{}, false, &Error{Kind: ErrInternal, What: "start the dossier", Err: err,
			Detail: "internal error"}
	}
	if errors.As(err, &dup) {
		// A repeat that raced its first attempt: the recorded start wins.
		v, err := s.repeated(ctx, id)
		if err != nil {
			return domain.View{}, false, err
		}
		return s.present(ctx, a, v, new(bool)), true, nil
	}
	if err != nil {
		// Whether Temporal recorded the start is unknown: the mark stays,
		// and the reconciler projects the dossier if it was.
		return domain.View{}, false, s.updateError(ctx, id, domain.ActSubmit, "submit", err)
	}
	d, first := workflows.Opened(in)
	v := d.View()
	// The write must happen even if the client has gone away meanwhile.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), projectTimeout)
	defer wcancel()
	if err := s.store.ProjectPending(wctx, store.PendingStart, v, []domain.HistoryEntry{first}); err != nil {
		return domain.View{}, false, notYetVisible("submit", err)
	}
	return s.present(ctx, a, v, new(bool)), existed, nil
}

// admissible is the plan's say (campaigns.go), then eligibility's hard
// refusals (eligibility.go): a held nominee, a duplicate proposal.
func (s *Service) admissible(ctx context.Context, unit string, sub domain.Submission) error {
	if err := s.checkCampaign(ctx, sub); err != nil {
		return err
	}
	return s.checkEligibility(ctx, unit, sub)
}

// errNotStarted says a repeated submission's first attempt never started
// its workflow.
var errNotStarted = errors.New("the submission's workflow was never started")

// repeated is the dossier of a repeated submission: from the read model,
// or, when its first attempt did not get to write it there, rebuilt from
// Temporal now; errNotStarted if Temporal has no such workflow.
func (s *Service) repeated(ctx context.Context, id string) (domain.View, error) {
	v, err := s.store.GetDossier(ctx, id)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return domain.View{}, storeError("read dossier", err)
	}
	if s.reconcile == nil {
		return domain.View{}, &Error{Kind: ErrUnavailable, Detail: "the dossier is being recorded; try again shortly"}
	}
	if err := s.reconcile(ctx, id); err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return domain.View{}, errNotStarted
		}
		return domain.View{}, failure("rebuild the dossier from Temporal", err)
	}
	v, err = s.store.GetDossier(ctx, id)
	if err != nil {
		return domain.View{}, storeError("read dossier", err)
	}
	return v, nil
}

// notYetVisible is the answer when Temporal recorded a transition but the
// read model could not be written: the reconciler will write it, and the
// client, which must not be told it is done before every read shows it,
// learns it may look again shortly.
func notYetVisible(what string, err error) *Error {
	return &Error{Kind: ErrUnavailable, Err: err, What: what, Recorded: true,
		Detail: "recorded, but not yet readable: it will appear within seconds; read the dossier again before repeating it"}
}

// present completes a view for a: allowed_actions, and empty arrays rather
// than null. voted is whether a is known to have voted on it; nil asks the
// read model when it matters.
func (s *Service) present(ctx context.Context, a domain.Actor, v domain.View, voted *bool) domain.View {
	return s.presentOn(ctx, a, v, voted, s.openSessionsOf(ctx, []domain.View{v}))
}

// presentOn is present, given the open sessions dossiers are on.
func (s *Service) presentOn(ctx context.Context, a domain.Actor, v domain.View, voted *bool, onSession map[string]string) domain.View {
	hasVoted := false
	switch {
	case voted != nil:
		hasVoted = *voted
	case a.Has(domain.RoleCouncil) && openVote(v):
		ok, err := s.store.HasVoted(ctx, v.ID, a.ID)
		if err != nil {
			// Offer nothing rather than a vote that would be refused.
			s.log.WarnContext(ctx, "has voted", "dossier", v.ID, "error", err)
			ok = true
		}
		hasVoted = ok
	}
	v.AllowedActions = v.AllowedFor(a, hasVoted)
	if v.AllowedActions == nil {
		v.AllowedActions = []domain.Action{}
	}
	if sid := onSession[v.ID]; sid != "" && openVote(v) {
		// On an open session's agenda, it is voted only through it.
		v.CouncilSession = sid
		v.AllowedActions = slices.DeleteFunc(v.AllowedActions, func(x domain.Action) bool {
			return x == domain.ActVote || x == domain.ActWrittenOpinion || x == domain.ActCloseVote
		})
	}
	if v.Documents == nil {
		v.Documents = []domain.Document{}
	}
	if v.MissingDocuments == nil {
		v.MissingDocuments = []domain.DocumentKind{}
	}
	return v
}

// openVote is whether v is in council with its vote not yet closed.
func openVote(v domain.View) bool {
	return v.Stage == domain.Council && v.Votes != nil && v.Votes.Yes == nil
}

// openSessionsOf is the open session each of views in council is on, with
// one read for them all.
func (s *Service) openSessionsOf(ctx context.Context, views []domain.View) map[string]string {
	st, ok := s.store.(sessionStore)
	if !ok {
		return nil
	}
	var ids []string
	for _, v := range views {
		if openVote(v) {
			ids = append(ids, v.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	held, err := st.OpenSessionsOf(ctx, ids, "")
	if err != nil {
		s.log.WarnContext(ctx, "open sessions", "dossiers", len(ids), "error", err)
	}
	return held
}

// catchUpTimeout bounds rebuilding a dossier from Temporal before a read.
const catchUpTimeout = 5 * time.Second

// catchUp makes a read of dossier id show whatever Temporal recorded of it:
// when a transition of it is marked and not yet written, an API is writing
// it now, or died between Temporal's answer and its own write, and the
// client who lost that answer may be reading to find out whether its action
// happened. The dossier is then rebuilt from its Temporal history first
// (the reconciler's path), so the answer is Temporal's. A dossier with no
// mark, nearly every one, costs one indexed lookup. On failure the read
// goes on with what the read model has (the workers' reconcilers will
// write it within seconds).
func (s *Service) catchUp(ctx context.Context, id string) {
	if s.reconcile == nil || !ValidID(id) {
		return
	}
	pending, err := s.store.HasPending(ctx, id)
	if err != nil || !pending {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, catchUpTimeout)
	defer cancel()
	if err := s.reconcile(rctx, id); err != nil {
		s.log.WarnContext(ctx, "catch up with Temporal before a read", "dossier", id, "error", err)
	}
}

// visible reads dossier id and checks a may see it: another unit's dossier
// is "no such dossier", so that its existence does not leak.
func (s *Service) visible(ctx context.Context, a domain.Actor, id string) (domain.View, error) {
	if !ValidID(id) {
		return domain.View{}, refusal(domain.ErrNotFound, "no such dossier")
	}
	v, err := s.store.GetDossier(ctx, id)
	if err != nil {
		return domain.View{}, storeError("read dossier", err)
	}
	if !Visible(a, v.Unit) {
		return domain.View{}, refusal(domain.ErrNotFound, "no such dossier")
	}
	return v, nil
}

func storeError(what string, err error) *Error {
	if errors.Is(err, store.ErrNotFound) {
		return refusal(domain.ErrNotFound, "no such dossier")
	}
	return failure(what, err)
}

// Dossier is one dossier as a sees it, with the actions a may take now.
func (s *Service) Dossier(ctx context.Context, a domain.Actor, id string) (domain.View, error) {
	s.catchUp(ctx, id)
	v, err := s.visible(ctx, a, id)
	if err != nil {
		return domain.View{}, err
	}
	return s.withHold(ctx, s.present(ctx, a, v, nil)), nil
}

// DossierVersion is the stored version of a dossier a may see, without
// working out a's actions (for a conditional GET).
func (s *Service) DossierVersion(ctx context.Context, a domain.Actor, id string) (int64, error) {
	v, err := s.visible(ctx, a, id)
	return v.Version, err
}

// History is a dossier's append-only history, oldest first.
func (s *Service) History(ctx context.Context, a domain.Actor, id string) ([]domain.HistoryEntry, error) {
	s.catchUp(ctx, id)
	v, err := s.visible(ctx, a, id)
	if err != nil {
		return nil, err
	}
	h, err := s.store.History(ctx, v.ID)
	if err != nil {
		return nil, storeError("read history", err)
	}
	if h == nil {
		h = []domain.HistoryEntry{}
	}
	return h, nil
}

// ParseListQuery validates a list query (the API's query string, the
// console's filter form).
func ParseListQuery(q url.Values) (ListFilter, []domain.FieldError) {
	f := ListFilter{Limit: DefaultLimit}
	var fe []domain.FieldError
	bad := func(field, msg string) { fe = append(fe, domain.FieldError{Field: field, Message: msg}) }
	text := func(field string, max int) string {
		v := q.Get(field)
		if !utf8.ValidString(v) {
			bad(field, "must be valid UTF-8")
			return ""
		}
		if e := CheckText(field, v, max); e != nil {
			fe = append(fe, *e)
			return ""
		}
		return strings.TrimSpace(v)
	}
	if v := text("stage", MaxCode); v != "" {
		if !domain.Stage(v).Valid() {
			bad("stage", "unknown stage")
		}
		f.Stage = v
	}
	if v := text("status", MaxCode); v != "" {
		known := false
		for _, st := range domain.Statuses {
			known = known || string(st) == v
		}
		if !known {
			bad("status", "must be one of active, awarded, rejected, withdrawn, cancelled")
		}
		f.Status = v
	}
	if v := text("award", MaxCode); v != "" {
		if _, ok := domain.AwardByCode(v); !ok {
			bad("award", "unknown award code")
		}
		f.Award = v
	}
	f.Unit = text("unit", MaxCode)
	f.Campaign = text("campaign", MaxPeriod)
	f.Q = text("q", MaxName)
	if q.Has("overdue") {
		switch q.Get("overdue") {
		case "true":
			f.Overdue = true
		case "false":
			f.NotOverdue = true
		default:
			bad("overdue", "must be true or false")
		}
	}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > MaxLimit {
			bad("limit", "must be a whole number from 1 to 200")
		} else {
			f.Limit = n
		}
	}
	if c := q.Get("cursor"); c != "" {
		if len(c) > 512 || !utf8.ValidString(c) {
			bad("cursor", "is not a cursor this API gave out")
		} else {
			f.Cursor = c
		}
	}
	return f, fe
}

// List is a page of the dossiers a may see, newest first. A unit-scoped
// caller only ever sees its own unit: a filter naming another unit finds
// nothing.
func (s *Service) List(ctx context.Context, a domain.Actor, f ListFilter) ([]domain.View, string, error) {
	f, none := scopeList(a, f)
	if none {
		return []domain.View{}, "", nil
	}
	views, next, err := s.store.ListDossiers(ctx, f)
	if errors.Is(err, store.ErrBadCursor) {
		return nil, "", badCursor()
	}
	if err != nil {
		return nil, "", storeError("list dossiers", err)
	}
	return s.presentAll(ctx, a, views, nil), next, nil
}

// scopeList narrows f to what a may see; none when that is nothing.
func scopeList(a domain.Actor, f ListFilter) (_ ListFilter, none bool) {
	if UnitScoped(a) {
		if f.Unit != "" && f.Unit != a.Unit {
			return f, true
		}
		f.Unit = a.Unit
	}
	return f, false
}

func badCursor() *Error {
	return invalid(domain.FieldError{Field: "cursor", Message: "is not a cursor this API gave out"})
}

// Inbox is what waits on a, due date first (hộp việc).
func (s *Service) Inbox(ctx context.Context, a domain.Actor, limit int) ([]domain.View, error) {
	if err := checkInboxLimit(limit); err != nil {
		return nil, err
	}
	views, err := s.store.Inbox(ctx, a, limit)
	if err != nil {
		return nil, storeError("inbox", err)
	}
	// The inbox lists a council-stage dossier to a council member only while
	// that member has not voted, so there is nothing to ask the read model;
	// a secretary also sees the ones the member has voted on.
	var voted *bool
	if !a.Has(domain.RoleSecretary) {
		voted = new(bool)
	}
	return s.presentAll(ctx, a, views, voted), nil
}

func checkInboxLimit(limit int) error {
	if limit < 1 || limit > MaxLimit {
		return invalid(domain.FieldError{Field: "limit", Message: "must be a whole number from 1 to 200"})
	}
	return nil
}

// presentAll presents a page of dossiers: the open sessions they are on
// and the holds on their nominees are read once for the page.
func (s *Service) presentAll(ctx context.Context, a domain.Actor, views []domain.View, voted *bool) []domain.View {
	out := make([]domain.View, 0, len(views))
	for _, v := range views {
		if Visible(a, v.Unit) { // belt and braces: never leak another unit's dossier
			out = append(out, v)
		}
	}
	onSession := s.openSessionsOf(ctx, out)
	for i, v := range out {
		out[i] = s.presentOn(ctx, a, v, voted, onSession)
	}
	return s.withHolds(ctx, out)
}

// updateError turns the error of an update of dossier id into a use case
// error: a refusal stays one; a workflow that is gone is "no such dossier",
// or a conflict naming the stage the dossier finished in.
func (s *Service) updateError(ctx context.Context, id string, action domain.Action, what string, err error) *Error {
	var own *Error
	if errors.As(err, &own) {
		return own
	}
	if e, ok := workflows.AsRefusal(err); ok {
		return fromDomain(e, action)
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		v, gerr := s.store.GetDossier(ctx, id)
		if gerr != nil {
			return storeError(what, gerr)
		}
		if v.Stage.Terminal() {
			return &Error{Kind: domain.ErrConflict, Stage: v.Stage, Action: action,
				Detail: fmt.Sprintf("the dossier is %s; no further actions are possible", v.Stage)}
		}
		s.log.ErrorContext(ctx, "dossier workflow missing", "dossier", id, "stage", v.Stage, "error", err)
		return &Error{Kind: domain.ErrConflict, Stage: v.Stage, Action: action,
			Detail: fmt.Sprintf("the dossier (stage %s) is no longer running; ask an administrator", v.Stage)}
	}
	return failure(what, err)
}

// sealStart signs a dossier's start, when the service holds keys.
func (s *Service) sealStart(in workflows.DossierInput) workflows.DossierInput {
	if s.sealer != nil {
		in.Seal = s.sealer.Seal(domain.StartMessage(in.ID, in.Submission, in.By, in.SubmittedAt))
	}
	return in
}
