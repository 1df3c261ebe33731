package domain_test

// The authorization and transition matrix: every stage × every public action
// × every role (and a unit user of another unit), for awards of every
// authority. The expected table below is written by hand from DOMAIN.md's
// stage table and roles table; it does not read domain.Table.

import (
	"reflect"
	"slices"
	"testing"

	"tdkt/domain"
)

// DOMAIN.md's stages, in procedure order, terminal ones last.
var specStages = []domain.Stage{
	"reception", "supplement", "appraisal", "public_notice", "council", "decision",
	"central_appraisal", "pm_decision", "president_decision",
	"awarded", "rejected", "withdrawn", "cancelled",
}

var specRunning = specStages[:9]

var specTerminal = map[domain.Stage]bool{"awarded": true, "rejected": true, "withdrawn": true, "cancelled": true}

// DOMAIN.md's roles.
var specRoles = []domain.Role{"unit", "officer", "council", "secretary", "chairman", "admin"}

// The actions of the actions endpoint.
var specActions = []domain.Action{
	"accept", "return", "reject", "resubmit", "withdraw", "approve",
	"vote", "close_vote", "decide", "propose", "decline", "cancel", "written_opinion",
}

// Markers for a next stage that depends on the dossier.
const (
	nextApproveRoute domain.Stage = "<route after appraisal>"
	nextReturnedFrom domain.Stage = "<the stage that returned it>"
	nextVoteOutcome  domain.Stage = "<vote outcome>"
)

// specRule is one line of DOMAIN.md: in stage, role may take action (only for
// awards of the listed authorities, when set), which needs these fields and
// leads to next.
type specRule struct {
	stage    domain.Stage
	action   domain.Action
	role     domain.Role
	auth     []domain.Authority
	next     domain.Stage
	requires []domain.Field
}

var (
	needComment = []domain.Field{"comment"}
	needApprove = []domain.Field{"approve"}
	needNumDate = []domain.Field{"number", "date"}
	needOpinion = []domain.Field{"member", "approve"}
	province    = []domain.Authority{"province"}
	central     = []domain.Authority{"pm", "president"}
	pmOnly      = []domain.Authority{"pm"}
	presOnly    = []domain.Authority{"president"}
)

// specTable is DOMAIN.md's stage table, written out by hand.
var specTable = func() []specRule {
	r := []specRule{
		// reception (officer): accept → appraisal · return → supplement · reject → rejected
		{"reception", "accept", "officer", nil, "appraisal", nil},
		{"reception", "return", "officer", nil, "supplement", needComment},
		{"reception", "reject", "officer", nil, "rejected", needComment},
		// supplement (the dossier's unit): resubmit → the stage that returned it · withdraw
		{"supplement", "resubmit", "unit", nil, nextReturnedFrom, nil},
		// appraisal (officer): approve → public_notice, council or decision · return · reject
		{"appraisal", "approve", "officer", nil, nextApproveRoute, nil},
		{"appraisal", "return", "officer", nil, "supplement", needComment},
		{"appraisal", "reject", "officer", nil, "rejected", needComment},
		// public_notice (timer): officer may return or reject meanwhile
		{"public_notice", "return", "officer", nil, "supplement", needComment},
		{"public_notice", "reject", "officer", nil, "rejected", needComment},
		// council: vote (council member, one each) · close_vote (secretary)
		{"council", "vote", "council", nil, "council", needApprove},
		{"council", "close_vote", "secretary", nil, nextVoteOutcome, nil},
		// the secretary records an absent member's written opinion, which counts as their vote
		{"council", "written_opinion", "secretary", nil, "council", needOpinion},
		// decision (chairman): decide (province) → awarded · propose (pm/president) → central_appraisal · return · reject
		{"decision", "decide", "chairman", province, "awarded", nil},
		{"decision", "propose", "chairman", central, "central_appraisal", nil},
		{"decision", "return", "chairman", nil, "supplement", needComment},
		{"decision", "reject", "chairman", nil, "rejected", needComment},
		// central_appraisal (officer records): accept → pm_decision · return → supplement · reject
		{"central_appraisal", "accept", "officer", nil, "pm_decision", nil},
		{"central_appraisal", "return", "officer", nil, "supplement", needComment},
		{"central_appraisal", "reject", "officer", nil, "rejected", needComment},
		// pm_decision (officer records): decide (pm) → awarded · propose (president) → president_decision · decline → rejected
		{"pm_decision", "decide", "officer", pmOnly, "awarded", needNumDate},
		{"pm_decision", "propose", "officer", presOnly, "president_decision", needNumDate},
		{"pm_decision", "decline", "officer", nil, "rejected", needComment},
		// president_decision (officer records): decide → awarded · decline → rejected
		{"president_decision", "decide", "officer", presOnly, "awarded", needNumDate},
		{"president_decision", "decline", "officer", nil, "rejected", needComment},
	}
	// A unit may withdraw until the dossier reaches decision.
	for _, s := range []domain.Stage{"reception", "supplement", "appraisal", "public_notice", "council"} {
		r = append(r, specRule{s, "withdraw", "unit", nil, "withdrawn", nil})
	}
	// An admin cancels a stuck (running) dossier with a reason.
	for _, s := range specRunning {
		r = append(r, specRule{s, "cancel", "admin", nil, "cancelled", needComment})
	}
	return r
}()

