package domain_test

// Paths through the procedure: where approve leads, return and resubmit,
// withdraw, cancel, the decisions and proposals recorded, and the history.

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"tdkt/domain"
)

func TestNewDossier(t *testing.T) {
	s := submission("CSTD_TINH", "merit", "")
	d, e := domain.NewDossier("hs-1", s, unitOwn, t0, domain.DefaultPolicy())
	if d.Stage != "reception" || d.Status != "active" || d.Version != 1 || d.Seq != 1 {
		t.Errorf("new dossier: stage %s status %s version %d seq %d", d.Stage, d.Status, d.Version, d.Seq)
	}
	if d.Unit != ownUnit || d.Authority != "province" || d.Procedure != "regular" || d.ID != "hs-1" {
		t.Errorf("new dossier: unit %q authority %q procedure %q id %q", d.Unit, d.Authority, d.Procedure, d.ID)
	}
	// Monday 2/3/2026 + 5 working days: end of Monday 9/3/2026 in Vietnam.
	if want := time.Date(2026, 3, 9, 17, 0, 0, 0, time.UTC); d.DueAt == nil || !d.DueAt.Equal(want) {
		t.Errorf("reception due %v, want %v", d.DueAt, want)
	}
	if d.Ballot != nil || d.Decision != nil || d.Proposal != nil || d.CentralProposal != nil || d.ReturnedFrom != "" {
		t.Errorf("new dossier carries results: %+v", d)
	}
	if d.Documents == nil {
		t.Errorf("Documents is nil, want an empty list")
	}
	if e.Seq != 1 || e.Action != "submit" || e.From != "" || e.To != "reception" || e.ActorID != unitOwn.ID || e.ActorName != unitOwn.Name || e.ActorRole != "unit" || !e.At.Equal(t0) {
		t.Errorf("first history entry = %+v", e)
	}
	v := d.View()
	if v.ReturnedFrom != nil || v.Votes != nil || v.Stage != "reception" || v.AwardName != "Chiến sĩ thi đua cấp tỉnh" {
		t.Errorf("view of a new dossier = %+v", v)
	}
}

// TestApproveRoute: approve at appraisal goes to public_notice (award with a
// notice, notice length > 0), council (council award without notice, or a
// notice of 0 days) or decision (no council, or the simplified procedure).
func TestApproveRoute(t *testing.T) {
	type tc struct {
		name       string
		code       string
		kind       domain.Kind
		proc       domain.Procedure
		noticeDays int
		want       domain.Stage
	}
	var cases []tc
	for _, a := range specCatalogue {
		for _, days := range []int{10, 0} {
			want := domain.Stage("council")
			switch {
			case a.council == "-":
				want = "decision"
			case a.notice && days > 0:
				want = "public_notice"
			}
			cases = append(cases, tc{a.code + "/regular", a.code, "merit", "regular", days, want})
		}
		if a.council == "-" || a.council == ">50%" {
			for _, k := range []domain.Kind{"adhoc", "dedication", "foreign"} {
				cases = append(cases, tc{a.code + "/simplified/" + string(k), a.code, k, "simplified", 10, "decision"})
			}
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := domain.DefaultPolicy()
			p.PublicNoticeDays = c.noticeDays
			h := newHarness(t, c.code, c.kind, c.proc, p)
			h.do(cAccept(officer))
			out := h.do(cApprove())
			h.expectStage(c.want, "approve")
			if e := out[len(out)-1]; e.From != "appraisal" || e.To != c.want || e.Action != "approve" {
				t.Errorf("approve entry = %+v, want appraisal→%s", e, c.want)
			}
			switch c.want {
			case "public_notice":
				want := p.Calendar.AddWorkingDays(h.now, c.noticeDays)
				if h.d.DueAt == nil || !h.d.DueAt.Equal(want) || h.d.NoticeEndsAt() == nil || !h.d.NoticeEndsAt().Equal(want) {
					t.Errorf("notice ends %v (due %v), want %v", h.d.NoticeEndsAt(), h.d.DueAt, want)
				}
				if h.d.Ballot != nil {
					t.Errorf("a ballot is open during the public notice")
				}
				// Only the timer ends the notice; then the council votes.
				refusedUnchanged(t, h.d, domain.Command{Action: domain.ActNoticeEnd, Actor: officer}, domain.ErrForbidden)
				out := h.do(cNoticeEnd())
				h.expectStage("council", "notice_end")
				if e := out[0]; e.ActorID != "system" || e.ActorRole != domain.RoleSystem || e.From != "public_notice" || e.To != "council" {
					t.Errorf("notice_end entry = %+v", e)
				}
				fallthrough
			case "council":
				b := h.d.Ballot
				if b == nil || b.Members != 9 || b.Quorum != 6 || b.Cast() != 0 || b.Closed {
					t.Fatalf("ballot on entering council = %+v", b)
				}
				if want := yesNeededSpec(c.code, 9); b.Needed != want {
					t.Errorf("ballot needs %d yes, want %d", b.Needed, want)
				}
				if want := p.Calendar.AddWorkingDays(h.now, 20); h.d.DueAt == nil || !h.d.DueAt.Equal(want) {
					t.Errorf("council due %v, want %v", h.d.DueAt, want)
				}
			case "decision":
				if h.d.Ballot != nil {
					t.Errorf("a dossier without a council vote has a ballot: %+v", h.d.Ballot)
				}
			}
		})
	}
}

