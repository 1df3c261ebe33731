package domain

import "strings"

// Action is something a person (or the engine) does to a dossier.
type Action string

const (
	ActAccept    Action = "accept"     // tiếp nhận; at central_appraisal: the Central Board accepts
	ActReturn    Action = "return"     // trả lại để bổ sung
	ActReject    Action = "reject"     // không khen thưởng
	ActResubmit  Action = "resubmit"   // nộp lại sau bổ sung
	ActWithdraw  Action = "withdraw"   // rút hồ sơ
	ActApprove   Action = "approve"    // thẩm định đạt
	ActVote      Action = "vote"       // bỏ phiếu
	ActCloseVote Action = "close_vote" // kết thúc bỏ phiếu
	ActDecide    Action = "decide"     // quyết định khen thưởng
	ActPropose   Action = "propose"    // tờ trình lên cấp trên
	ActDecline   Action = "decline"    // cấp Trung ương không khen
	ActCancel    Action = "cancel"     // quản trị hủy hồ sơ kẹt
	// ActWrittenOpinion is ý kiến bằng văn bản: the secretary records the
	// written opinion of a member who cannot attend; it counts as that
	// member's vote.
	ActWrittenOpinion Action = "written_opinion"

	// Actions that are not taken through the actions endpoint.
	ActSubmit         Action = "submit"          // the unit's submission
	ActAttachDocument Action = "attach_document" // a document upload
	ActNoticeEnd      Action = "notice_end"      // the public notice period ran out
	ActOverdue        Action = "overdue"         // a stage passed its due date
	// ActSessionResult applies a council session's tally to a dossier on
	// its agenda (DOMAIN.md, "Council sessions"): sent by the session's
	// workflow when the secretary closes it, never through the actions
	// endpoint.
	ActSessionResult Action = "session_result"
	// ActOverruleEligibility is the officer proceeding against the
	// eligibility findings' advice (DOMAIN.md, "Award registry and
	// eligibility"): the stage does not change, the comment lands in the
	// history. Taken through its own endpoint, not the actions one.
	ActOverruleEligibility Action = "overrule_eligibility"
)

// Field is something an action's body must or may carry.
type Field string

const (
	FieldComment Field = "comment"
	FieldMissing Field = "missing"
	FieldApprove Field = "approve"
	FieldNumber  Field = "number"
	FieldDate    Field = "date"
	// FieldMember is the absent member whose written opinion is recorded.
	FieldMember Field = "member"
)

// Guard is a condition on the dossier beyond its stage; Why explains a failure.
type Guard struct {
	Why  string
	Test func(d *Dossier) bool
	// Refusal, when set, makes the refusal itself (one that names what is
	// missing, say); otherwise a conflict built from Why.
	Refusal func(d *Dossier, a Action) *Error
	// New marks a rule added in 12/2026: a Legacy command (the replay of an
	// action recorded before it) is not held to it.
	New bool
}

var (
	provinceAward  = &Guard{Why: "only for awards the province decides", Test: func(d *Dossier) bool { return d.Authority == AuthorityProvince }}
	centralAward   = &Guard{Why: "only for awards decided at the central level", Test: func(d *Dossier) bool { return d.Authority != AuthorityProvince }}
	pmAward        = &Guard{Why: "only for awards the Prime Minister decides", Test: func(d *Dossier) bool { return d.Authority == AuthorityPM }}
	presidentAward = &Guard{Why: "only for awards the President decides", Test: func(d *Dossier) bool { return d.Authority == AuthorityPresident }}
	// A unit may withdraw until the dossier reaches decision; one returned
	// from decision or a later stage has reached it.
	// A vote closes only with a quorum (two thirds of all members voted):
	// a missing quorum postpones the vote, it never rejects the dossier.
	quorumReached = &Guard{New: true, Why: "only allowed once two thirds of the council have voted (quorum); without it the vote is postponed", Test: func(d *Dossier) bool {
		return d.Ballot != nil && d.Ballot.Cast() >= d.Ballot.Quorum
	}}
	// Completeness: reception accepts, and appraisal approves, only a dossier
	// holding every required kind of document; the refusal names the
	// missing kinds, and the officer returns it for supplement instead.
	complete = &Guard{New: true, Why: "only allowed once every required document is attached", Test: func(d *Dossier) bool {
		return len(d.MissingDocuments()) == 0
	}, Refusal: func(d *Dossier, a Action) *Error {
		missing := d.MissingDocuments()
		names := make([]string, len(missing))
		for i, k := range missing {
			names[i] = string(k)
		}
		e := refuse(ErrConflict, d.Stage, "%s needs every required document; missing: %s", a, strings.Join(names, ", "))
		e.Missing = missing
		return e
	}}
	notYetDecided = &Guard{Why: "only allowed until the dossier reaches the decision stage", Test: func(d *Dossier) bool {
		if d.Stage != Supplement {
			return true
		}
		for _, s := range beforeDecision {
			if s == d.ReturnedFrom {
				return true
			}
		}
		return false
	}}
)

