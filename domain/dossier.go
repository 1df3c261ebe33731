package domain

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Nominee is who is proposed for the award.
type Nominee struct {
	Type         NomineeType `json:"type"`
	Name         string      `json:"name"`
	Position     string      `json:"position,omitempty"`
	Organization string      `json:"organization,omitempty"`
	// BirthDate (YYYY-MM-DD) and CitizenID (the 12-digit số định danh cá
	// nhân) are a person's, optional: with them the award registry tells
	// apart two people of one name in one unit (PersonKey).
	BirthDate string `json:"birth_date,omitempty"`
	CitizenID string `json:"citizen_id,omitempty"`
}

// Submission is what a unit submits.
type Submission struct {
	AwardCode         string    `json:"award_code"`
	Kind              Kind      `json:"kind"`
	Procedure         Procedure `json:"procedure"`
	Campaign          string    `json:"campaign,omitempty"`
	AchievementPeriod string    `json:"achievement_period"`
	Nominee           Nominee   `json:"nominee"`
	Summary           string    `json:"summary,omitempty"`
}

// Issued is a number issued for a decision or a proposal.
type Issued struct {
	Number    string    `json:"number"`
	Date      string    `json:"date"`
	Authority Authority `json:"authority,omitempty"`
}

// Ballot is a council vote: a secret ballot. Voters are kept only to refuse a
// second vote; Yes and No are not shown until the vote closes.
type Ballot struct {
	Members int      `json:"members"`
	Needed  int      `json:"needed"`
	Quorum  int      `json:"quorum"`
	Voters  []string `json:"voters"`
	Yes     int      `json:"yes"`
	No      int      `json:"no"`
	Closed  bool     `json:"closed"`
	// Abstain and SessionCast are a council session's counts, applied
	// whole when it closed (the session keeps who cast a ballot).
	Abstain     int `json:"abstain,omitempty"`
	SessionCast int `json:"session_cast,omitempty"`
}

// Cast is how many members have voted.
func (b *Ballot) Cast() int { return len(b.Voters) + b.SessionCast }

// HasVoted reports whether member id has voted.
func (b *Ballot) HasVoted(id string) bool {
	for _, v := range b.Voters {
		if v == id {
			return true
		}
	}
	return false
}

// Passed applies the vote rule: yes-votes reach the award's share of all
// members, and at least two thirds of members voted.
func (b *Ballot) Passed() bool { return b.Cast() >= b.Quorum && b.Yes >= b.Needed }

// Tally is the published result of a closed vote.
type Tally struct {
	Members int `json:"members"`
	Cast    int `json:"cast"`
	Yes     int `json:"yes"`
	No      int `json:"no"`
	// Abstain are members who took part and did not vote on this dossier
	// (a council session's ballot lets a member abstain per dossier).
	Abstain int  `json:"abstain,omitempty"`
	Needed  int  `json:"needed"`
	Quorum  int  `json:"quorum"`
	Passed  bool `json:"passed"`
}