// returnable lists, for each stage a return may come from, who returns and
// the awards whose dossiers reach it.
var returnable = []struct {
	stage  domain.Stage
	by     domain.Actor
	awards []string
}{
	{"reception", officer, []string{"BK_UBND_TINH", "CSTD_TINH", "BK_TTG", "HC_LAO_DONG_3"}},
	{"appraisal", officer, []string{"BK_UBND_TINH", "CSTD_TINH", "BK_TTG", "HC_LAO_DONG_3"}},
	{"public_notice", officer, []string{"HC_LAO_DONG_3", "AHLD"}},
	{"decision", chairman, []string{"BK_UBND_TINH", "CSTD_TINH", "BK_TTG", "HC_LAO_DONG_3"}},
	{"central_appraisal", officer, []string{"BK_TTG", "CO_THI_DUA_CP", "HC_LAO_DONG_3"}},
}

// TestReturnResubmit: a return goes to supplement and the unit's resubmit
// goes straight back to the stage that returned it; the view shows where it
// was returned from.
func TestReturnResubmit(t *testing.T) {
	for _, r := range returnable {
		for _, code := range r.awards {
			t.Run(string(r.stage)+"/"+code, func(t *testing.T) {
				h := regular(t, code)
				h.driveTo(r.stage)
				// Nobody else may return here: 403, since return is taken in
				// this stage, by someone else (API.md Errors).
				for _, other := range []domain.Actor{officer, chairman} {
					if other.ID != r.by.ID {
						refusedUnchanged(t, h.d, cReturn(other), domain.ErrForbidden)
					}
				}
				out := h.do(cReturn(r.by, domain.DocBienBanHop))
				h.expectStage("supplement", "return")
				e := out[0]
				if e.From != r.stage || e.To != "supplement" || e.Comment == "" || e.Details == nil || !reflect.DeepEqual(e.Details.Missing, []domain.DocumentKind{"bien_ban_hop"}) {
					t.Errorf("return entry = %+v", e)
				}
				if h.d.ReturnedFrom != r.stage {
					t.Errorf("ReturnedFrom = %q, want %s", h.d.ReturnedFrom, r.stage)
				}
				if v := h.d.View(); v.ReturnedFrom == nil || *v.ReturnedFrom != r.stage {
					t.Errorf("View().ReturnedFrom = %v, want %s", v.ReturnedFrom, r.stage)
				}
				if want := h.p.Calendar.AddWorkingDays(h.now, 10); h.d.DueAt == nil || !h.d.DueAt.Equal(want) {
					t.Errorf("supplement due %v, want %v", h.d.DueAt, want)
				}
				if !slices.Contains(h.d.MissingDocuments(), domain.DocBienBanHop) {
					t.Errorf("MissingDocuments() = %v, want bien_ban_hop listed", h.d.MissingDocuments())
				}
				// Only the dossier's own unit resubmits.
				refusedUnchanged(t, h.d, cResubmit(unitOther), domain.ErrNotFound)
				refusedUnchanged(t, h.d, domain.Command{Action: domain.ActResubmit, Actor: officer}, domain.ErrForbidden)
				out = h.do(cResubmit(unitOwn))
				h.expectStage(r.stage, "resubmit")
				if e := out[0]; e.From != "supplement" || e.To != r.stage || e.Action != "resubmit" || e.ActorID != unitOwn.ID {
					t.Errorf("resubmit entry = %+v", e)
				}
				if h.d.ReturnedFrom != "" || h.d.View().ReturnedFrom != nil {
					t.Errorf("after resubmit ReturnedFrom = %q / view %v, want none", h.d.ReturnedFrom, h.d.View().ReturnedFrom)
				}
				if r.stage == "public_notice" {
					if want := h.p.Calendar.AddWorkingDays(h.now, 10); h.d.NoticeEndsAt() == nil || !h.d.NoticeEndsAt().Equal(want) {
						t.Errorf("the notice after resubmit ends %v, want %v (a full new notice)", h.d.NoticeEndsAt(), want)
					}
				}
				// The procedure carries on from there.
				switch r.stage {
				case "decision":
					if h.d.Authority == "province" {
						h.do(cChairmanDecide())
						h.expectStage("awarded", "decide after resubmit")
					} else {
						h.do(cChairmanPropose())
						h.expectStage("central_appraisal", "propose after resubmit")
					}
				case "central_appraisal":
					h.do(cAccept(officer))
					h.expectStage("pm_decision", "accept after resubmit")
				}
			})
		}
	}
}