// Transition is one row of the transition table: in these stages, these
// roles may take this action, which needs these fields and leads to Next.
type Transition struct {
	Action   Action
	Stages   []Stage
	Roles    []Role
	Requires []Field
	Optional []Field
	// Issued are fields the engine fills in itself (the chairman's decision
	// or proposal number and date): whatever a person sends is replaced.
	Issued []Field
	Guard  *Guard
	// Next is the stage the action leads to. Zero means the stage does not
	// change (a vote, a document) or is worked out by Apply (see Resolve).
	Next Stage
	// Resolve works out the next stage when it depends on the dossier.
	Resolve func(d *Dossier, p Policy) Stage
	// Internal actions are not offered through the actions endpoint.
	Internal bool
}

var (
	beforeDecision = []Stage{Reception, Supplement, Appraisal, PublicNotice, Council}
	running        = []Stage{Reception, Supplement, Appraisal, PublicNotice, Council, Decision, CentralAppraisal, PMDecision, PresidentDecision}
)

// Table is the transition table: the single source of truth for who may do
// what in which stage.
var Table = []Transition{
	{Action: ActAccept, Stages: []Stage{Reception}, Roles: []Role{RoleOfficer}, Optional: []Field{FieldComment}, Guard: complete, Next: Appraisal},
	{Action: ActAccept, Stages: []Stage{CentralAppraisal}, Roles: []Role{RoleOfficer}, Optional: []Field{FieldComment, FieldNumber, FieldDate}, Next: PMDecision},
	{Action: ActReturn, Stages: []Stage{Reception, Appraisal, PublicNotice, CentralAppraisal}, Roles: []Role{RoleOfficer}, Requires: []Field{FieldComment}, Optional: []Field{FieldMissing}, Next: Supplement},
	{Action: ActReturn, Stages: []Stage{Decision}, Roles: []Role{RoleChairman}, Requires: []Field{FieldComment}, Optional: []Field{FieldMissing}, Next: Supplement},
	{Action: ActReject, Stages: []Stage{Reception, Appraisal, PublicNotice, CentralAppraisal}, Roles: []Role{RoleOfficer}, Requires: []Field{FieldComment}, Next: Rejected},
	{Action: ActReject, Stages: []Stage{Decision}, Roles: []Role{RoleChairman}, Requires: []Field{FieldComment}, Next: Rejected},
	{Action: ActResubmit, Stages: []Stage{Supplement}, Roles: []Role{RoleUnit}, Optional: []Field{FieldComment}, Resolve: func(d *Dossier, _ Policy) Stage { return d.ReturnedFrom }},
	{Action: ActWithdraw, Stages: beforeDecision, Roles: []Role{RoleUnit}, Optional: []Field{FieldComment}, Guard: notYetDecided, Next: Withdrawn},
	{Action: ActApprove, Stages: []Stage{Appraisal}, Roles: []Role{RoleOfficer}, Optional: []Field{FieldComment}, Guard: complete, Resolve: afterAppraisal},
	{Action: ActVote, Stages: []Stage{Council}, Roles: []Role{RoleCouncil}, Requires: []Field{FieldApprove}, Optional: []Field{FieldComment}},
	{Action: ActWrittenOpinion, Stages: []Stage{Council}, Roles: []Role{RoleSecretary}, Requires: []Field{FieldMember, FieldApprove}, Optional: []Field{FieldComment}},
	{Action: ActCloseVote, Stages: []Stage{Council}, Roles: []Role{RoleSecretary}, Optional: []Field{FieldComment}, Guard: quorumReached, Resolve: voteOutcome},
	{Action: ActDecide, Stages: []Stage{Decision}, Roles: []Role{RoleChairman}, Optional: []Field{FieldComment}, Issued: []Field{FieldNumber, FieldDate}, Guard: provinceAward, Next: Awarded},
	{Action: ActPropose, Stages: []Stage{Decision}, Roles: []Role{RoleChairman}, Optional: []Field{FieldComment}, Issued: []Field{FieldNumber, FieldDate}, Guard: centralAward, Next: CentralAppraisal},
	{Action: ActDecide, Stages: []Stage{PMDecision}, Roles: []Role{RoleOfficer}, Requires: []Field{FieldNumber, FieldDate}, Optional: []Field{FieldComment}, Guard: pmAward, Next: Awarded},
	{Action: ActPropose, Stages: []Stage{PMDecision}, Roles: []Role{RoleOfficer}, Requires: []Field{FieldNumber, FieldDate}, Optional: []Field{FieldComment}, Guard: presidentAward, Next: PresidentDecision},
	{Action: ActDecide, Stages: []Stage{PresidentDecision}, Roles: []Role{RoleOfficer}, Requires: []Field{FieldNumber, FieldDate}, Optional: []Field{FieldComment}, Next: Awarded},
	{Action: ActDecline, Stages: []Stage{PMDecision, PresidentDecision}, Roles: []Role{RoleOfficer}, Requires: []Field{FieldComment}, Next: Rejected},
	{Action: ActCancel, Stages: running, Roles: []Role{RoleAdmin}, Requires: []Field{FieldComment}, Next: Cancelled},

	{Action: ActAttachDocument, Stages: []Stage{Reception, Supplement}, Roles: []Role{RoleUnit}, Internal: true},
	{Action: ActNoticeEnd, Stages: []Stage{PublicNotice}, Roles: []Role{RoleSystem}, Internal: true, Next: Council},
	{Action: ActOverdue, Stages: running, Roles: []Role{RoleSystem}, Internal: true},
	{Action: ActSessionResult, Stages: []Stage{Council}, Roles: []Role{RoleSecretary}, Internal: true, Resolve: voteOutcome},
	{Action: ActOverruleEligibility, Stages: running, Roles: []Role{RoleOfficer}, Requires: []Field{FieldComment}, Internal: true},
}