// variant is an award and procedure, with the stages its dossier can reach
// (by DOMAIN.md) and where approve at appraisal leads under the default policy.
type variant struct {
	name      string
	code      string
	kind      domain.Kind
	proc      domain.Procedure
	auth      domain.Authority
	approveTo domain.Stage
	reach     []domain.Stage
}

var terminals = []domain.Stage{"awarded", "rejected", "withdrawn", "cancelled"}

func stagesPlus(s ...domain.Stage) []domain.Stage { return append(s, terminals...) }

var variants = []variant{
	// province, no council vote: appraisal → decision
	{"BK_UBND_TINH", "BK_UBND_TINH", "merit", "regular", "province", "decision",
		stagesPlus("reception", "supplement", "appraisal", "decision")},
	// province, 90% council, no notice
	{"CSTD_TINH", "CSTD_TINH", "merit", "regular", "province", "council",
		stagesPlus("reception", "supplement", "appraisal", "council", "decision")},
	// pm, >50% council, no notice
	{"BK_TTG", "BK_TTG", "merit", "regular", "pm", "council",
		stagesPlus("reception", "supplement", "appraisal", "council", "decision", "central_appraisal", "pm_decision")},
	// pm, simplified procedure: no notice, no council
	{"BK_TTG_simplified", "BK_TTG", "adhoc", "simplified", "pm", "decision",
		stagesPlus("reception", "supplement", "appraisal", "decision", "central_appraisal", "pm_decision")},
	// president, >50% council with public notice: every stage
	{"HC_LAO_DONG_3", "HC_LAO_DONG_3", "merit", "regular", "president", "public_notice",
		stagesPlus("reception", "supplement", "appraisal", "public_notice", "council", "decision", "central_appraisal", "pm_decision", "president_decision")},
}

// outcome is what DOMAIN.md says happens.
type outcome struct {
	kind     domain.ErrorKind // "" when allowed
	next     domain.Stage
	requires []domain.Field
	// leak marks a unit user of another unit whose action the stage does not
	// allow: DOMAIN.md answers 404 (existence must not leak) where a stage
	// check would answer 409. These cases live in disagreements_test.go.
	leak bool
}

