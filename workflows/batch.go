package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"tdkt/activities"
	"tdkt/domain"
)

// A batch (quyết định, tờ trình kèm danh sách) is one decision or proposal
// for many dossiers (DOMAIN.md, "Decisions and proposals in batches"): the
// officer drafts it, the chairman signs it (the officer records a central
// decision), one number is issued for it, and every dossier in it moves on
// exactly once carrying that number, or is dropped with the reason.
//
// Fan-out: the dossiers are moved by activities, each taking a bounded
// chunk of BatchChunk dossiers and sending each dossier's workflow its
// decide or propose as an update whose id is derived from the batch and the
// dossier, so Temporal applies it once however often a retried activity
// sends it. Not child workflows: a dossier already is a workflow, and what
// it needs is one update; a workflow cannot send an update itself, and an
// activity gets the update's answer (moved, or refused and why). A batch of
// 500 is ten activities in its history, far from Temporal's limits, and
// each dossier's history gains one update, as when it is decided alone.
const (
	BatchWorkflowName = "Batch"
	// UpdateBatchEdit changes a draft's title or dossiers.
	UpdateBatchEdit = "edit"
	// UpdateBatchSign signs the batch: a number, then every dossier moves.
	UpdateBatchSign = "sign"
	// UpdateBatchDrop takes a dossier out of a draft: someone acted on it
	// alone (returned, rejected, withdrew, cancelled it).
	UpdateBatchDrop = "drop"
	// MoveBatchActivity moves a chunk of a signed batch's dossiers.
	MoveBatchActivity = "MoveBatchDossiers"
	// BatchChunk is the most dossiers one activity moves.
	BatchChunk = 50
	// BatchMax is the most dossiers a batch holds.
	BatchMax = 1000
	// batchParallel is how many chunks move at once.
	batchParallel = 4
)

// BatchWorkflowID is the workflow id of batch id.
func BatchWorkflowID(id string) string { return "batch-" + id }

// BatchKind is what a batch signs.
type BatchKind string

const (
	// BatchDecision: province awards in decision → awarded, one N/QĐ-UBND.
	BatchDecision BatchKind = "decision"
	// BatchProposal: pm/president awards in decision → central_appraisal,
	// one N/TTr-UBND.
	BatchProposal BatchKind = "proposal"
	// BatchCentralDecision: dossiers in pm_decision or president_decision
	// that one central decision covers, recorded by the officer → awarded.
	BatchCentralDecision BatchKind = "central_decision"
)

// Action is the dossier action a batch of kind k takes.
func (k BatchKind) Action() domain.Action {
	if k == BatchProposal {
		return domain.ActPropose
	}
	return domain.ActDecide
}

// Signer is the role that signs a batch of kind k.
func (k BatchKind) Signer() domain.Role {
	if k == BatchCentralDecision {
		return domain.RoleOfficer
	}
	return domain.RoleChairman
}

// Valid reports whether k is a kind of batch.
func (k BatchKind) Valid() bool {
	return k == BatchDecision || k == BatchProposal || k == BatchCentralDecision
}

// BatchInput starts a batch.
type BatchInput struct {
	ID       string       `json:"id"`
	Kind     BatchKind    `json:"kind"`
	Title    string       `json:"title"`
	Dossiers []string     `json:"dossiers"`
	By       domain.Actor `json:"by"`
	// Number and Date are the central authority's, for central_decision.
	Number    string    `json:"number,omitempty"`
	Date      string    `json:"date,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Seal is the API's signature of the start (BatchMessage).
	Seal string `json:"seal,omitempty"`
}

// BatchDropped is a dossier a signed batch left out, and why.
type BatchDropped struct {
	DossierID string `json:"dossier_id"`
	Reason    string `json:"reason"`
}

// BatchView is a batch as the API shows it.
type BatchView struct {
	ID       string         `json:"id"`
	Kind     BatchKind      `json:"kind"`
	Title    string         `json:"title"`
	Status   string         `json:"status"` // draft, signing, signed
	Version  int64          `json:"version"`
	Dossiers []string       `json:"dossiers"`
	Number   string         `json:"number,omitempty"`
	Date     string         `json:"date,omitempty"`
	Moved    []string       `json:"moved"`
	Dropped  []BatchDropped `json:"dropped"`
	// CreatedBy and SignedBy are who drafted and who signed.
	CreatedBy domain.Actor  `json:"created_by"`
	SignedBy  *domain.Actor `json:"signed_by,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	SignedAt  *time.Time    `json:"signed_at,omitempty"`
}

// BatchEdit changes a draft: a new title, or the whole list of dossiers.
type BatchEdit struct {
	Actor           domain.Actor `json:"actor"`
	Title           *string      `json:"title,omitempty"`
	Dossiers        []string     `json:"dossiers,omitempty"`
	ExpectedVersion int64        `json:"expected_version,omitempty"`
	Seal            string       `json:"seal,omitempty"`
}

