package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"tdkt/activities"
	"tdkt/domain"
	"tdkt/workflows"
)

// ActionRequest is an action a person takes on a dossier.
type ActionRequest struct {
	Action  domain.Action
	Comment string
	Missing []domain.DocumentKind
	Approve *bool
	Number  string
	Date    string
	// Member is the absent council member of a written opinion.
	Member string
	// IfMatch is the version the person saw; 0 takes the action whatever
	// the version.
	IfMatch int64
}

// maxMissing bounds the missing list of a return.
const maxMissing = 32

func (r ActionRequest) check() []domain.FieldError {
	var fe []domain.FieldError
	if e := CheckText("comment", r.Comment, MaxComment); e != nil {
		fe = append(fe, *e)
	}
	if e := CheckText("number", r.Number, MaxCode); e != nil {
		fe = append(fe, *e)
	}
	if e := CheckText("date", r.Date, MaxCode); e != nil {
		fe = append(fe, *e)
	}
	if e := CheckText("member", r.Member, MaxCode); e != nil {
		fe = append(fe, *e)
	}
	if len(r.Missing) > maxMissing {
		fe = append(fe, domain.FieldError{Field: "missing", Message: "lists too many document kinds"})
	}
	return fe
}

// KnownAction refuses an action name that is not a public action.
func KnownAction(a domain.Action) error {
	if !domain.IsPublicAction(a) {
		return refusal(domain.ErrNotFound, "no such action %q", string(a))
	}
	return nil
}

// Act takes an action on dossier id as a and returns the dossier as it is
// after it, already in the read model. A refusal changes nothing.
func (s *Service) Act(ctx context.Context, a domain.Actor, id string, r ActionRequest) (domain.View, error) {
	if err := KnownAction(r.Action); err != nil {
		return domain.View{}, err
	}
	if fe := r.check(); len(fe) > 0 {
		return domain.View{}, invalid(fe...)
	}
	v, err := s.visible(ctx, a, id)
	if err != nil {
		return domain.View{}, err
	}
	// Someone whose roles never allow the action is refused whatever the
	// stage, even once the dossier has finished and its workflow is closed.
	if !domain.MayEver(a, r.Action) {
		return domain.View{}, &Error{Kind: domain.ErrForbidden, Action: r.Action, Stage: v.Stage,
			Detail: fmt.Sprintf("your roles may not %s a dossier", r.Action)}
	}
	if err := s.onOpenSession(ctx, v.ID, r.Action); err != nil {
		return domain.View{}, err
	}
	// With a roster, an absent member's written opinion is one of its
	// members' (as in a session).
	if member := strings.TrimSpace(r.Member); r.Action == domain.ActWrittenOpinion && member != "" {
		roster, err := s.roster(ctx)
		if err != nil {
			return domain.View{}, err
		}
		if _, ok := onRoster(roster, member); !ok && len(roster) > 0 {
			return domain.View{}, invalid(domain.FieldError{Field: "member", Message: "is not on the council's roster"})
		}
	}
	// A nominee under a discipline-review hold is not decided until it is
	// lifted (eligibility.go).
	if decides(r.Action) {
		if err := s.heldRefusal(ctx, v, r.Action); err != nil {
			return domain.View{}, err
		}
	}
	// The read model never runs ahead of the workflow: a version older than
	// the stored one is stale for sure, and needs no round trip. (Only where
	// the action is otherwise allowed, so that the answer is the workflow's.)
	if r.IfMatch != 0 && r.IfMatch < v.Version && slices.Contains(v.AllowedFor(a, false), r.Action) {
		return domain.View{}, &Error{Kind: domain.ErrStale, Stage: v.Stage, Action: r.Action,
			Detail: fmt.Sprintf("the dossier is at version %d, not %d", v.Version, r.IfMatch)}
	}
	cmd := domain.Command{Action: r.Action, Actor: a, Comment: r.Comment, Missing: r.Missing, Approve: r.Approve,
		Number: strings.TrimSpace(r.Number), Date: strings.TrimSpace(r.Date), Member: strings.TrimSpace(r.Member), ExpectedVersion: r.IfMatch}
	nv, err := s.send(ctx, v.ID, cmd)
	if err != nil {
		return domain.View{}, s.updateError(ctx, v.ID, r.Action, string(r.Action), err)
	}
	switch r.Action {
	case domain.ActReturn, domain.ActReject, domain.ActWithdraw, domain.ActCancel:
		s.dropFromDraft(ctx, v.ID, r.Action, a)
	}
	var voted *bool
	if r.Action == domain.ActVote {
		t := true
		voted = &t
	}
	return s.withHold(ctx, s.present(ctx, a, nv, voted)), nil
}