func expectFor(v variant, stage domain.Stage, action domain.Action, role domain.Role, own bool) outcome {
	ever := false
	var rule *specRule
	for i := range specTable {
		r := &specTable[i]
		if r.action != action || r.role != role {
			continue
		}
		ever = true
		if r.stage == stage {
			rule = r
		}
	}
	if !ever {
		return outcome{kind: domain.ErrForbidden}
	}
	if role == "unit" && !own {
		return outcome{kind: domain.ErrNotFound, leak: rule == nil}
	}
	if rule == nil {
		// API.md: where the action exists in this stage (for this award) but
		// none of the caller's roles may take it there, 403; else 409.
		for _, r := range specTable {
			if r.stage == stage && r.action == action && (r.auth == nil || slices.Contains(r.auth, v.auth)) {
				return outcome{kind: domain.ErrForbidden}
			}
		}
		return outcome{kind: domain.ErrConflict}
	}
	if rule.auth != nil && !slices.Contains(rule.auth, v.auth) {
		return outcome{kind: domain.ErrConflict}
	}
	if action == "close_vote" {
		// Nobody has voted yet: no quorum, and without it the vote is
		// postponed, never closed (DOMAIN.md Rules).
		return outcome{kind: domain.ErrConflict}
	}
	next := rule.next
	switch next {
	case nextApproveRoute:
		next = v.approveTo
	case nextReturnedFrom:
		next = "reception" // driveTo reaches supplement by a return from reception
	case nextVoteOutcome:
		next = "rejected" // nobody has voted yet: no quorum
	}
	return outcome{next: next, requires: rule.requires}
}

type matrixCase struct {
	v      variant
	stage  domain.Stage
	action domain.Action
	role   domain.Role
	own    bool
	want   outcome
}

func (c matrixCase) name() string {
	who := string(c.role)
	if c.role == "unit" {
		if c.own {
			who = "unit_own"
		} else {
			who = "unit_other"
		}
	}
	return c.v.name + "/" + string(c.stage) + "/" + string(c.action) + "/" + who
}

// actorKinds is every role with one actor, and unit twice (own, other).
type actorKind struct {
	role domain.Role
	own  bool
}

func actorKinds() []actorKind {
	var out []actorKind
	for _, r := range domain.Roles {
		out = append(out, actorKind{r, true})
		if r == domain.RoleUnit {
			out = append(out, actorKind{r, false})
		}
	}
	return out
}

func matrixCases() []matrixCase {
	var out []matrixCase
	for _, v := range variants {
		for _, si := range domain.Stages {
			if !slices.Contains(v.reach, si.Stage) {
				continue
			}
			for _, a := range domain.PublicActions() {
				for _, ak := range actorKinds() {
					out = append(out, matrixCase{v, si.Stage, a, ak.role, ak.own, expectFor(v, si.Stage, a, ak.role, ak.own)})
				}
			}
		}
	}
	return out
}

// commandWith builds action by actor carrying exactly the given fields
// (plus, for the chairman's decide and propose, the number the engine issues).
func commandWith(stage domain.Stage, action domain.Action, actor domain.Actor, fields []domain.Field) domain.Command {
	c := domain.Command{Action: action, Actor: actor}
	for _, f := range fields {
		switch f {
		case "comment":
			c.Comment = "Lý do: hồ sơ chưa đạt"
		case "approve":
			c.Approve = ptrBool(true)
		case "number":
			c.Number = "123/QĐ-TTg"
		case "date":
			c.Date = "2026-05-15"
		case "member":
			c.Member = "c-absent"
		}
	}
	if stage == "decision" && actor.Has(domain.RoleChairman) && (action == "decide" || action == "propose") {
		c.Number = "1/QĐ-UBND"
	}
	return c
}

var allFields = []domain.Field{"comment", "approve", "number", "date", "member"}