// TestReturnTwice: a second return from a later stage is where the next
// resubmit goes.
func TestReturnTwice(t *testing.T) {
	h := regular(t, "BK_UBND_TINH")
	h.do(cReturn(officer))
	h.do(cResubmit(unitOwn))
	h.expectStage("reception", "resubmit")
	h.do(cAccept(officer))
	h.do(cReturn(officer))
	h.do(cResubmit(unitOwn))
	h.expectStage("appraisal", "second resubmit")
}

// TestWithdraw: a unit may withdraw until the dossier reaches decision.
func TestWithdraw(t *testing.T) {
	for _, s := range specStages {
		t.Run(string(s), func(t *testing.T) {
			h := regular(t, "HC_LAO_DONG_3")
			h.driveTo(s)
			if s == "council" {
				h.do(cVote(member(1), true)) // an open vote does not stop it
			}
			switch s {
			case "reception", "supplement", "appraisal", "public_notice", "council":
				c := cWithdraw(unitOwn)
				c.Comment = "Đơn vị rút hồ sơ"
				out := h.do(c)
				h.expectStage("withdrawn", "withdraw")
				if h.d.Status != "withdrawn" || h.d.DueAt != nil {
					t.Errorf("withdrawn dossier: status %s due %v", h.d.Status, h.d.DueAt)
				}
				if e := out[0]; e.From != s || e.To != "withdrawn" || e.Comment != "Đơn vị rút hồ sơ" {
					t.Errorf("withdraw entry = %+v", e)
				}
			default:
				refusedUnchanged(t, h.d, cWithdraw(unitOwn), domain.ErrConflict)
			}
		})
	}
	// A dossier returned from decision or a later stage has reached decision.
	for _, from := range []domain.Stage{"reception", "appraisal", "public_notice", "decision", "central_appraisal"} {
		t.Run("supplement_from_"+string(from), func(t *testing.T) {
			h := regular(t, "HC_LAO_DONG_3")
			h.driveTo(from)
			by := officer
			if from == "decision" {
				by = chairman
			}
			h.do(cReturn(by))
			if from == "decision" || from == "central_appraisal" {
				refusedUnchanged(t, h.d, cWithdraw(unitOwn), domain.ErrConflict)
				if slices.Contains(h.d.AllowedActions(unitOwn), "withdraw") {
					t.Errorf("AllowedActions offers withdraw after a return from %s", from)
				}
				if slices.Contains(h.d.View().AllowedFor(unitOwn, false), "withdraw") {
					t.Errorf("View().AllowedFor offers withdraw after a return from %s", from)
				}
				return
			}
			h.do(cWithdraw(unitOwn))
			h.expectStage("withdrawn", "withdraw from supplement")
		})
	}
}