// BatchSign signs a batch.
type BatchSign struct {
	Actor           domain.Actor `json:"actor"`
	ExpectedVersion int64        `json:"expected_version,omitempty"`
	Seal            string       `json:"seal,omitempty"`
}

// BatchDrop takes a dossier out of a draft, with the reason.
type BatchDrop struct {
	DossierID string `json:"dossier_id"`
	Reason    string `json:"reason"`
	Seal      string `json:"seal,omitempty"`
}

// BatchMessage is what the API seals for a batch's start or update (name
// "start", UpdateBatchEdit, UpdateBatchSign): the argument as it travels,
// without its seal. A worker holding the keys takes only sealed ones, so a
// batch cannot be signed from Temporal's UI or CLI, around the API's checks.
func BatchMessage(id, name string, arg any) []byte {
	b, _ := json.Marshal(struct {
		Batch string `json:"batch"`
		Name  string `json:"name"`
		Arg   any    `json:"arg"`
	}{id, name, withoutSeal(arg)})
	return b
}

// hasSeal reports whether a start or an update carries the API's seal over
// message; v nil checks nothing. It runs in a validator or a side effect.
//
//workflowcheck:ignore
func hasSeal(v Verifier, message []byte, seal string) bool {
	return v == nil || v.Verify(message, seal)
}

// MoveBatchInput is one chunk of a signed batch to move.
type MoveBatchInput struct {
	Batch    string       `json:"batch"`
	Kind     BatchKind    `json:"kind"`
	Number   string       `json:"number"`
	Date     string       `json:"date"`
	Signer   domain.Actor `json:"signer"`
	Dossiers []string     `json:"dossiers"`
}

// MoveBatchResult is what became of a chunk.
type MoveBatchResult struct {
	Moved   []string       `json:"moved"`
	Dropped []BatchDropped `json:"dropped"`
}

// OpenedBatch is a just-drafted batch: the workflow starts from it, and the
// API writes it when it starts the workflow (as workflows.Opened a dossier).
func OpenedBatch(in BatchInput) BatchView {
	return BatchView{ID: in.ID, Kind: in.Kind, Title: in.Title, Status: "draft", Version: 1,
		Dossiers: slices.Clone(in.Dossiers), Number: in.Number, Date: in.Date, Moved: []string{}, Dropped: []BatchDropped{},
		CreatedBy: in.By, CreatedAt: in.CreatedAt}
}

// Batch is the batch workflow, checking no seal (tests).
func Batch(ctx workflow.Context, in BatchInput) (BatchView, error) { return batch(ctx, in, nil) }

// BatchWith is the batch workflow of a worker holding the API's keys: it
// takes only a start and updates the API sealed. Register it under
// BatchWorkflowName.
func BatchWith(v Verifier) func(workflow.Context, BatchInput) (BatchView, error) {
	return func(ctx workflow.Context, in BatchInput) (BatchView, error) { return batch(ctx, in, v) }
}

func batch(ctx workflow.Context, in BatchInput, verifier Verifier) (BatchView, error) {
	// As a dossier's: the start's seal is checked in a side effect, so a
	// replay never depends on the keys the replaying worker holds.
	var sealed bool
	if err := workflow.SideEffect(ctx, func(workflow.Context) any {
		return hasSeal(verifier, BatchMessage(in.ID, "start", in), in.Seal)
	}).Get(&sealed); err != nil {
		return BatchView{}, err
	}
	if !sealed {
		return BatchView{}, temporal.NewNonRetryableApplicationError(
			"the batch was not drafted through the tdkt API (no valid seal)", "unsealed", nil)
	}
	b := &batchWorkflow{v: OpenedBatch(in), verifier: verifier}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (BatchView, error) { return b.v, nil }); err != nil {
		return BatchView{}, err
	}
	if err := setSealedUpdate(ctx, UpdateBatchEdit, b.sealed, b.edit, b.validateEdit); err != nil {
		return BatchView{}, err
	}
	if err := setSealedUpdate(ctx, UpdateBatchSign, b.sealed, b.sign, b.validateSign); err != nil {
		return BatchView{}, err
	}
	if err := setSealedUpdate(ctx, UpdateBatchDrop, b.sealed, b.drop, b.validateDrop); err != nil {
		return BatchView{}, err
	}
	if err := workflow.Await(ctx, func() bool { return b.v.Status == "signed" && workflow.AllHandlersFinished(ctx) }); err != nil {
		return BatchView{}, err
	}
	return b.v, nil
}