// runMatrixCase checks one case against a fresh dossier in the stage.
func runMatrixCase(t *testing.T, mc matrixCase) {
	h := newHarness(t, mc.v.code, mc.v.kind, mc.v.proc, domain.DefaultPolicy())
	h.driveTo(mc.stage)
	actor := actorWith(mc.role, mc.own)

	if mc.want.kind != "" {
		// Refused even with every field supplied.
		refusedUnchanged(t, h.d, commandWith(mc.stage, mc.action, actor, allFields), mc.want.kind)
		return
	}

	// Each required field, missing or blank, is a 422 naming it.
	for _, f := range mc.want.requires {
		var rest []domain.Field
		for _, g := range mc.want.requires {
			if g != f {
				rest = append(rest, g)
			}
		}
		e := refusedUnchanged(t, h.d, commandWith(mc.stage, mc.action, actor, rest), domain.ErrInvalid)
		if !slices.Contains(fieldNames(e), string(f)) {
			t.Errorf("missing %s: 422 names %v, want %s", f, fieldNames(e), f)
		}
		if f == "comment" || f == "number" {
			c := commandWith(mc.stage, mc.action, actor, mc.want.requires)
			if f == "comment" {
				c.Comment = "   "
			} else {
				c.Number = " "
			}
			e := refusedUnchanged(t, h.d, c, domain.ErrInvalid)
			if !slices.Contains(fieldNames(e), string(f)) {
				t.Errorf("blank %s: 422 names %v, want %s", f, fieldNames(e), f)
			}
		}
		if f == "date" {
			c := commandWith(mc.stage, mc.action, actor, mc.want.requires)
			c.Date = "15/05/2026"
			e := refusedUnchanged(t, h.d, c, domain.ErrInvalid)
			if !slices.Contains(fieldNames(e), "date") {
				t.Errorf("bad date: 422 names %v, want date", fieldNames(e))
			}
		}
	}

	c := commandWith(mc.stage, mc.action, actor, mc.want.requires)
	before := clone(h.d)
	if err := h.d.Validate(c); err != nil {
		t.Fatalf("Validate = %v, want allowed (→ %s)", err, mc.want.next)
	}
	if !reflect.DeepEqual(before, h.d) {
		t.Errorf("a successful Validate changed the dossier")
	}
	version, seq := h.d.Version, h.d.Seq
	out := h.d.Apply(c, h.tick(), h.p)
	if h.d.Stage != mc.want.next {
		t.Errorf("after Apply: stage = %s, want %s", h.d.Stage, mc.want.next)
	}
	if got, want := string(h.d.Status), statusOf(mc.want.next); got != want {
		t.Errorf("after Apply: status = %s, want %s", got, want)
	}
	if h.d.Version != version+1 {
		t.Errorf("after Apply: version = %d, want %d", h.d.Version, version+1)
	}
	if len(out) != 1 {
		t.Fatalf("Apply wrote %d history entries, want 1: %+v", len(out), out)
	}
	e := out[0]
	if e.Seq != seq+1 || e.Action != mc.action || e.From != mc.stage || e.To != mc.want.next || e.ActorRole != mc.role {
		t.Errorf("history entry = %+v, want seq %d action %s %s→%s by role %s", e, seq+1, mc.action, mc.stage, mc.want.next, mc.role)
	}
	if mc.action == "vote" {
		if e.ActorID != "" || e.ActorName != "" || e.Details != nil || e.Comment != "" {
			t.Errorf("a vote's history entry shows who or how: %+v", e)
		}
	} else if e.ActorID != actor.ID || e.ActorName != actor.Name {
		t.Errorf("history entry actor = %q %q, want %q %q", e.ActorID, e.ActorName, actor.ID, actor.Name)
	}
}

func statusOf(s domain.Stage) string {
	if specTerminal[s] {
		return string(s)
	}
	return "active"
}

// TestSpecListsMatchDomain makes sure the matrix covers what domain/ has.
func TestSpecListsMatchDomain(t *testing.T) {
	var stages []domain.Stage
	for _, si := range domain.Stages {
		stages = append(stages, si.Stage)
		if si.Terminal != specTerminal[si.Stage] || si.Stage.Terminal() != specTerminal[si.Stage] {
			t.Errorf("stage %s: terminal = %v, want %v", si.Stage, si.Terminal, specTerminal[si.Stage])
		}
		if got, want := string(domain.StatusOf(si.Stage)), statusOf(si.Stage); got != want {
			t.Errorf("StatusOf(%s) = %s, want %s", si.Stage, got, want)
		}
	}
	if !reflect.DeepEqual(stages, specStages) {
		t.Errorf("domain.Stages = %v, want %v", stages, specStages)
	}
	if !reflect.DeepEqual(domain.Roles, specRoles) {
		t.Errorf("domain.Roles = %v, want %v", domain.Roles, specRoles)
	}
	if got, want := sortedActions(domain.PublicActions()), sortedActions(specActions); !reflect.DeepEqual(got, want) {
		t.Errorf("PublicActions() = %v, want %v", got, want)
	}
	for _, a := range specActions {
		if !domain.IsPublicAction(a) {
			t.Errorf("IsPublicAction(%s) = false", a)
		}
	}
	for _, a := range []domain.Action{"submit", "attach_document", "notice_end", "overdue", "nonsense"} {
		if domain.IsPublicAction(a) {
			t.Errorf("IsPublicAction(%s) = true, want false", a)
		}
	}
	if domain.ValidRole(domain.RoleSystem) || domain.ValidRole("root") {
		t.Errorf("ValidRole accepts a role a token may not carry")
	}
	// Every stage is reached by some variant, so the matrix covers it.
	for _, s := range specStages {
		found := false
		for _, v := range variants {
			found = found || slices.Contains(v.reach, s)
		}
		if !found {
			t.Errorf("no variant reaches %s", s)
		}
	}
}