var publicActions = PublicActions()

// PublicActions lists the actions of the actions endpoint, in table order.
func PublicActions() []Action {
	var out []Action
	seen := map[Action]bool{}
	for _, t := range Table {
		if !t.Internal && !seen[t.Action] {
			seen[t.Action] = true
			out = append(out, t.Action)
		}
	}
	return out
}

// IsPublicAction reports whether a is taken through the actions endpoint.
func IsPublicAction(a Action) bool {
	for _, x := range publicActions {
		if x == a {
			return true
		}
	}
	return false
}

func (t *Transition) inStage(s Stage) bool {
	for _, x := range t.Stages {
		if x == s {
			return true
		}
	}
	return false
}

// role returns the first of the actor's roles that the row allows.
func (t *Transition) role(a Actor) (Role, bool) {
	for _, r := range t.Roles {
		if a.Has(r) {
			return r, true
		}
	}
	return "", false
}

func (t *Transition) requires(f Field) bool {
	for _, x := range t.Requires {
		if x == f {
			return true
		}
	}
	return false
}

func (t *Transition) accepts(f Field) bool {
	if t.requires(f) {
		return true
	}
	for _, x := range t.Optional {
		if x == f {
			return true
		}
	}
	for _, x := range t.Issued {
		if x == f {
			return true
		}
	}
	return false
}

// afterAppraisal: the simplified procedure and awards without a council go
// straight to the chairman; awards with a notice are published first.
func afterAppraisal(d *Dossier, p Policy) Stage {
	a := d.award()
	switch {
	case d.Procedure == ProcedureSimplified || !a.HasCouncil():
		return Decision
	case a.Notice && p.PublicNoticeDays > 0:
		return PublicNotice
	default:
		return Council
	}
}

func voteOutcome(d *Dossier, _ Policy) Stage {
	if d.Ballot != nil && d.Ballot.Passed() {
		return Decision
	}
	return Rejected
}

// MayEver reports whether any of the actor's roles may take action a in some
// stage. A refusal to someone who never may is 403 whatever the stage, even
// once the dossier has finished.
func MayEver(actor Actor, a Action) bool {
	for i := range Table {
		if Table[i].Action != a {
			continue
		}
		if _, ok := Table[i].role(actor); ok {
			return true
		}
	}
	return false
}