// TestCancel: an admin cancels any running dossier with a reason; a finished
// one cannot be cancelled.
func TestCancel(t *testing.T) {
	for _, s := range specStages {
		t.Run(string(s), func(t *testing.T) {
			h := regular(t, "HC_LAO_DONG_3")
			h.driveTo(s)
			if specTerminal[s] {
				refusedUnchanged(t, h.d, cCancel(), domain.ErrConflict)
				if got := h.d.AllowedActions(admin); len(got) != 0 {
					t.Errorf("AllowedActions(admin) on %s = %v, want none", s, got)
				}
				return
			}
			e := refusedUnchanged(t, h.d, domain.Command{Action: domain.ActCancel, Actor: admin}, domain.ErrInvalid)
			if !reflect.DeepEqual(fieldNames(e), []string{"comment"}) {
				t.Errorf("cancel without a reason: fields %v, want [comment]", fieldNames(e))
			}
			refusedUnchanged(t, h.d, domain.Command{Action: domain.ActCancel, Actor: officer, Comment: "x"}, domain.ErrForbidden)
			out := h.do(cCancel())
			h.expectStage("cancelled", "cancel")
			if h.d.Status != "cancelled" || h.d.DueAt != nil {
				t.Errorf("cancelled: status %s due %v", h.d.Status, h.d.DueAt)
			}
			if e := out[0]; e.From != s || e.To != "cancelled" || e.Comment != "Hồ sơ bị kẹt" || e.ActorID != admin.ID || e.ActorRole != "admin" {
				t.Errorf("cancel entry = %+v", e)
			}
		})
	}
}

// TestRejectDecline: reject and decline need a comment and end the dossier.
func TestRejectDecline(t *testing.T) {
	cases := []struct {
		stage domain.Stage
		code  string
		c     domain.Command
	}{
		{"reception", "BK_UBND_TINH", cReject(officer)},
		{"appraisal", "BK_UBND_TINH", cReject(officer)},
		{"public_notice", "HC_LAO_DONG_3", cReject(officer)},
		{"decision", "CSTD_TINH", cReject(chairman)},
		{"central_appraisal", "BK_TTG", cReject(officer)},
		{"pm_decision", "BK_TTG", cDecline()},
		{"pm_decision", "HC_LAO_DONG_3", cDecline()},
		{"president_decision", "HC_LAO_DONG_3", cDecline()},
	}
	for _, c := range cases {
		t.Run(string(c.stage)+"/"+string(c.c.Action)+"/"+c.code, func(t *testing.T) {
			h := regular(t, c.code)
			h.driveTo(c.stage)
			blank := c.c
			blank.Comment = " \t"
			e := refusedUnchanged(t, h.d, blank, domain.ErrInvalid)
			if !reflect.DeepEqual(fieldNames(e), []string{"comment"}) {
				t.Errorf("fields %v, want [comment]", fieldNames(e))
			}
			out := h.do(c.c)
			h.expectStage("rejected", string(c.c.Action))
			if h.d.Status != "rejected" || out[0].Comment != c.c.Comment {
				t.Errorf("status %s, entry %+v", h.d.Status, out[0])
			}
		})
	}
}