// TestStageDueDays checks DOMAIN.md's due column and who each stage waits on.
func TestStageDueDays(t *testing.T) {
	p := domain.DefaultPolicy()
	want := map[domain.Stage]int{
		"reception": 5, "supplement": 10, "appraisal": 15, "public_notice": 10, "council": 20,
		"decision": 10, "central_appraisal": 20, "pm_decision": 20, "president_decision": 20,
		"awarded": 0, "rejected": 0, "withdrawn": 0, "cancelled": 0,
	}
	for s, n := range want {
		if got := p.DueDays(s); got != n {
			t.Errorf("DefaultPolicy().DueDays(%s) = %d, want %d", s, got, n)
		}
	}
	if p.CouncilMembers != 9 || p.PublicNoticeDays != 10 {
		t.Errorf("DefaultPolicy() = %d members, %d notice days; want 9, 10", p.CouncilMembers, p.PublicNoticeDays)
	}
	p.StageDays = map[domain.Stage]int{"appraisal": 7}
	if got := p.DueDays("appraisal"); got != 7 {
		t.Errorf("StageDays override: DueDays(appraisal) = %d, want 7", got)
	}
	p.PublicNoticeDays = 3
	if got := p.DueDays("public_notice"); got != 3 {
		t.Errorf("DueDays(public_notice) = %d, want the policy's notice length 3", got)
	}
	waits := map[domain.Stage][]domain.Role{
		"reception": {"officer"}, "supplement": {"unit"}, "appraisal": {"officer"}, "public_notice": nil,
		"council": {"council", "secretary"}, "decision": {"chairman"},
		"central_appraisal": {"officer"}, "pm_decision": {"officer"}, "president_decision": {"officer"},
	}
	for s, w := range waits {
		i, ok := domain.Info(s)
		if !ok {
			t.Errorf("Info(%s) not found", s)
			continue
		}
		if len(i.WaitsOn) != len(w) || (len(w) > 0 && !reflect.DeepEqual(i.WaitsOn, w)) {
			t.Errorf("stage %s waits on %v, want %v", s, i.WaitsOn, w)
		}
	}
}

// TestMatrix: every stage × public action × role, for each authority.
// (A unit user of another unit in a stage where units may not act is in
// disagreements_test.go: TestOtherUnitNeverLearnsTheStage.)
func TestMatrix(t *testing.T) {
	n, allowed := 0, 0
	for _, mc := range matrixCases() {
		if mc.want.leak {
			continue // partitioned into disagreements_test.go, not skipped
		}
		n++
		if mc.want.kind == "" {
			allowed++
		}
		t.Run(mc.name(), func(t *testing.T) { runMatrixCase(t, mc) })
	}
	t.Logf("%d matrix cases, %d allowed", n, allowed)
}

