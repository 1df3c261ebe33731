package domain_test

// Shared fixtures for the domain tests: actors, submissions, a harness that
// drives a dossier through the real path (Validate then Apply), and a deep
// clone used to prove that a refused command changes nothing.
//
// The expectations in these tests are written by hand from
// /work/shared/DOMAIN.md; they never read domain.Table.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"tdkt/domain"
)

// t0 is Monday 2 March 2026, 09:00 in Vietnam: an ordinary working day.
var t0 = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

const (
	ownUnit   = "SGDDT" // the submitting unit of every test dossier
	otherUnit = "SYT"
)

var (
	unitOwn   = domain.Actor{ID: "unit-own", Name: "Sở Giáo dục và Đào tạo", Roles: []domain.Role{domain.RoleUnit}, Unit: ownUnit}
	unitOther = domain.Actor{ID: "unit-other", Name: "Sở Y tế", Roles: []domain.Role{domain.RoleUnit}, Unit: otherUnit}
	officer   = domain.Actor{ID: "officer-1", Name: "Chuyên viên TĐKT", Roles: []domain.Role{domain.RoleOfficer}}
	secretary = domain.Actor{ID: "secretary-1", Name: "Thư ký Hội đồng", Roles: []domain.Role{domain.RoleSecretary}}
	chairman  = domain.Actor{ID: "chairman-1", Name: "Chủ tịch UBND tỉnh", Roles: []domain.Role{domain.RoleChairman}}
	admin     = domain.Actor{ID: "admin-1", Name: "Quản trị", Roles: []domain.Role{domain.RoleAdmin}}
)

// member is council member i (1-based).
func member(i int) domain.Actor {
	return domain.Actor{ID: fmt.Sprintf("member-%d", i), Name: fmt.Sprintf("Thành viên %d", i), Roles: []domain.Role{domain.RoleCouncil}}
}

// actorWith is one actor holding the single role r; for unit, own says
// whether it is the dossier's own unit.
func actorWith(r domain.Role, own bool) domain.Actor {
	switch r {
	case domain.RoleUnit:
		if own {
			return unitOwn
		}
		return unitOther
	case domain.RoleOfficer:
		return officer
	case domain.RoleCouncil:
		return member(1)
	case domain.RoleSecretary:
		return secretary
	case domain.RoleChairman:
		return chairman
	case domain.RoleAdmin:
		return admin
	}
	panic("unknown role " + string(r))
}

// nomineeTypeFor picks a nominee type the award takes (from DOMAIN.md's "for").
func nomineeTypeFor(code string) domain.NomineeType {
	switch code {
	case "CO_THI_DUA_CP", "CO_THI_DUA_TINH", "TTLDXS":
		return domain.Collective
	}
	return domain.Individual
}

func submission(code string, kind domain.Kind, proc domain.Procedure) domain.Submission {
	typ := nomineeTypeFor(code)
	name := "Nguyễn Văn An"
	if typ == domain.Collective {
		name = "Phòng Giáo dục huyện Tam Đường"
	}
	return domain.Submission{
		AwardCode: code, Kind: kind, Procedure: proc, AchievementPeriod: "2021-2025",
		Nominee: domain.Nominee{Type: typ, Name: name, Position: "Giáo viên", Organization: "Trường THPT Lai Châu"},
		Summary: "Thành tích xuất sắc",
	}
}

func ptrBool(b bool) *bool { return &b }

// harness drives one dossier through the real path.
type harness struct {
	t    testing.TB
	d    *domain.Dossier
	p    domain.Policy
	now  time.Time
	hist []domain.HistoryEntry
}

func newHarness(t testing.TB, code string, kind domain.Kind, proc domain.Procedure, p domain.Policy) *harness {
	t.Helper()
	s := submission(code, kind, proc)
	if err := domain.ValidateSubmission(s); err != nil {
		t.Fatalf("ValidateSubmission(%s %s %s) = %v, want nil", code, kind, proc, err)
	}
	d, e := domain.NewDossier("hs-"+code, s, unitOwn, t0, p)
	h := &harness{t: t, d: d, p: p, now: t0, hist: []domain.HistoryEntry{e}}
	// A complete dossier: every required document attached (DOMAIN.md
	// Rules: accept and approve are refused without them).
	a, _ := domain.AwardByCode(code)
	for _, k := range domain.RequiredDocuments(a, proc) {
		h.do(cAttach(k))
	}
	return h
}

// bare builds a dossier with no document attached.
func bare(t testing.TB, code string, kind domain.Kind, proc domain.Procedure, p domain.Policy) *harness {
	t.Helper()
	d, e := domain.NewDossier("hs-"+code, submission(code, kind, proc), unitOwn, t0, p)
	return &harness{t: t, d: d, p: p, now: t0, hist: []domain.HistoryEntry{e}}
}

