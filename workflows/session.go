package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"tdkt/domain"
)

// A council session (phiên họp Hội đồng) votes on a whole agenda of
// dossiers in stage council with one secret ballot per member (DOMAIN.md,
// "Council sessions"): the secretary opens it with an agenda, members cast
// their ballots (yes, no or abstain per dossier), the secretary records the
// written opinions of absent members, and closes it once two thirds of the
// members have cast one. Closing applies each dossier's tally to it exactly
// once: passed → decision, failed → rejected.
//
// Secrecy: a ballot travels as an update whose payload the codec encrypts,
// so Temporal's history shows who cast a ballot, never how. The workflow
// keeps the running counts in memory only; its query and every update's
// answer show how many ballots were cast and by whom, and the tallies only
// once the session closed.
//
// Fan-out, as a batch: activities of SessionChunk dossiers each send every
// dossier's workflow its session_result as an update whose id is derived
// from the session and the dossier, so Temporal applies it once however
// often a retried activity sends it. Not child workflows: each dossier
// already is a workflow and needs exactly one update. A session of 300
// dossiers and 15 members is 15 ballots and 6 activities in its history.
const (
	SessionWorkflowName = "CouncilSession"
	// UpdateSessionAgenda adds dossiers to or removes them from the agenda.
	UpdateSessionAgenda = "agenda"
	// UpdateSessionBallot is a member's ballot.
	UpdateSessionBallot = "ballot"
	// UpdateSessionOpinion is an absent member's written opinion, recorded
	// by the secretary; it counts as that member's ballot.
	UpdateSessionOpinion = "written_opinion"
	// UpdateSessionClose closes the session and applies its tallies.
	UpdateSessionClose = "close"
	// ApplySessionActivity applies a chunk of a closed session's tallies.
	ApplySessionActivity = "ApplySessionTallies"
	// SessionChunk is the most dossiers one activity applies.
	SessionChunk = 50
	// SessionMax is the most dossiers an agenda holds.
	SessionMax = 500
	// sessionParallel is how many chunks are applied at once.
	sessionParallel = 4
)

// SessionWorkflowID is the workflow id of session id.
func SessionWorkflowID(id string) string { return "session-" + id }

// Ballot choices, per dossier.
const (
	ChoiceYes     = "yes"
	ChoiceNo      = "no"
	ChoiceAbstain = "abstain"
)

// Session statuses.
const (
	SessionOpen    = "open"
	SessionClosing = "closing"
	SessionClosed  = "closed"
)

// AgendaItem is one dossier on a session's agenda.
type AgendaItem struct {
	DossierID   string `json:"dossier_id"`
	AwardCode   string `json:"award_code"`
	NomineeName string `json:"nominee_name"`
	// Tally is the dossier's result, once the session closed; null before.
	Tally *SessionTally `json:"tally"`
	// Applied says the tally moved the dossier on; Dropped, why it did not
	// (it had left stage council, say).
	Applied bool   `json:"applied,omitempty"`
	Dropped string `json:"dropped,omitempty"`
}

// SessionTally is one dossier's result in a closed session.
type SessionTally struct {
	Yes     int  `json:"yes"`
	No      int  `json:"no"`
	Abstain int  `json:"abstain"`
	Needed  int  `json:"needed"`
	Passed  bool `json:"passed"`
}

// Attendee is a member who cast a ballot (Written: by written opinion,
// recorded by the secretary).
type Attendee struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Written bool   `json:"written,omitempty"`
}

// SessionInput opens a session.
type SessionInput struct {
	ID     string       `json:"id"`
	Title  string       `json:"title"`
	Date   string       `json:"date"`
	Agenda []AgendaItem `json:"agenda"`
	// Members is the council's size; Quorum, how many ballots a close needs.
	Members   int          `json:"members"`
	Quorum    int          `json:"quorum"`
	By        domain.Actor `json:"by"`
	CreatedAt time.Time    `json:"created_at"`
	Seal      string       `json:"seal,omitempty"`
}