// TestMissingOnlyOnReturn: only a return lists missing documents.
func TestMissingOnlyOnReturn(t *testing.T) {
	h := regular(t, "BK_UBND_TINH")
	c := cAccept(officer)
	c.Missing = []domain.DocumentKind{"bien_ban_hop"}
	e := refusedUnchanged(t, h.d, c, domain.ErrInvalid)
	if !reflect.DeepEqual(fieldNames(e), []string{"missing"}) {
		t.Errorf("fields %v, want [missing]", fieldNames(e))
	}
	e = refusedUnchanged(t, h.d, cReturn(officer, "ban_sao_cccd"), domain.ErrInvalid)
	if !reflect.DeepEqual(fieldNames(e), []string{"missing"}) {
		t.Errorf("unknown kind: fields %v, want [missing]", fieldNames(e))
	}
}

// TestExpectedVersion: If-Match against the dossier's version.
func TestExpectedVersion(t *testing.T) {
	h := regular(t, "BK_UBND_TINH")
	c := cAccept(officer)
	c.ExpectedVersion = h.d.Version + 1
	refusedUnchanged(t, h.d, c, domain.ErrStale)
	c.ExpectedVersion = h.d.Version
	h.do(c)
	h.expectStage("appraisal", "accept with the right version")
}

// TestDecisionsRecorded: decide and propose record the decision, the
// province's proposal and the central proposal, with the issuing authority.
func TestDecisionsRecorded(t *testing.T) {
	t.Run("province", func(t *testing.T) {
		h := regular(t, "BK_UBND_TINH")
		h.driveTo("decision")
		refusedUnchanged(t, h.d, cChairmanPropose(), domain.ErrConflict)
		out := h.do(domain.Command{Action: domain.ActDecide, Actor: chairman, Number: "7/QĐ-UBND", Date: "2026-03-20"})
		want := &domain.Issued{Number: "7/QĐ-UBND", Date: "2026-03-20", Authority: "province"}
		if !reflect.DeepEqual(h.d.Decision, want) || h.d.Proposal != nil || h.d.CentralProposal != nil {
			t.Errorf("decision %+v proposal %+v central %+v", h.d.Decision, h.d.Proposal, h.d.CentralProposal)
		}
		if !reflect.DeepEqual(h.d.View().Decision, want) {
			t.Errorf("View().Decision = %+v", h.d.View().Decision)
		}
		if d := out[0].Details; d == nil || d.Number != "7/QĐ-UBND" {
			t.Errorf("decide entry details = %+v", d)
		}
		h.expectStage("awarded", "decide")
		if h.d.Status != "awarded" {
			t.Errorf("status %s", h.d.Status)
		}
	})
	t.Run("pm", func(t *testing.T) {
		h := regular(t, "BK_TTG")
		h.driveTo("decision")
		refusedUnchanged(t, h.d, cChairmanDecide(), domain.ErrConflict) // a pm award
		h.do(domain.Command{Action: domain.ActPropose, Actor: chairman, Number: "3/TTr-UBND", Date: "2026-03-20"})
		prop := &domain.Issued{Number: "3/TTr-UBND", Date: "2026-03-20", Authority: "province"}
		if !reflect.DeepEqual(h.d.Proposal, prop) || h.d.Decision != nil {
			t.Errorf("proposal %+v decision %+v", h.d.Proposal, h.d.Decision)
		}
		h.expectStage("central_appraisal", "propose")
		h.do(cAccept(officer))
		refusedUnchanged(t, h.d, cCentralPropose(), domain.ErrConflict) // not a president award
		out := h.do(cCentralDecide("150/QĐ-TTg"))
		want := &domain.Issued{Number: "150/QĐ-TTg", Date: "2026-05-15", Authority: "pm"}
		if !reflect.DeepEqual(h.d.Decision, want) || !reflect.DeepEqual(h.d.Proposal, prop) || h.d.CentralProposal != nil {
			t.Errorf("decision %+v proposal %+v central %+v", h.d.Decision, h.d.Proposal, h.d.CentralProposal)
		}
		if d := out[0].Details; d == nil || d.Number != "150/QĐ-TTg" || d.Date != "2026-05-15" {
			t.Errorf("decide entry details = %+v", d)
		}
		v := h.d.View()
		if !reflect.DeepEqual(v.Decision, want) || !reflect.DeepEqual(v.Proposal, prop) {
			t.Errorf("view decision %+v proposal %+v", v.Decision, v.Proposal)
		}
		h.expectStage("awarded", "decide")
	})
	t.Run("president", func(t *testing.T) {
		h := regular(t, "HC_LAO_DONG_3")
		h.driveTo("decision")
		refusedUnchanged(t, h.d, cChairmanDecide(), domain.ErrConflict)
		h.do(cChairmanPropose())
		h.do(domain.Command{Action: domain.ActAccept, Actor: officer, Comment: "Ban TĐKT TW đồng ý", Number: "12/BTĐKT", Date: "2026-04-20"})
		h.expectStage("pm_decision", "central accept")
		refusedUnchanged(t, h.d, cCentralDecide("1/QĐ-TTg"), domain.ErrConflict) // not a pm award
		h.do(cCentralPropose())
		h.expectStage("president_decision", "propose to the President")
		central := &domain.Issued{Number: "88/TTr-CP", Date: "2026-05-10", Authority: "pm"}
		if !reflect.DeepEqual(h.d.CentralProposal, central) {
			t.Errorf("central proposal %+v, want %+v", h.d.CentralProposal, central)
		}
		h.do(cCentralDecide("1000/QĐ-CTN"))
		want := &domain.Issued{Number: "1000/QĐ-CTN", Date: "2026-05-15", Authority: "president"}
		if !reflect.DeepEqual(h.d.Decision, want) || h.d.Proposal == nil || h.d.Proposal.Authority != "province" {
			t.Errorf("decision %+v proposal %+v", h.d.Decision, h.d.Proposal)
		}
		v := h.d.View()
		if !reflect.DeepEqual(v.Decision, want) || !reflect.DeepEqual(v.CentralProposal, central) {
			t.Errorf("view decision %+v central %+v", v.Decision, v.CentralProposal)
		}
		h.expectStage("awarded", "decide")
	})
}