// incomplete builds a regular merit dossier with no document attached.
func incomplete(t testing.TB, code string) *harness {
	t.Helper()
	return bare(t, code, domain.KindMerit, domain.ProcedureRegular, domain.DefaultPolicy())
}

func cAttach(k domain.DocumentKind) domain.Command {
	return domain.Command{Action: domain.ActAttachDocument, Actor: unitOwn,
		Document: &domain.Document{ID: "doc-" + string(k), Kind: k, Filename: string(k) + ".pdf", ContentType: "application/pdf"}}
}

// regular builds a regular merit dossier under the default policy.
func regular(t testing.TB, code string) *harness {
	return newHarness(t, code, domain.KindMerit, domain.ProcedureRegular, domain.DefaultPolicy())
}

// tick moves the clock one hour on.
func (h *harness) tick() time.Time {
	h.now = h.now.Add(time.Hour)
	return h.now
}

// do validates and applies c; a refusal fails the test.
func (h *harness) do(c domain.Command) []domain.HistoryEntry {
	h.t.Helper()
	if err := h.d.Validate(c); err != nil {
		h.t.Fatalf("in stage %s, %s by %v: Validate = %v, want nil", h.d.Stage, c.Action, c.Actor.Roles, err)
	}
	out := h.d.Apply(c, h.tick(), h.p)
	if len(out) == 0 {
		h.t.Fatalf("in stage %s, %s by %v: Apply wrote no history", h.d.Stage, c.Action, c.Actor.Roles)
	}
	h.hist = append(h.hist, out...)
	return out
}

// expectStage fails unless the dossier is in stage s.
func (h *harness) expectStage(s domain.Stage, after string) {
	h.t.Helper()
	if h.d.Stage != s {
		h.t.Fatalf("after %s: stage = %s, want %s", after, h.d.Stage, s)
	}
}

// Commands with the fields DOMAIN.md requires.
func cAccept(by domain.Actor) domain.Command {
	return domain.Command{Action: domain.ActAccept, Actor: by}
}
func cApprove() domain.Command { return domain.Command{Action: domain.ActApprove, Actor: officer} }
func cReturn(by domain.Actor, missing ...domain.DocumentKind) domain.Command {
	return domain.Command{Action: domain.ActReturn, Actor: by, Comment: "Thiếu biên bản họp", Missing: missing}
}
func cReject(by domain.Actor) domain.Command {
	return domain.Command{Action: domain.ActReject, Actor: by, Comment: "Không đủ tiêu chuẩn"}
}
func cResubmit(by domain.Actor) domain.Command {
	return domain.Command{Action: domain.ActResubmit, Actor: by}
}
func cWithdraw(by domain.Actor) domain.Command {
	return domain.Command{Action: domain.ActWithdraw, Actor: by}
}
func cVote(by domain.Actor, yes bool) domain.Command {
	return domain.Command{Action: domain.ActVote, Actor: by, Approve: ptrBool(yes)}
}
func cClose() domain.Command { return domain.Command{Action: domain.ActCloseVote, Actor: secretary} }
func cCancel() domain.Command {
	return domain.Command{Action: domain.ActCancel, Actor: admin, Comment: "Hồ sơ bị kẹt"}
}
func cNoticeEnd() domain.Command {
	return domain.Command{Action: domain.ActNoticeEnd, Actor: domain.SystemActor}
}

// The chairman's decide and propose carry the number the engine issued.
func cChairmanDecide() domain.Command {
	return domain.Command{Action: domain.ActDecide, Actor: chairman, Number: "1/QĐ-UBND", Date: "2026-03-20"}
}
func cChairmanPropose() domain.Command {
	return domain.Command{Action: domain.ActPropose, Actor: chairman, Number: "1/TTr-UBND", Date: "2026-03-20"}
}

// Central outcomes carry the central authority's number and date.
func cCentralDecide(number string) domain.Command {
	return domain.Command{Action: domain.ActDecide, Actor: officer, Number: number, Date: "2026-05-15"}
}
func cCentralPropose() domain.Command {
	return domain.Command{Action: domain.ActPropose, Actor: officer, Number: "88/TTr-CP", Date: "2026-05-10"}
}
func cDecline() domain.Command {
	return domain.Command{Action: domain.ActDecline, Actor: officer, Comment: "Trung ương không khen"}
}

// allYes has every council member vote yes (the vote closes by itself).
func (h *harness) allYes() {
	h.t.Helper()
	for i := 1; i <= h.p.CouncilMembers; i++ {
		h.do(cVote(member(i), true))
	}
}