// NextNumber is the number the chairman's decide (N/QĐ-UBND) or propose
// (N/TTr-UBND) would issue now, for the confirmation page; "" when the read
// model cannot say. Another issue in between takes it first.
func (s *Service) NextNumber(ctx context.Context, a domain.Action) string {
	kind := activities.DecisionNumber
	if a == domain.ActPropose {
		kind = activities.ProposalNumber
	}
	p, ok := s.store.(numberPreview)
	if !ok {
		return ""
	}
	n, err := p.NextNumber(ctx, string(kind), s.now().In(domain.Local).Year())
	if err != nil {
		s.log.WarnContext(ctx, "next number", "kind", kind, "error", err)
		return ""
	}
	return fmt.Sprintf("%d/%s", n, kind)
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// projectTimeout bounds writing an outcome into the read model.
const projectTimeout = 10 * time.Second

// send seals cmd and sends it to dossier id's workflow as the update of its
// action, waiting until Temporal has completed it; then it writes the
// outcome (the view and the history entries the action wrote) into the read
// model, so that the answer, and every read by anyone after it, shows it.
//
// Before sending, it marks the update pending in the read model, under the
// update's id; the projection clears the mark in the same transaction. If
// this process dies in between, the worker's reconciler finds the mark and
// writes the dossier from its Temporal history (package reconcile).
func (s *Service) send(ctx context.Context, id string, cmd domain.Command) (domain.View, error) {
	out, err := s.sendAs(ctx, id, "u-"+rand.Text(), cmd)
	return out.View, err
}

// sendAs is send under a given update id, returning the whole outcome.
// Temporal runs an update id once per workflow run: sent again, it answers
// with the first outcome and ignores the command.
func (s *Service) sendAs(ctx context.Context, id, token string, cmd domain.Command) (workflows.Outcome, error) {
	if err := s.store.MarkPending(ctx, id, token); err != nil {
		return workflows.Outcome{}, failure("mark the action pending", err)
	}
	cmd.CallerProjects = true
	cmd = s.seal(id, cmd)
	tctx, cancel := temporalCtx(ctx)
	defer cancel()
	h, err := s.temporal.UpdateWorkflow(tctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.DossierWorkflowID(id),
		UpdateID:     token,
		UpdateName:   workflows.UpdateName(cmd.Action),
		Args:         []interface{}{cmd},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var out workflows.Outcome
	if err == nil {
		err = h.Get(tctx, &out)
	}
	// The write must happen even if the client has gone away meanwhile.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), projectTimeout)
	defer wcancel()
	if err != nil {
		var nf *serviceerror.NotFound
		if _, refused := workflows.AsRefusal(err); refused || errors.As(err, &nf) {
			// Nothing happened: the mark has nothing to wait for.
			if cerr := s.store.ClearPending(wctx, id, token); cerr != nil {
				s.log.WarnContext(ctx, "clear pending action", "dossier", id, "error", cerr)
			}
		}
		// Otherwise whether Temporal did it is unknown: the mark stays,
		// and the reconciler writes it if it happened.
		return workflows.Outcome{}, err
	}
	if failpointKillAfterUpdate {
		killAfterUpdate(s, id, out.Version)
	}
	var voters []string
	if out.Voter != "" {
		voters = []string{out.Voter}
	}
	if err := s.store.ProjectPending(wctx, token, out.View, out.Entries, voters...); err != nil {
		return workflows.Outcome{}, notYetVisible("project "+string(cmd.Action), err)
	}
	return out, nil
}