// TestHistory: a long path; the history's seq runs 1, 2, 3… without gaps,
// each entry starts where the previous ended, votes are anonymous and the
// tally is written once, on the close.
func TestHistory(t *testing.T) {
	for _, secretaryCloses := range []bool{false, true} {
		name := "auto_close"
		if secretaryCloses {
			name = "secretary_close"
		}
		t.Run(name, func(t *testing.T) {
			h := regular(t, "HC_LAO_DONG_3")
			h.do(cReturn(officer, domain.DocBienBanHop))
			h.do(domain.Command{Action: domain.ActAttachDocument, Actor: unitOwn, Document: &domain.Document{ID: "doc-1", Kind: domain.DocBienBanHop, Filename: "bien-ban.pdf"}})
			h.do(cResubmit(unitOwn))
			h.do(cAccept(officer))
			h.do(cApprove())
			h.do(cNoticeEnd())
			for i := 1; i <= 9; i++ {
				if secretaryCloses && i == 8 {
					break
				}
				c := cVote(member(i), i != 3)
				c.Comment = "tôi đồng ý"
				h.do(c)
			}
			if secretaryCloses {
				h.do(cClose())
			}
			h.expectStage("decision", "vote")
			h.do(cChairmanPropose())
			h.do(cAccept(officer))
			h.do(cCentralPropose())
			h.do(cCentralDecide("1000/QĐ-CTN"))
			h.expectStage("awarded", "path")

			if h.d.Seq != int64(len(h.hist)) {
				t.Errorf("dossier Seq = %d, want %d", h.d.Seq, len(h.hist))
			}
			tallies := 0
			prevTo := domain.Stage("")
			var prevAt time.Time
			for i, e := range h.hist {
				if e.Seq != int64(i+1) {
					t.Errorf("entry %d has seq %d", i, e.Seq)
				}
				if e.From != prevTo {
					t.Errorf("entry %d (%s) from %q, want %q (the previous entry's to)", e.Seq, e.Action, e.From, prevTo)
				}
				if e.At.Before(prevAt) {
					t.Errorf("entry %d goes back in time", e.Seq)
				}
				prevTo, prevAt = e.To, e.At
				switch e.Action {
				case "vote":
					if e.ActorID != "" || e.ActorName != "" || e.Comment != "" || e.Details != nil || e.From != "council" || e.To != "council" || e.ActorRole != "council" {
						t.Errorf("vote entry shows more than that a member voted: %+v", e)
					}
				case "close_vote":
					if e.Details == nil || e.Details.Tally == nil {
						t.Errorf("close entry has no tally: %+v", e)
						continue
					}
					tallies++
					want := domain.Tally{Members: 9, Cast: 9, Yes: 8, No: 1, Needed: 5, Quorum: 6, Passed: true}
					wantActor, wantRole := "system", domain.RoleSystem
					if secretaryCloses {
						want = domain.Tally{Members: 9, Cast: 7, Yes: 6, No: 1, Needed: 5, Quorum: 6, Passed: true}
						wantActor, wantRole = secretary.ID, "secretary"
					}
					if *e.Details.Tally != want || e.ActorID != wantActor || e.ActorRole != wantRole {
						t.Errorf("close entry = %+v tally %+v, want tally %+v by %s", e, *e.Details.Tally, want, wantActor)
					}
				default:
					if e.ActorID == "" || e.ActorRole == "" {
						t.Errorf("entry %d (%s) has no actor", e.Seq, e.Action)
					}
					if e.Details != nil && e.Details.Tally != nil {
						t.Errorf("entry %d (%s) carries a tally", e.Seq, e.Action)
					}
				}
			}
			if tallies != 1 {
				t.Errorf("%d entries carry a tally, want 1", tallies)
			}
			if h.hist[0].Action != "submit" || h.hist[len(h.hist)-1].To != "awarded" {
				t.Errorf("history from %s to %s", h.hist[0].Action, h.hist[len(h.hist)-1].To)
			}
		})
	}
}

// TestOverdue: a stage past its due date is flagged and written to the
// history; the workflow keeps waiting, and the next stage starts unflagged.
func TestOverdue(t *testing.T) {
	overdue := domain.Command{Action: domain.ActOverdue, Actor: domain.SystemActor}
	h := regular(t, "BK_UBND_TINH")
	refusedUnchanged(t, h.d, domain.Command{Action: domain.ActOverdue, Actor: admin}, domain.ErrForbidden)
	due := *h.d.DueAt
	out := h.do(overdue)
	h.expectStage("reception", "overdue")
	e := out[0]
	if !h.d.Overdue || !h.d.View().Overdue || e.From != "reception" || e.To != "reception" || e.ActorID != "system" || e.Details == nil || e.Details.DueAt == nil || !e.Details.DueAt.Equal(due) {
		t.Errorf("overdue: flag %v, entry %+v", h.d.Overdue, e)
	}
	if slices.Contains(domain.PublicActions(), domain.ActOverdue) {
		t.Errorf("overdue is a public action")
	}
	h.do(cAccept(officer))
	if h.d.Overdue {
		t.Errorf("the next stage starts overdue")
	}
	h.driveTo("rejected")
	refusedUnchanged(t, h.d, overdue, domain.ErrConflict)
}