// driveTo takes the dossier from reception to stage s by the real path.
func (h *harness) driveTo(s domain.Stage) {
	h.t.Helper()
	switch s {
	case domain.Reception:
		return
	case domain.Supplement:
		h.do(cReturn(officer))
	case domain.Appraisal:
		h.do(cAccept(officer))
	case domain.PublicNotice, domain.Council, domain.Decision:
		h.do(cAccept(officer))
		h.do(cApprove())
		if s == domain.PublicNotice {
			break
		}
		if h.d.Stage == domain.PublicNotice {
			h.do(cNoticeEnd())
		}
		if s == domain.Council {
			break
		}
		if h.d.Stage == domain.Council {
			h.allYes()
		}
	case domain.CentralAppraisal:
		h.driveTo(domain.Decision)
		h.do(cChairmanPropose())
	case domain.PMDecision:
		h.driveTo(domain.CentralAppraisal)
		h.do(cAccept(officer))
	case domain.PresidentDecision:
		h.driveTo(domain.PMDecision)
		h.do(cCentralPropose())
	case domain.Awarded:
		switch h.d.Authority {
		case domain.AuthorityProvince:
			h.driveTo(domain.Decision)
			h.do(cChairmanDecide())
		case domain.AuthorityPM:
			h.driveTo(domain.PMDecision)
			h.do(cCentralDecide("150/QĐ-TTg"))
		default:
			h.driveTo(domain.PresidentDecision)
			h.do(cCentralDecide("1000/QĐ-CTN"))
		}
	case domain.Rejected:
		h.do(cReject(officer))
	case domain.Withdrawn:
		h.do(cWithdraw(unitOwn))
	case domain.Cancelled:
		h.do(cCancel())
	default:
		h.t.Fatalf("driveTo: unknown stage %s", s)
	}
	h.expectStage(s, "driveTo("+string(s)+")")
}

// clone deep-copies a dossier so that reflect.DeepEqual can prove that
// nothing changed (nil and empty slices are kept apart).
func clone(d *domain.Dossier) *domain.Dossier {
	c := *d
	c.SubmittedBy.Roles = slices.Clone(d.SubmittedBy.Roles)
	if d.DueAt != nil {
		v := *d.DueAt
		c.DueAt = &v
	}
	if d.ReturnedAt != nil {
		v := *d.ReturnedAt
		c.ReturnedAt = &v
	}
	c.ReturnMissing = slices.Clone(d.ReturnMissing)
	if d.Ballot != nil {
		b := *d.Ballot
		b.Voters = slices.Clone(d.Ballot.Voters)
		c.Ballot = &b
	}
	for _, p := range []**domain.Issued{&c.Decision, &c.Proposal, &c.CentralProposal} {
		if *p != nil {
			v := **p
			*p = &v
		}
	}
	c.Documents = slices.Clone(d.Documents)
	c.DocumentTimes = slices.Clone(d.DocumentTimes)
	return &c
}

// refusedUnchanged validates c, which must be refused with kind want, and
// checks that the dossier did not change. It returns the refusal.
func refusedUnchanged(t testing.TB, d *domain.Dossier, c domain.Command, want domain.ErrorKind) *domain.Error {
	t.Helper()
	before := clone(d)
	beforeJSON, _ := json.Marshal(d)
	err := d.Validate(c)
	if err == nil {
		t.Errorf("stage %s: %s by %v (unit %q): Validate = nil, want %s", d.Stage, c.Action, c.Actor.Roles, c.Actor.Unit, want)
		return nil
	}
	if err.Kind != want {
		t.Errorf("stage %s: %s by %v (unit %q): Validate = %v, want kind %s", d.Stage, c.Action, c.Actor.Roles, c.Actor.Unit, err, want)
	}
	if !reflect.DeepEqual(before, d) {
		t.Errorf("stage %s: refused %s changed the dossier:\nbefore %+v\nafter  %+v", d.Stage, c.Action, before, d)
	}
	if afterJSON, _ := json.Marshal(d); string(afterJSON) != string(beforeJSON) {
		t.Errorf("stage %s: refused %s changed the dossier's JSON", d.Stage, c.Action)
	}
	return err
}

// fieldNames lists the field names of a 422.
func fieldNames(e *domain.Error) []string {
	if e == nil {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func sortedActions(in []domain.Action) []string {
	out := make([]string, 0, len(in))
	for _, a := range in {
		out = append(out, string(a))
	}
	sort.Strings(out)
	return out
}

func sortedKinds(in []domain.DocumentKind) []string {
	out := make([]string, 0, len(in))
	for _, k := range in {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