// Dossier is the whole state of one dossier (hồ sơ), as the workflow holds it.
type Dossier struct {
	ID        string    `json:"id"`
	Unit      string    `json:"unit"`
	Authority Authority `json:"authority"`
	Submission
	SubmittedBy Actor `json:"submitted_by"`

	Stage        Stage      `json:"stage"`
	Status       Status     `json:"status"`
	Version      int64      `json:"version"`
	Seq          int64      `json:"seq"` // last history sequence number
	EnteredAt    time.Time  `json:"entered_at"`
	DueAt        *time.Time `json:"due_at,omitempty"`
	Overdue      bool       `json:"overdue"`
	ReturnedFrom Stage      `json:"returned_from,omitempty"`
	// ReturnMissing are the document kinds the last return asked for.
	ReturnMissing []DocumentKind `json:"return_missing,omitempty"`
	// ReturnedAt is when the last return happened (documents after it count).
	ReturnedAt *time.Time `json:"returned_at,omitempty"`

	Ballot          *Ballot    `json:"ballot,omitempty"`
	Decision        *Issued    `json:"decision,omitempty"`
	Proposal        *Issued    `json:"proposal,omitempty"`
	CentralProposal *Issued    `json:"central_proposal,omitempty"`
	Documents       []Document `json:"documents"`
	// DocumentTimes records when each document was attached, by index.
	DocumentTimes []time.Time `json:"document_times,omitempty"`

	// Rules are the rules in force when the dossier was received; nil for a
	// dossier received before they were recorded (the catalogue applies).
	Rules *RuleSet `json:"rules,omitempty"`
	// missing, when set, stands for MissingDocuments (a dossier rebuilt from
	// its view, which carries them).
	missing []DocumentKind

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// HistoryEntry is one line of the append-only history (nhật ký hồ sơ).
type HistoryEntry struct {
	Seq       int64     `json:"seq"`
	At        time.Time `json:"at"`
	ActorID   string    `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	ActorRole Role      `json:"actor_role"`
	Action    Action    `json:"action"`
	From      Stage     `json:"from_stage"`
	To        Stage     `json:"to_stage"`
	Comment   string    `json:"comment,omitempty"`
	Details   *Details  `json:"details,omitempty"`
}

// Details are an entry's particulars, where the action has any.
type Details struct {
	Missing  []DocumentKind `json:"missing,omitempty"`
	Tally    *Tally         `json:"tally,omitempty"`
	Number   string         `json:"number,omitempty"`
	Date     string         `json:"date,omitempty"`
	Document *Document      `json:"document,omitempty"`
	DueAt    *time.Time     `json:"due_at,omitempty"`
	// Batch is the batch a decision or proposal was signed in.
	Batch string `json:"batch,omitempty"`
	// Session is the council session whose tally an entry applied.
	Session string `json:"session,omitempty"`
}

// Command is an action someone asks for.
type Command struct {
	Action  Action         `json:"action"`
	Actor   Actor          `json:"actor"`
	Comment string         `json:"comment,omitempty"`
	Missing []DocumentKind `json:"missing,omitempty"`
	Approve *bool          `json:"approve,omitempty"`
	Number  string         `json:"number,omitempty"`
	Date    string         `json:"date,omitempty"`
	// Member is the absent council member whose written opinion the
	// secretary records (written_opinion).
	Member string `json:"member,omitempty"`
	// Seal is the API's signature of the command (codec.Sealer): a workflow
	// whose worker holds the keys refuses a command without a valid one.
	Seal string `json:"seal,omitempty"`
	// Legacy judges the command by the rules before 12/2026 (no
	// completeness or quorum guard, extra fields ignored). Only the workflow
	// sets it, when it replays an action of a dossier's history recorded
	// under those rules, so that running dossiers replay as they ran; it
	// never travels.
	Legacy bool `json:"-"`
	// ExpectedVersion, when not zero, must equal the dossier's version (If-Match).
	ExpectedVersion int64 `json:"expected_version,omitempty"`
	// Document is the file to attach, for attach_document.
	Document *Document `json:"document,omitempty"`
	// Batch is the batch (quyết định/tờ trình kèm danh sách) a decide or
	// propose is part of: its one number and date are the batch's, issued
	// when the batch was signed, not by the dossier (Number and Date are
	// then required).
	Batch string `json:"batch,omitempty"`
	// Session and Tally are a council session's result for the dossier
	// (session_result): the counts of the session's ballots; the dossier
	// works out what they need and whether they pass, by its own rule.
	Session string `json:"session,omitempty"`
	Tally   *Tally `json:"tally,omitempty"`
	// CallerProjects says the caller (the API) writes the transition into
	// the read model itself, from the update's outcome, before it answers;
	// without it (an API from before) the workflow projects it.
	CallerProjects bool `json:"caller_projects,omitempty"`
}

// NewDossier builds the state of a just-submitted dossier and its first
// history entry. The submission must have passed ValidateSubmission.
func NewDossier(id string, s Submission, by Actor, now time.Time, p Policy) (*Dossier, HistoryEntry) {
	a, _ := AwardByCode(s.AwardCode)
	if s.Procedure == "" {
		s.Procedure = ProcedureRegular
	}
	rules := RulesAt(now, a, s.Procedure)
	d := &Dossier{ID: id, Unit: by.Unit, Authority: a.Authority, Submission: s, SubmittedBy: by,
		Documents: []Document{}, CreatedAt: now, Rules: &rules}
	d.enter(Reception, now, p)
	d.Version = 1
	e := d.record(now, by, RoleUnit, ActSubmit, "", Reception, "", nil)
	return d, e
}

// ValidCampaignCode reports whether c is a campaign code: 1 to 64 of
// [A-Za-z0-9._-]. Only a code: the campaign goes into a plaintext search
// attribute, so it must never carry free text such as a person's name.
func ValidCampaignCode(c string) bool {
	if len(c) == 0 || len(c) > 64 {
		return false
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_' || ch == '-') {
			return false
		}
	}
	return true
}

// ValidateSubmission checks a submission; nil means it may be submitted.
func ValidateSubmission(s Submission) *Error {
	var fe []FieldError
	a, ok := AwardByCode(s.AwardCode)
	if !ok {
		fe = append(fe, FieldError{"award_code", "unknown award code"})
	}
	if s.Nominee.Type != Individual && s.Nominee.Type != Collective {
		fe = append(fe, FieldError{"nominee.type", "must be individual or collective"})
	} else if ok && !a.Takes(s.Nominee.Type) {
		fe = append(fe, FieldError{"nominee.type", "award " + a.Code + " is not given to a " + string(s.Nominee.Type)})
	}
	if strings.TrimSpace(s.Nominee.Name) == "" {
		fe = append(fe, FieldError{"nominee.name", "must not be empty"})
	}
	if b := s.Nominee.BirthDate; b != "" {
		if d, err := time.Parse(time.DateOnly, b); err != nil || d.Year() < 1900 {
			fe = append(fe, FieldError{"nominee.birth_date", "must be a date (YYYY-MM-DD)"})
		} else if s.Nominee.Type == Collective {
			fe = append(fe, FieldError{"nominee.birth_date", "is only for an individual"})
		}
	}
	if id := s.Nominee.CitizenID; id != "" {
		if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
			fe = append(fe, FieldError{"nominee.citizen_id", "must be 12 digits"})
		} else if s.Nominee.Type == Collective {
			fe = append(fe, FieldError{"nominee.citizen_id", "is only for an individual"})
		}
	}
	kindOK := false
	for _, k := range Kinds {
		kindOK = kindOK || k == s.Kind
	}
	if !kindOK {
		fe = append(fe, FieldError{"kind", "must be one of merit, adhoc, campaign, dedication, foreign"})
	}
	switch s.Procedure {
	case "", ProcedureRegular:
	case ProcedureSimplified:
		if ok && kindOK && !SimplifiedAllowed(s.Kind, a) {
			fe = append(fe, FieldError{"procedure", "the simplified procedure is only for kinds adhoc, dedication and foreign and awards without a council vote or with a simple majority"})
		}
	default:
		fe = append(fe, FieldError{"procedure", "must be regular or simplified"})
	}
	if strings.TrimSpace(s.AchievementPeriod) == "" {
		fe = append(fe, FieldError{"achievement_period", "must not be empty"})
	}
	if s.Campaign != "" && !ValidCampaignCode(s.Campaign) {
		fe = append(fe, FieldError{"campaign", "must be a campaign code: 1 to 64 letters A-Z, digits, '.', '_' or '-'"})
	}
	if len(fe) > 0 {
		return Invalid(fe...)
	}
	return nil
}

// Terminal reports whether the dossier has finished.
func (d *Dossier) Terminal() bool { return d.Stage.Terminal() }

// find returns the transition row for action in the dossier's stage that the
// actor's roles allow, or the refusal that applies.
func (d *Dossier) find(c Command) (*Transition, Role, *Error) {
	everRole, inStage, othersInStage := false, false, false
	var guardFail *Guard
	for i := range Table {
		t := &Table[i]
		if t.Action != c.Action {
			continue
		}
		if t.inStage(d.Stage) && (t.Guard == nil || (c.Legacy && t.Guard.New) || t.Guard.Test(d)) {
			othersInStage = true
		}
		r, ok := t.role(c.Actor)
		if !ok {
			continue
		}
		everRole = true
		if !t.inStage(d.Stage) {
			continue
		}
		inStage = true
		if t.Guard != nil && !(c.Legacy && t.Guard.New) && !t.Guard.Test(d) {
			guardFail = t.Guard
			continue
		}
		return t, r, nil
	}
	switch {
	case !everRole:
		return nil, "", refuse(ErrForbidden, d.Stage, "your roles may not %s a dossier", c.Action)
	case guardFail != nil && guardFail.Refusal != nil:
		return nil, "", guardFail.Refusal(d, c.Action)
	case guardFail != nil:
		return nil, "", refuse(ErrConflict, d.Stage, "%s is %s (this dossier: stage %s, award decided by %s)", c.Action, guardFail.Why, d.Stage, d.Authority)
	case !inStage && othersInStage:
		// The action is taken in this stage, by someone else (API.md: 403
		// where none of the caller's roles may take it here).
		return nil, "", refuse(ErrForbidden, d.Stage, "your roles may not %s a dossier in stage %s", c.Action, d.Stage)
	case !inStage && d.Terminal():
		return nil, "", refuse(ErrConflict, d.Stage, "the dossier is %s; %s is not allowed", d.Stage, c.Action)
	default:
		return nil, "", refuse(ErrConflict, d.Stage, "%s is not allowed while the dossier is in stage %s", c.Action, d.Stage)
	}
}

// foreignUnit reports whether the actor could take the action only as a unit,
// and is not this dossier's unit.
func (d *Dossier) foreignUnit(c Command) bool {
	if !c.Actor.Has(RoleUnit) || c.Actor.Unit == d.Unit {
		return false
	}
	asUnit := false
	for i := range Table {
		t := &Table[i]
		if t.Action != c.Action {
			continue
		}
		for _, r := range t.Roles {
			if r == RoleUnit {
				asUnit = true
			} else if c.Actor.Has(r) {
				return false
			}
		}
	}
	return asUnit
}

// Validate says whether c may be applied to d now. It changes nothing.
func (d *Dossier) Validate(c Command) *Error {
	if d.foreignUnit(c) {
		// Before any stage check: another unit learns nothing, not even the stage.
		return refuse(ErrNotFound, "", "no such dossier")
	}
	t, _, err := d.find(c)
	if err != nil {
		return err
	}
	if c.ExpectedVersion != 0 && c.ExpectedVersion != d.Version {
		return refuse(ErrStale, d.Stage, "the dossier is at version %d, not %d", d.Version, c.ExpectedVersion)
	}
	var fe []FieldError
	if t.requires(FieldComment) && strings.TrimSpace(c.Comment) == "" {
		fe = append(fe, FieldError{"comment", "a comment is required to " + string(c.Action)})
	}
	if len(c.Missing) > 0 && !t.accepts(FieldMissing) {
		fe = append(fe, FieldError{"missing", "only a return lists missing documents"})
	}
	// Only the fields the transition defines are taken, so nothing
	// unchecked lands in the history.
	if strings.TrimSpace(c.Number) != "" && !t.accepts(FieldNumber) && !c.Legacy {
		fe = append(fe, FieldError{"number", "is not taken by " + string(c.Action) + " in stage " + string(d.Stage)})
	}
	if strings.TrimSpace(c.Date) != "" && !t.accepts(FieldDate) && !c.Legacy {
		fe = append(fe, FieldError{"date", "is not taken by " + string(c.Action) + " in stage " + string(d.Stage)})
	}
	if c.Approve != nil && !t.accepts(FieldApprove) && !c.Legacy {
		fe = append(fe, FieldError{"approve", "is not taken by " + string(c.Action)})
	}
	if strings.TrimSpace(c.Member) != "" && !t.accepts(FieldMember) {
		fe = append(fe, FieldError{"member", "is not taken by " + string(c.Action)})
	}
	if t.requires(FieldMember) && strings.TrimSpace(c.Member) == "" {
		fe = append(fe, FieldError{"member", "the absent member's id is required"})
	}
	for _, k := range c.Missing {
		if !ValidDocumentKind(k) {
			fe = append(fe, FieldError{"missing", "unknown document kind " + string(k)})
		}
	}
	if t.requires(FieldApprove) && c.Approve == nil {
		fe = append(fe, FieldError{"approve", "must be true or false"})
	}
	if t.requires(FieldNumber) && strings.TrimSpace(c.Number) == "" {
		fe = append(fe, FieldError{"number", "the central authority's number is required"})
	}
	if c.Batch != "" {
		if c.Action != ActDecide && c.Action != ActPropose {
			fe = append(fe, FieldError{"batch", "only a decision or a proposal is signed in a batch"})
		} else if strings.TrimSpace(c.Number) == "" || strings.TrimSpace(c.Date) == "" {
			fe = append(fe, FieldError{"number", "a batch's decision or proposal carries its number and date"})
		}
	}
	if t.requires(FieldDate) || (c.Date != "" && t.accepts(FieldDate)) {
		if _, err := time.Parse(time.DateOnly, c.Date); err != nil {
			fe = append(fe, FieldError{"date", "must be a date YYYY-MM-DD"})
		}
	}
	if c.Action == ActAttachDocument && (c.Document == nil || !ValidDocumentKind(c.Document.Kind)) {
		fe = append(fe, FieldError{"kind", "must be one of the document kinds"})
	}
	if len(fe) > 0 {
		return Invalid(fe...)
	}
	if c.Action == ActSessionResult {
		if e := d.validateSessionResult(c); e != nil {
			return e
		}
	} else if c.Session != "" || c.Tally != nil {
		fe = append(fe, FieldError{"session", "only a council session's result carries a session and a tally"})
		return Invalid(fe...)
	}
	if c.Action == ActVote && d.Ballot != nil && d.Ballot.HasVoted(c.Actor.ID) {
		return refuse(ErrConflict, d.Stage, "you have already voted on this dossier")
	}
	if c.Action == ActWrittenOpinion && d.Ballot != nil && d.Ballot.HasVoted(strings.TrimSpace(c.Member)) {
		return refuse(ErrConflict, d.Stage, "this member has already voted on this dossier")
	}
	if (c.Action == ActVote || c.Action == ActWrittenOpinion) && (d.Ballot == nil || d.Ballot.Closed) {
		return refuse(ErrConflict, d.Stage, "the vote is closed")
	}
	return nil
}

// Apply carries out a validated command at time now and returns the history
// entries it wrote. For the chairman's decide and propose, c.Number must hold
// the issued number. Apply must only follow a successful Validate.
func (d *Dossier) Apply(c Command, now time.Time, p Policy) []HistoryEntry {
	t, role, err := d.find(c)
	if err != nil {
		return nil
	}
	from := d.Stage
	d.Version++
	d.UpdatedAt = now
	var out []HistoryEntry
	switch c.Action {
	case ActVote:
		b := d.Ballot
		b.Voters = append(b.Voters, c.Actor.ID)
		if *c.Approve {
			b.Yes++
		} else {
			b.No++
		}
		// A secret ballot: the entry says a member voted, not who or how.
		out = append(out, d.record(now, Actor{}, RoleCouncil, ActVote, from, from, "", nil))
		if b.Cast() >= b.Members {
			out = append(out, d.closeVote(now, SystemActor, RoleSystem, "", p))
		}
		return out
	case ActWrittenOpinion:
		b := d.Ballot
		b.Voters = append(b.Voters, strings.TrimSpace(c.Member))
		if *c.Approve {
			b.Yes++
		} else {
			b.No++
		}
		// The secretary's entry says an absent member's written opinion was
		// recorded: neither whose nor what it says (a secret ballot).
		out = append(out, d.record(now, c.Actor, role, ActWrittenOpinion, from, from, "", nil))
		if b.Cast() >= b.Members {
			out = append(out, d.closeVote(now, SystemActor, RoleSystem, "", p))
		}
		return out
	case ActCloseVote:
		return append(out, d.closeVote(now, c.Actor, role, c.Comment, p))
	case ActSessionResult:
		b := d.Ballot
		b.Yes, b.No, b.Abstain, b.SessionCast = c.Tally.Yes, c.Tally.No, c.Tally.Abstain, c.Tally.Cast
		e := d.closeVote(now, c.Actor, role, c.Comment, p)
		e.Action, e.Details.Session = ActSessionResult, c.Session
		return append(out, e)
	case ActAttachDocument:
		doc := *c.Document
		d.Documents = append(d.Documents, doc)
		d.DocumentTimes = append(d.DocumentTimes, now)
		return append(out, d.record(now, c.Actor, role, c.Action, from, from, "", &Details{Document: &doc}))
	case ActOverruleEligibility:
		return append(out, d.record(now, c.Actor, role, c.Action, from, from, c.Comment, nil))
	case ActOverdue:
		d.Overdue = true
		return append(out, d.record(now, SystemActor, RoleSystem, c.Action, from, from, "", &Details{DueAt: d.DueAt}))
	}

	next := t.Next
	if t.Resolve != nil {
		next = t.Resolve(d, p)
	}
	var det *Details
	switch c.Action {
	case ActReturn:
		d.ReturnedFrom = from
		d.ReturnMissing = append([]DocumentKind(nil), c.Missing...)
		at := now
		d.ReturnedAt = &at
		if len(c.Missing) > 0 {
			det = &Details{Missing: d.ReturnMissing}
		}
	case ActResubmit:
		d.ReturnedFrom = ""
		d.ReturnMissing = nil
	case ActDecide, ActPropose:
		issued := &Issued{Number: c.Number, Date: c.Date, Authority: d.Authority}
		switch {
		case from == Decision && c.Action == ActDecide:
			issued.Authority = AuthorityProvince
			d.Decision = issued
		case from == Decision:
			issued.Authority = AuthorityProvince
			d.Proposal = issued
		case c.Action == ActDecide:
			if from == PMDecision {
				issued.Authority = AuthorityPM
			}
			d.Decision = issued
		default:
			issued.Authority = AuthorityPM
			d.CentralProposal = issued
		}
		det = &Details{Number: c.Number, Date: c.Date, Batch: c.Batch}
	case ActAccept:
		if c.Number != "" || c.Date != "" {
			det = &Details{Number: c.Number, Date: c.Date}
		}
	}
	d.enter(next, now, p)
	actor := c.Actor
	if role == RoleSystem {
		actor = SystemActor
	}
	out = append(out, d.record(now, actor, role, c.Action, from, next, c.Comment, det))
	// A notice of zero days is skipped at once.
	return out
}

func (d *Dossier) closeVote(now time.Time, by Actor, role Role, comment string, p Policy) HistoryEntry {
	b := d.Ballot
	b.Closed = true
	tally := &Tally{Members: b.Members, Cast: b.Cast(), Yes: b.Yes, No: b.No, Abstain: b.Abstain, Needed: b.Needed, Quorum: b.Quorum, Passed: b.Passed()}
	from := d.Stage
	next := voteOutcome(d, p)
	d.enter(next, now, p)
	return d.record(now, by, role, ActCloseVote, from, next, comment, &Details{Tally: tally})
}

// validateSessionResult checks a council session's result: its counts make
// sense, reach the quorum, and the dossier was not voted on alone meanwhile
// (a dossier on a session's agenda is voted only through it; the API refuses
// a single vote on it, and this catches one that raced the agenda).
func (d *Dossier) validateSessionResult(c Command) *Error {
	t := c.Tally
	if strings.TrimSpace(c.Session) == "" || t == nil {
		return Invalid(FieldError{"tally", "a session's result names the session and carries its tally"})
	}
	b := d.Ballot
	if b == nil || b.Closed {
		return refuse(ErrConflict, d.Stage, "the vote is closed")
	}
	if t.Yes < 0 || t.No < 0 || t.Abstain < 0 || t.Yes+t.No+t.Abstain != t.Cast || t.Cast > b.Members {
		return Invalid(FieldError{"tally", fmt.Sprintf("yes %d + no %d + abstain %d must equal the %d ballots cast, at most the council's %d members", t.Yes, t.No, t.Abstain, t.Cast, b.Members)})
	}
	if len(b.Voters) > 0 {
		return refuse(ErrConflict, d.Stage, "%d member(s) voted on this dossier alone while it was on the session's agenda; the session's tally cannot be applied", len(b.Voters))
	}
	if t.Cast < b.Quorum {
		return refuse(ErrConflict, d.Stage, "only %d of the %d ballots the quorum needs were cast", t.Cast, b.Quorum)
	}
	return nil
}

// enter moves the dossier into stage s at time now.
func (d *Dossier) enter(s Stage, now time.Time, p Policy) {
	if s == PublicNotice && p.PublicNoticeDays <= 0 {
		s = Council
	}
	d.Stage = s
	d.Status = StatusOf(s)
	d.EnteredAt = now
	d.Overdue = false
	d.DueAt = nil
	if n := p.DueDays(s); n > 0 && !s.Terminal() {
		due := p.Calendar.AddWorkingDays(now, n)
		d.DueAt = &due
	}
	if s == Council && (d.Ballot == nil || d.Ballot.Closed) {
		a := d.award()
		d.Ballot = &Ballot{Members: p.CouncilMembers, Needed: a.YesNeeded(p.CouncilMembers), Quorum: p.Quorum(), Voters: []string{}}
	}
}

func (d *Dossier) record(now time.Time, by Actor, role Role, a Action, from, to Stage, comment string, det *Details) HistoryEntry {
	d.Seq++
	return HistoryEntry{Seq: d.Seq, At: now, ActorID: by.ID, ActorName: by.Name, ActorRole: role,
		Action: a, From: from, To: to, Comment: strings.TrimSpace(comment), Details: det}
}

// NoticeEndsAt is when the public notice ends, while the dossier is in it.
func (d *Dossier) NoticeEndsAt() *time.Time {
	if d.Stage != PublicNotice {
		return nil
	}
	return d.DueAt
}

// AllowedActions lists the public actions the actor may take now, in table
// order. It agrees with Validate (the tests hold them together) but builds no
// refusals, since lists compute it for every item.
func (d *Dossier) AllowedActions(a Actor) []Action {
	out := []Action{}
	if d.Terminal() {
		return out
	}
	for _, act := range publicActions {
		c := Command{Action: act, Actor: a}
		if d.foreignUnit(c) || !d.permits(c) {
			continue
		}
		if act == ActVote && (d.Ballot == nil || d.Ballot.Closed || d.Ballot.HasVoted(a.ID)) {
			continue
		}
		out = append(out, act)
	}
	return out
}

// permits reports whether some row lets the actor take c.Action now.
func (d *Dossier) permits(c Command) bool {
	for i := range Table {
		t := &Table[i]
		if t.Action != c.Action || !t.inStage(d.Stage) {
			continue
		}
		if _, ok := t.role(c.Actor); ok && (t.Guard == nil || t.Guard.Test(d)) {
			return true
		}
	}
	return false
}

// MissingDocuments lists the required document kinds the dossier lacks, and
// the kinds the last return asked for that have not been uploaded since.
func (d *Dossier) MissingDocuments() []DocumentKind {
	if d.missing != nil {
		return d.missing
	}
	have := map[DocumentKind]bool{}
	sinceReturn := map[DocumentKind]bool{}
	for i, doc := range d.Documents {
		have[doc.Kind] = true
		if d.ReturnedAt != nil && i < len(d.DocumentTimes) && d.DocumentTimes[i].After(*d.ReturnedAt) {
			sinceReturn[doc.Kind] = true
		}
	}
	out := []DocumentKind{}
	seen := map[DocumentKind]bool{}
	for _, k := range d.requiredDocuments() {
		if !have[k] {
			out = append(out, k)
			seen[k] = true
		}
	}
	for _, k := range d.ReturnMissing {
		if !sinceReturn[k] && !seen[k] {
			out = append(out, k)
			seen[k] = true
		}
	}
	return out
}

// CommandMessage is what the API seals for a command to dossier id: the
// command as it travels, without its seal.
func CommandMessage(id string, c Command) []byte {
	c.Seal, c.Legacy = "", false
	b, _ := json.Marshal(struct {
		Dossier string  `json:"dossier"`
		Command Command `json:"command"`
	}{id, c})
	return b
}

// StartMessage is what the API seals for the start of dossier id submitted
// at at (zero for a start from before submission times were sealed).
func StartMessage(id string, s Submission, by Actor, at time.Time) []byte {
	b, _ := json.Marshal(struct {
		Dossier    string     `json:"dossier"`
		Submission Submission `json:"submission"`
		By         Actor      `json:"by"`
		At         time.Time  `json:"at,omitzero"`
	}{id, s, by, at})
	return b
}