// sealedArg is the argument of a batch's or a session's start or update:
// it carries the API's seal, made over the argument without it.
type sealedArg interface {
	sealOf() string
	unsealed() any
}

func (in BatchInput) sealOf() string { return in.Seal }
func (in BatchInput) unsealed() any  { in.Seal = ""; return in }
func (e BatchEdit) sealOf() string   { return e.Seal }
func (e BatchEdit) unsealed() any    { e.Seal = ""; return e }
func (sg BatchSign) sealOf() string  { return sg.Seal }
func (sg BatchSign) unsealed() any   { sg.Seal = ""; return sg }
func (d BatchDrop) sealOf() string   { return d.Seal }
func (d BatchDrop) unsealed() any    { d.Seal = ""; return d }

// withoutSeal is arg as the API sealed it: without its own seal.
func withoutSeal(arg any) any {
	if a, ok := arg.(sealedArg); ok {
		return a.unsealed()
	}
	return arg
}

// setSealedUpdate registers update name, whose validator takes only an
// argument the API sealed (isSealed), then asks validate. Validators never
// replay: the seals are checked there only.
func setSealedUpdate[T sealedArg, V any](ctx workflow.Context, name string, isSealed func(name string, arg sealedArg) bool,
	handler func(workflow.Context, T) (V, error), validate func(T) error) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name, handler, workflow.UpdateHandlerOptions{
		Validator: func(arg T) error {
			if !isSealed(name, arg) {
				return errUnsealed
			}
			return validate(arg)
		}})
}

// sealed reports whether update name's argument carries the API's seal.
func (b *batchWorkflow) sealed(name string, arg sealedArg) bool {
	return hasSeal(b.verifier, BatchMessage(b.v.ID, name, arg), arg.sealOf())
}

type batchWorkflow struct {
	v        BatchView
	verifier Verifier
}

var errUnsealed = refusal(&domain.Error{Kind: domain.ErrForbidden, Detail: "the update was not issued by the tdkt API (no valid seal)"})