// SessionView is a session as the API shows it.
type SessionView struct {
	ID          string        `json:"id"`
	Title       string        `json:"title"`
	Date        string        `json:"date"`
	Status      string        `json:"status"`
	Version     int64         `json:"version"`
	Members     int           `json:"members"`
	Quorum      int           `json:"quorum"`
	BallotsCast int           `json:"ballots_cast"`
	Attendance  []Attendee    `json:"attendance"`
	Agenda      []AgendaItem  `json:"agenda"`
	CreatedBy   domain.Actor  `json:"created_by"`
	ClosedBy    *domain.Actor `json:"closed_by,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	ClosedAt    *time.Time    `json:"closed_at,omitempty"`
}

// HasCast reports whether member id has cast a ballot (or had a written
// opinion recorded).
func (v SessionView) HasCast(id string) bool {
	return slices.ContainsFunc(v.Attendance, func(a Attendee) bool { return a.ID == id })
}

// Dossiers are the ids on the agenda.
func (v SessionView) Dossiers() []string {
	out := make([]string, len(v.Agenda))
	for i, it := range v.Agenda {
		out[i] = it.DossierID
	}
	return out
}

// SessionAgenda changes an open session's agenda before any ballot.
type SessionAgenda struct {
	Actor  domain.Actor `json:"actor"`
	Add    []AgendaItem `json:"add,omitempty"`
	Remove []string     `json:"remove,omitempty"`
	Seal   string       `json:"seal,omitempty"`
}

// SessionBallot is a member's ballot, or (UpdateSessionOpinion) an absent
// member's written opinion recorded by the secretary: a choice for every
// dossier on the agenda.
type SessionBallot struct {
	Actor domain.Actor `json:"actor"`
	// Member is who the ballot is of: the actor, or the absent member.
	Member     string   `json:"member"`
	MemberName string   `json:"member_name,omitempty"`
	Choices    []Choice `json:"choices"`
	Comment    string   `json:"comment,omitempty"`
	Seal       string   `json:"seal,omitempty"`
}

// Choice is a ballot's choice on one dossier. A ballot travels as a list
// (the API's map, in the agenda's order), so that the workflow never
// ranges over a map.
type Choice struct {
	DossierID string `json:"dossier_id"`
	Choice    string `json:"choice"`
}

// choiceOf is the choice a ballot makes on dossier id, or "".
func choiceOf(choices []Choice, id string) string {
	for _, c := range choices {
		if c.DossierID == id {
			return c.Choice
		}
	}
	return ""
}

// SessionClose closes a session.
type SessionClose struct {
	Actor domain.Actor `json:"actor"`
	Seal  string       `json:"seal,omitempty"`
}

func (in SessionInput) sealOf() string { return in.Seal }
func (in SessionInput) unsealed() any  { in.Seal = ""; return in }
func (a SessionAgenda) sealOf() string { return a.Seal }
func (a SessionAgenda) unsealed() any  { a.Seal = ""; return a }
func (b SessionBallot) sealOf() string { return b.Seal }
func (b SessionBallot) unsealed() any  { b.Seal = ""; return b }
func (c SessionClose) sealOf() string  { return c.Seal }
func (c SessionClose) unsealed() any   { c.Seal = ""; return c }

// SessionMessage is what the API seals for a session's start or update.
func SessionMessage(id, name string, arg any) []byte {
	b, _ := json.Marshal(struct {
		Session string `json:"session"`
		Name    string `json:"name"`
		Arg     any    `json:"arg"`
	}{id, name, withoutSeal(arg)})
	return b
}

// ApplySessionInput is one chunk of a closed session's results to apply.
type ApplySessionInput struct {
	Session   string        `json:"session"`
	Secretary domain.Actor  `json:"secretary"`
	Items     []SessionItem `json:"items"`
}

// SessionItem is one dossier's counts, as the session sends them.
type SessionItem struct {
	DossierID string       `json:"dossier_id"`
	Tally     domain.Tally `json:"tally"`
}

// SessionApplied is one dossier a session's result moved on, with the
// tally the dossier recorded.
type SessionApplied struct {
	DossierID string       `json:"dossier_id"`
	Tally     domain.Tally `json:"tally"`
}

// ApplySessionResult is what became of a chunk.
type ApplySessionResult struct {
	Applied []SessionApplied `json:"applied"`
	Dropped []BatchDropped   `json:"dropped"`
}

// OpenedSession is a just-opened session: the workflow starts from it, and
// the API writes it when it starts the workflow.
func OpenedSession(in SessionInput) SessionView {
	agenda := slices.Clone(in.Agenda)
	for i := range agenda {
		agenda[i].Tally, agenda[i].Applied, agenda[i].Dropped = nil, false, ""
	}
	return SessionView{ID: in.ID, Title: in.Title, Date: in.Date, Status: SessionOpen, Version: 1,
		Members: in.Members, Quorum: in.Quorum, Attendance: []Attendee{}, Agenda: agenda,
		CreatedBy: in.By, CreatedAt: in.CreatedAt}
}

// CouncilSession is the session workflow, checking no seal (tests).
func CouncilSession(ctx workflow.Context, in SessionInput) (SessionView, error) {
	return councilSession(ctx, in, nil)
}

// CouncilSessionWith is the session workflow of a worker holding the API's
// keys: it takes only a start and updates the API sealed. Register it under
// SessionWorkflowName.
func CouncilSessionWith(v Verifier) func(workflow.Context, SessionInput) (SessionView, error) {
	return func(ctx workflow.Context, in SessionInput) (SessionView, error) { return councilSession(ctx, in, v) }
}

// counts are one dossier's running counts, never shown while open.
type counts struct{ yes, no, abstain int }

type sessionWorkflow struct {
	v        SessionView
	counts   []counts // by agenda position
	verifier Verifier
}

func councilSession(ctx workflow.Context, in SessionInput, verifier Verifier) (SessionView, error) {
	var sealed bool
	if err := workflow.SideEffect(ctx, func(workflow.Context) any {
		return hasSeal(verifier, SessionMessage(in.ID, "start", in), in.Seal)
	}).Get(&sealed); err != nil {
		return SessionView{}, err
	}
	if !sealed {
		return SessionView{}, temporal.NewNonRetryableApplicationError(
			"the session was not opened through the tdkt API (no valid seal)", "unsealed", nil)
	}
	s := &sessionWorkflow{v: OpenedSession(in), verifier: verifier}
	s.counts = make([]counts, len(s.v.Agenda))
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (SessionView, error) { return s.v, nil }); err != nil {
		return SessionView{}, err
	}
	if err := setSealedUpdate(ctx, UpdateSessionAgenda, s.sealed, s.agenda, s.validateAgenda); err != nil {
		return SessionView{}, err
	}
	if err := setSealedUpdate(ctx, UpdateSessionBallot, s.sealed, s.ballot, s.validateBallot); err != nil {
		return SessionView{}, err
	}
	if err := setSealedUpdate(ctx, UpdateSessionOpinion, s.sealed, s.opinion, s.validateOpinion); err != nil {
		return SessionView{}, err
	}
	if err := setSealedUpdate(ctx, UpdateSessionClose, s.sealed, s.close, s.validateClose); err != nil {
		return SessionView{}, err
	}
	if err := workflow.Await(ctx, func() bool { return s.v.Status == SessionClosed && workflow.AllHandlersFinished(ctx) }); err != nil {
		return SessionView{}, err
	}
	return s.v, nil
}

// sealed reports whether update name's argument carries the API's seal.
func (s *sessionWorkflow) sealed(name string, arg sealedArg) bool {
	return hasSeal(s.verifier, SessionMessage(s.v.ID, name, arg), arg.sealOf())
}

func (s *sessionWorkflow) open() error {
	if s.v.Status != SessionOpen {
		return refusal(&domain.Error{Kind: domain.ErrConflict, Detail: "the session is " + s.v.Status})
	}
	return nil
}

// CheckAgenda refuses a list of dossiers an agenda cannot hold.
func CheckAgenda(ids []string) error { return checkDossierList("an agenda", SessionMax, ids) }

// changedAgenda is the agenda after a: the removed dossiers left out, the
// added ones appended.
func (s *sessionWorkflow) changedAgenda(a SessionAgenda) []AgendaItem {
	out := slices.DeleteFunc(slices.Clone(s.v.Agenda), func(it AgendaItem) bool { return slices.Contains(a.Remove, it.DossierID) })
	return append(out, a.Add...)
}

func (s *sessionWorkflow) validateAgenda(a SessionAgenda) error {
	if !a.Actor.Has(domain.RoleSecretary) {
		return batchRefusal(domain.ErrForbidden, "only the council's secretary changes a session's agenda")
	}
	if err := s.open(); err != nil {
		return err
	}
	if s.v.BallotsCast > 0 {
		return batchRefusal(domain.ErrConflict, "%d ballot(s) have been cast; the agenda can no longer change", s.v.BallotsCast)
	}
	for _, id := range a.Remove {
		if !slices.ContainsFunc(s.v.Agenda, func(it AgendaItem) bool { return it.DossierID == id }) {
			return refusal(domain.Invalid(domain.FieldError{Field: "remove", Message: id + " is not on the agenda"}))
		}
	}
	agenda := s.changedAgenda(a)
	ids := make([]string, len(agenda))
	for i, it := range agenda {
		ids[i] = it.DossierID
	}
	return CheckAgenda(ids)
}

func (s *sessionWorkflow) agenda(ctx workflow.Context, a SessionAgenda) (SessionView, error) {
	if err := s.validateAgenda(a); err != nil {
		return SessionView{}, err
	}
	s.v.Agenda = s.changedAgenda(a)
	s.counts = make([]counts, len(s.v.Agenda))
	s.v.Version++
	return s.v, nil
}

// validChoices refuses choices that do not cover the agenda exactly.
func (s *sessionWorkflow) validChoices(choices []Choice) error {
	var fe []domain.FieldError
	for _, it := range s.v.Agenda {
		switch choiceOf(choices, it.DossierID) {
		case ChoiceYes, ChoiceNo, ChoiceAbstain:
		case "":
			fe = append(fe, domain.FieldError{Field: "choices." + it.DossierID, Message: "a ballot has a choice (yes, no or abstain) for every dossier on the agenda"})
		default:
			fe = append(fe, domain.FieldError{Field: "choices." + it.DossierID, Message: "must be yes, no or abstain"})
		}
	}
	seen := map[string]bool{}
	for _, c := range choices {
		switch {
		case seen[c.DossierID]:
			fe = append(fe, domain.FieldError{Field: "choices", Message: "chooses twice on " + c.DossierID})
		case !slices.ContainsFunc(s.v.Agenda, func(it AgendaItem) bool { return it.DossierID == c.DossierID }):
			fe = append(fe, domain.FieldError{Field: "choices", Message: c.DossierID + " is not on the agenda"})
		}
		seen[c.DossierID] = true
	}
	if len(fe) > 0 {
		slices.SortFunc(fe, func(a, b domain.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return refusal(domain.Invalid(fe...))
	}
	return nil
}

func (s *sessionWorkflow) validateCast(member string, choices []Choice) error {
	if err := s.open(); err != nil {
		return err
	}
	if s.v.HasCast(member) {
		return batchRefusal(domain.ErrConflict, "this member has already cast a ballot in this session")
	}
	if s.v.BallotsCast >= s.v.Members {
		return batchRefusal(domain.ErrConflict, "all %d members have cast a ballot", s.v.Members)
	}
	return s.validChoices(choices)
}

func (s *sessionWorkflow) validateBallot(b SessionBallot) error {
	if !b.Actor.Has(domain.RoleCouncil) {
		return batchRefusal(domain.ErrForbidden, "only a council member casts a ballot")
	}
	if b.Member != b.Actor.ID {
		return refusal(domain.Invalid(domain.FieldError{Field: "member", Message: "a member casts only their own ballot"}))
	}
	return s.validateCast(b.Member, b.Choices)
}

func (s *sessionWorkflow) validateOpinion(b SessionBallot) error {
	if !b.Actor.Has(domain.RoleSecretary) {
		return batchRefusal(domain.ErrForbidden, "only the council's secretary records a written opinion")
	}
	if strings.TrimSpace(b.Member) == "" {
		return refusal(domain.Invalid(domain.FieldError{Field: "member", Message: "the absent member's id is required"}))
	}
	return s.validateCast(b.Member, b.Choices)
}

func (s *sessionWorkflow) ballot(ctx workflow.Context, b SessionBallot) (SessionView, error) {
	if err := s.validateBallot(b); err != nil {
		return SessionView{}, err
	}
	return s.cast(b, false), nil
}

func (s *sessionWorkflow) opinion(ctx workflow.Context, b SessionBallot) (SessionView, error) {
	if err := s.validateOpinion(b); err != nil {
		return SessionView{}, err
	}
	return s.cast(b, true), nil
}

// cast records a validated ballot or written opinion: who, and the counts.
func (s *sessionWorkflow) cast(b SessionBallot, written bool) SessionView {
	for i, it := range s.v.Agenda {
		switch choiceOf(b.Choices, it.DossierID) {
		case ChoiceYes:
			s.counts[i].yes++
		case ChoiceNo:
			s.counts[i].no++
		default:
			s.counts[i].abstain++
		}
	}
	name := b.MemberName
	if !written {
		name = b.Actor.Name
	}
	s.v.Attendance = append(s.v.Attendance, Attendee{ID: b.Member, Name: name, Written: written})
	s.v.BallotsCast++
	s.v.Version++
	return s.v
}

func (s *sessionWorkflow) validateClose(c SessionClose) error {
	if !c.Actor.Has(domain.RoleSecretary) {
		return batchRefusal(domain.ErrForbidden, "only the council's secretary closes a session")
	}
	if err := s.open(); err != nil {
		return err
	}
	if s.v.BallotsCast < s.v.Quorum {
		return batchRefusal(domain.ErrConflict, "only %d of the %d ballots the quorum needs have been cast; without a quorum the session cannot close", s.v.BallotsCast, s.v.Quorum)
	}
	return nil
}

// tally is dossier i's counts as the session publishes them; the dossier
// works out needed and passed by its own rule when it applies them, and
// that is what the session keeps for a dossier it moved.
func (s *sessionWorkflow) tally(i int) *SessionTally {
	c := s.counts[i]
	needed := 0
	if a, ok := domain.AwardByCode(s.v.Agenda[i].AwardCode); ok {
		needed = a.YesNeeded(s.v.Members)
	}
	return &SessionTally{Yes: c.yes, No: c.no, Abstain: c.abstain, Needed: needed,
		Passed: s.v.BallotsCast >= s.v.Quorum && c.yes >= needed}
}

func (s *sessionWorkflow) close(ctx workflow.Context, c SessionClose) (SessionView, error) {
	if err := s.validateClose(c); err != nil {
		return SessionView{}, err
	}
	// Refuse a second close, a ballot or an agenda change from here on.
	s.v.Status = SessionClosing
	secretary := c.Actor
	s.v.ClosedBy = &secretary
	var items []SessionItem
	for i, it := range s.v.Agenda {
		cn := s.counts[i]
		items = append(items, SessionItem{DossierID: it.DossierID, Tally: domain.Tally{
			Members: s.v.Members, Cast: s.v.BallotsCast, Yes: cn.yes, No: cn.no, Abstain: cn.abstain}})
	}
	results, err := fanOut[SessionItem, ApplySessionResult](ctx, items, SessionChunk, sessionParallel, ApplySessionActivity, func(chunk []SessionItem) any {
		return ApplySessionInput{Session: s.v.ID, Secretary: secretary, Items: chunk}
	})
	if err != nil {
		// Only a non-retryable failure gets here (a bug): the session stays
		// closing, and nobody may close it again (an administrator looks).
		return SessionView{}, fmt.Errorf("apply the session's tallies: %w", err)
	}
	applied := map[string]domain.Tally{}
	dropped := map[string]string{}
	for _, r := range results {
		for _, a := range r.Applied {
			applied[a.DossierID] = a.Tally
		}
		for _, d := range r.Dropped {
			dropped[d.DossierID] = d.Reason
		}
	}
	for i := range s.v.Agenda {
		it := &s.v.Agenda[i]
		it.Tally = s.tally(i)
		if t, ok := applied[it.DossierID]; ok {
			it.Applied = true
			it.Tally.Needed, it.Tally.Passed = t.Needed, t.Passed
		} else {
			it.Dropped = dropped[it.DossierID]
		}
	}
	at := workflow.Now(ctx)
	s.v.Status = SessionClosed
	s.v.ClosedAt = &at
	s.v.Version++
	return s.v, nil
}