// TestAllowedActions: AllowedActions and View.AllowedFor list exactly the
// actions the matrix allows, for every stage and actor.
func TestAllowedActions(t *testing.T) {
	for _, v := range variants {
		for _, s := range v.reach {
			h := newHarness(t, v.code, v.kind, v.proc, domain.DefaultPolicy())
			h.driveTo(s)
			for _, ak := range actorKinds() {
				actor := actorWith(ak.role, ak.own)
				var want []domain.Action
				for _, a := range specActions {
					if expectFor(v, s, a, ak.role, ak.own).kind == "" {
						want = append(want, a)
					}
				}
				before := clone(h.d)
				got := h.d.AllowedActions(actor)
				if !reflect.DeepEqual(sortedActions(got), sortedActions(want)) {
					t.Errorf("%s/%s: AllowedActions(%s, unit %q) = %v, want %v", v.name, s, ak.role, actor.Unit, got, want)
				}
				if !reflect.DeepEqual(before, h.d) {
					t.Errorf("%s/%s: AllowedActions changed the dossier", v.name, s)
				}
				// View.AllowedFor in supplement: see disagreements_test.go.
				if s != "supplement" {
					if got := h.d.View().AllowedFor(actor, false); !reflect.DeepEqual(sortedActions(got), sortedActions(want)) {
						t.Errorf("%s/%s: View().AllowedFor(%s, unit %q, false) = %v, want %v", v.name, s, ak.role, actor.Unit, got, want)
					}
				}
				if got := h.d.View().AllowedActions; got == nil || len(got) != 0 {
					t.Errorf("%s/%s: View().AllowedActions = %#v, want empty (caller-specific)", v.name, s, got)
				}
			}
		}
	}
}

// TestSeveralRoles: a person holding several roles may act in any of them.
func TestSeveralRoles(t *testing.T) {
	both := domain.Actor{ID: "p-1", Name: "Kiêm nhiệm", Roles: []domain.Role{domain.RoleOfficer, domain.RoleChairman}}
	h := regular(t, "BK_UBND_TINH")
	h.do(cAccept(both))
	h.do(domain.Command{Action: domain.ActApprove, Actor: both})
	h.expectStage("decision", "approve by officer+chairman")
	if got := sortedActions(h.d.AllowedActions(both)); !reflect.DeepEqual(got, []string{"decide", "reject", "return"}) {
		t.Errorf("AllowedActions(officer+chairman) at decision = %v", got)
	}
	out := h.do(domain.Command{Action: domain.ActDecide, Actor: both, Number: "5/QĐ-UBND"})
	if out[0].ActorRole != domain.RoleChairman {
		t.Errorf("decide recorded role %s, want chairman", out[0].ActorRole)
	}
	h.expectStage("awarded", "decide")
}

// Only the fields a transition defines are taken: a reception accept with
// a number and a date is refused, so nothing unchecked lands in the history.
func TestFieldsTheTransitionDoesNotTakeAreRefused(t *testing.T) {
	for _, c := range []struct {
		stage domain.Stage
		cmd   domain.Command
		field string
	}{
		{domain.Reception, domain.Command{Action: domain.ActAccept, Actor: officer, Number: "<script>", Date: "2026-01-01"}, "number"},
		{domain.Reception, domain.Command{Action: domain.ActAccept, Actor: officer, Date: "not a date"}, "date"},
		{domain.Appraisal, domain.Command{Action: domain.ActApprove, Actor: officer, Approve: ptrBool(true)}, "approve"},
	} {
		h := newHarness(t, "CSTD_TINH", "merit", "regular", domain.DefaultPolicy())
		h.driveTo(c.stage)
		e := refusedUnchanged(t, h.d, c.cmd, domain.ErrInvalid)
		if len(e.Fields) == 0 || e.Fields[0].Field != c.field {
			t.Errorf("%s %s: fields %v, want %s first", c.stage, c.cmd.Action, e.Fields, c.field)
		}
	}
	// The central level's accept takes its number and date.
	h := newHarness(t, "BK_TTG", "merit", "regular", domain.DefaultPolicy())
	h.driveTo(domain.CentralAppraisal)
	if err := h.d.Validate(domain.Command{Action: domain.ActAccept, Actor: officer, Number: "12/BTĐKT", Date: "2026-04-01"}); err != nil {
		t.Errorf("central accept with number and date: %v", err)
	}
}