func batchRefusal(kind domain.ErrorKind, format string, args ...any) error {
	return refusal(&domain.Error{Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

// CheckBatchDossiers refuses a list of dossiers a batch cannot hold.
func CheckBatchDossiers(ids []string) error { return checkDossierList("a batch", BatchMax, ids) }

// checkDossierList refuses a list of dossiers that what ("a batch", "an
// agenda") cannot hold: none, more than max, or one twice.
func checkDossierList(what string, max int, ids []string) error {
	if len(ids) == 0 {
		return refusal(domain.Invalid(domain.FieldError{Field: "dossiers", Message: what + " holds at least one dossier"}))
	}
	if len(ids) > max {
		return refusal(domain.Invalid(domain.FieldError{Field: "dossiers", Message: fmt.Sprintf("%s holds at most %d dossiers", what, max)}))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return refusal(domain.Invalid(domain.FieldError{Field: "dossiers", Message: "lists " + id + " twice"}))
		}
		seen[id] = true
	}
	return nil
}

func (b *batchWorkflow) validateEdit(e BatchEdit) error {
	if !e.Actor.Has(domain.RoleOfficer) {
		return batchRefusal(domain.ErrForbidden, "only an officer edits a batch")
	}
	if b.v.Status != "draft" {
		return refusal(&domain.Error{Kind: domain.ErrConflict, Detail: "the batch is " + b.v.Status + "; it can no longer be edited"})
	}
	if e.ExpectedVersion != 0 && e.ExpectedVersion != b.v.Version {
		return batchRefusal(domain.ErrStale, "the batch is at version %d, not %d", b.v.Version, e.ExpectedVersion)
	}
	if e.Title != nil && strings.TrimSpace(*e.Title) == "" {
		return refusal(domain.Invalid(domain.FieldError{Field: "title", Message: "is required"}))
	}
	if e.Dossiers != nil {
		return CheckBatchDossiers(e.Dossiers)
	}
	return nil
}

func (b *batchWorkflow) edit(ctx workflow.Context, e BatchEdit) (BatchView, error) {
	if err := b.validateEdit(e); err != nil {
		return BatchView{}, err
	}
	if e.Title != nil {
		b.v.Title = strings.TrimSpace(*e.Title)
	}
	if e.Dossiers != nil {
		b.v.Dossiers = slices.Clone(e.Dossiers)
	}
	b.v.Version++
	return b.v, nil
}

func (b *batchWorkflow) validateDrop(d BatchDrop) error {
	if b.v.Status != "draft" {
		return refusal(&domain.Error{Kind: domain.ErrConflict, Detail: "the batch is " + b.v.Status + "; it is dropped when signed"})
	}
	if !slices.Contains(b.v.Dossiers, d.DossierID) {
		return batchRefusal(domain.ErrNotFound, "the batch does not hold %s", d.DossierID)
	}
	return nil
}

func (b *batchWorkflow) drop(ctx workflow.Context, d BatchDrop) (BatchView, error) {
	if err := b.validateDrop(d); err != nil {
		return BatchView{}, err
	}
	b.v.Dossiers = slices.DeleteFunc(b.v.Dossiers, func(id string) bool { return id == d.DossierID })
	b.v.Dropped = append(b.v.Dropped, BatchDropped{DossierID: d.DossierID, Reason: d.Reason})
	b.v.Version++
	return b.v, nil
}

func (b *batchWorkflow) validateSign(s BatchSign) error {
	if !s.Actor.Has(b.v.Kind.Signer()) {
		return batchRefusal(domain.ErrForbidden, "a %s batch is signed by the %s", b.v.Kind, b.v.Kind.Signer())
	}
	if b.v.Status != "draft" {
		return refusal(&domain.Error{Kind: domain.ErrConflict, Detail: "the batch is " + b.v.Status + " already"})
	}
	if s.ExpectedVersion != 0 && s.ExpectedVersion != b.v.Version {
		return batchRefusal(domain.ErrStale, "the batch is at version %d, not %d", b.v.Version, s.ExpectedVersion)
	}
	return CheckBatchDossiers(b.v.Dossiers)
}

var batchActivityOptions = workflow.ActivityOptions{
	// A chunk is at most BatchChunk updates, each a few tens of ms; a
	// worker that dies holding one is noticed by its heartbeat.
	StartToCloseTimeout: 10 * time.Minute,
	HeartbeatTimeout:    10 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
}

func (b *batchWorkflow) sign(ctx workflow.Context, s BatchSign) (BatchView, error) {
	if err := b.validateSign(s); err != nil {
		return BatchView{}, err
	}
	// Refuse a second sign or an edit from here on.
	b.v.Status = "signing"
	at := workflow.Now(ctx)
	signer := s.Actor
	b.v.SignedBy = &signer
	if b.v.Kind != BatchCentralDecision {
		kind := activities.DecisionNumber
		if b.v.Kind == BatchProposal {
			kind = activities.ProposalNumber
		}
		actx := workflow.WithActivityOptions(ctx, activityOptions)
		var number string
		err := workflow.ExecuteActivity(actx, activities.IssueNumberActivity, activities.IssueNumberInput{
			DossierID: b.v.ID, Kind: kind, Year: at.In(domain.Local).Year()}).Get(actx, &number)
		if err != nil {
			return BatchView{}, fmt.Errorf("issue the batch's number: %w", err)
		}
		b.v.Number, b.v.Date = number, at.In(domain.Local).Format(time.DateOnly)
	}
	results, err := fanOut[string, MoveBatchResult](ctx, b.v.Dossiers, BatchChunk, batchParallel, MoveBatchActivity, func(chunk []string) any {
		return MoveBatchInput{Batch: b.v.ID, Kind: b.v.Kind, Number: b.v.Number, Date: b.v.Date, Signer: signer, Dossiers: chunk}
	})
	if err != nil {
		// Only a non-retryable failure gets here (a bug): the batch stays
		// signing, and nobody may sign it again (an administrator looks).
		return BatchView{}, fmt.Errorf("move the batch's dossiers: %w", err)
	}
	for _, r := range results {
		b.v.Moved = append(b.v.Moved, r.Moved...)
		b.v.Dropped = append(b.v.Dropped, r.Dropped...)
	}
	b.v.Status = "signed"
	b.v.SignedAt = &at
	b.v.Version++
	return b.v, nil
}

// fanOut runs activity once per chunk of at most size items, at most
// parallel at once, each with the input that in makes of its chunk, and
// gives their results in the chunks' order; the first error, if any. The
// commands it makes (one activity per chunk, started in order as a slot
// frees) are those a batch's sign made before it was shared with the
// council session's close: histories of either replay.
func fanOut[T, R any](ctx workflow.Context, items []T, size, parallel int, activity string, in func([]T) any) ([]R, error) {
	actx := workflow.WithActivityOptions(ctx, batchActivityOptions)
	var chunks [][]T
	for c := range slices.Chunk(items, size) {
		chunks = append(chunks, c)
	}
	results := make([]R, len(chunks))
	sem := workflow.NewSemaphore(ctx, int64(parallel))
	wg := workflow.NewWaitGroup(ctx)
	var firstErr error
	for i, chunk := range chunks {
		if err := sem.Acquire(ctx, 1); err != nil {
			return nil, err
		}
		wg.Add(1)
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer wg.Done()
			defer sem.Release(1)
			if err := workflow.ExecuteActivity(actx, activity, in(chunk)).Get(gctx, &results[i]); err != nil && firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait(ctx)
	return results, firstErr
}
