package domain_test

// The council vote: thresholds, quorum, automatic and secretary close, the
// secret ballot in the view and the history, one vote per member.

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"tdkt/domain"
)

// Awards by council share, each reaching the council without a notice.
var shareAward = map[string]string{">50%": "BK_TTG", "80%": "CO_THI_DUA_TINH", "90%": "CSTD_TINH"}

// councilWith puts a dossier for code into the council stage with a council
// of the given size.
func councilWith(t *testing.T, code string, members int) *harness {
	t.Helper()
	p := domain.DefaultPolicy()
	p.CouncilMembers = members
	h := newHarness(t, code, "merit", "regular", p)
	h.driveTo("council")
	return h
}

func TestQuorum(t *testing.T) {
	for members, want := range map[int]int{9: 6, 7: 5, 15: 10, 3: 2, 6: 4, 10: 7, 12: 8, 1: 1} {
		p := domain.Policy{CouncilMembers: members}
		if got := p.Quorum(); got != want {
			t.Errorf("Quorum() with %d members = %d, want %d (two thirds)", members, got, want)
		}
	}
}

func TestYesNeeded(t *testing.T) {
	// DOMAIN.md: yes ≥ share × size; ">50%" is strictly more than half.
	want := map[string]map[int]int{
		">50%": {9: 5, 7: 4, 15: 8, 10: 6},
		"80%":  {9: 8, 7: 6, 15: 12, 10: 8},
		"90%":  {9: 9, 7: 7, 15: 14, 10: 9},
	}
	for share, byN := range want {
		a, _ := domain.AwardByCode(shareAward[share])
		for n, y := range byN {
			if got := a.YesNeeded(n); got != y {
				t.Errorf("%s (%s): YesNeeded(%d) = %d, want %d", a.Code, share, n, got, y)
			}
		}
	}
	for _, code := range []string{"BK_UBND_TINH", "TTLDXS"} {
		a, _ := domain.AwardByCode(code)
		if got := a.YesNeeded(9); got != 0 {
			t.Errorf("%s (no council): YesNeeded(9) = %d, want 0", code, got)
		}
	}
}

// TestVoteThreshold: with every member voting (the vote closes by itself),
// the award passes at exactly the threshold and fails one below.
func TestVoteThreshold(t *testing.T) {
	needed := map[int]map[string]int{
		9:  {">50%": 5, "80%": 8, "90%": 9},
		7:  {">50%": 4, "80%": 6, "90%": 7},
		15: {">50%": 8, "80%": 12, "90%": 14},
	}
	for members, byShare := range needed {
		for share, y := range byShare {
			for _, yes := range []int{y, y - 1} {
				want := domain.Stage("decision")
				if yes < y {
					want = "rejected"
				}
				t.Run(fmt.Sprintf("%d_members/%s/%d_yes", members, share, yes), func(t *testing.T) {
					h := councilWith(t, shareAward[share], members)
					if h.d.Ballot.Needed != y || h.d.Ballot.Quorum != (2*members+2)/3 || h.d.Ballot.Members != members {
						t.Errorf("ballot = %+v, want needed %d", h.d.Ballot, y)
					}
					var out []domain.HistoryEntry
					for i := 1; i <= members; i++ {
						out = h.do(cVote(member(i), i <= yes))
						if i < members {
							h.expectStage("council", fmt.Sprintf("vote %d of %d", i, members))
						}
					}
					// The last vote closes the vote by itself.
					h.expectStage(want, "the last vote")
					if len(out) != 2 || out[0].Action != "vote" || out[1].Action != "close_vote" || out[1].ActorID != "system" {
						t.Fatalf("last vote wrote %+v, want a vote and the system's close", out)
					}
					tally := out[1].Details.Tally
					wantTally := domain.Tally{Members: members, Cast: members, Yes: yes, No: members - yes, Needed: y, Quorum: (2*members + 2) / 3, Passed: want == "decision"}
					if tally == nil || *tally != wantTally {
						t.Errorf("tally = %+v, want %+v", tally, wantTally)
					}
					if !h.d.Ballot.Closed || h.d.Ballot.Passed() != (want == "decision") {
						t.Errorf("ballot after close = %+v", h.d.Ballot)
					}
				})
			}
		}
	}
}

// TestVoteQuorum: the secretary closes before everyone has voted only with a
// quorum (two thirds of the council): with one voter fewer the close is
// refused (409) and changes nothing, since a missing quorum postpones the
// vote and never rejects the dossier (DOMAIN.md Rules); with the quorum
// (even the last voter saying no) it closes and passes.
func TestVoteQuorum(t *testing.T) {
	for _, c := range []struct{ members, needed, quorum int }{{9, 5, 6}, {7, 4, 5}, {15, 8, 10}} {
		for _, extraNo := range []int{c.quorum - c.needed - 1, c.quorum - c.needed} {
			cast := c.needed + extraNo
			t.Run(fmt.Sprintf("%d_members/%d_yes_of_%d_cast", c.members, c.needed, cast), func(t *testing.T) {
				h := councilWith(t, "BK_TTG", c.members)
				for i := 1; i <= cast; i++ {
					h.do(cVote(member(i), i <= c.needed))
				}
				h.expectStage("council", "votes before close")
				close := cClose()
				close.Comment = "Hết thời gian họp"
				if cast < c.quorum {
					refusedUnchanged(t, h.d, close, domain.ErrConflict)
					return
				}
				out := h.do(close)
				h.expectStage("decision", "secretary close")
				e := out[0]
				wantTally := domain.Tally{Members: c.members, Cast: cast, Yes: c.needed, No: extraNo, Needed: c.needed, Quorum: c.quorum, Passed: true}
				if e.Action != "close_vote" || e.ActorID != secretary.ID || e.ActorRole != "secretary" || e.Details == nil || e.Details.Tally == nil || *e.Details.Tally != wantTally || e.Comment != "Hết thời gian họp" {
					t.Errorf("close entry = %+v, want tally %+v", e, wantTally)
				}
			})
		}
	}
	// Nobody voting: no quorum, the close is refused.
	h := councilWith(t, "BK_TTG", 9)
	refusedUnchanged(t, h.d, cClose(), domain.ErrConflict)
	h.expectStage("council", "close with no votes")
}

// TestWrittenOpinions: the secretary records the written opinions of absent
// members; each counts as that member's vote (towards the quorum and the
// tally), the member cannot vote again, and the history says an opinion
// was recorded, never whose or how.
func TestWrittenOpinions(t *testing.T) {
	h := councilWith(t, "BK_TTG", 9)
	for i := 1; i <= 4; i++ {
		h.do(cVote(member(i), true))
	}
	refusedUnchanged(t, h.d, cClose(), domain.ErrConflict) // 4 of 9: no quorum
	yes, no := true, false
	out := h.do(domain.Command{Action: domain.ActWrittenOpinion, Actor: secretary, Member: member(5).ID, Approve: &yes})
	if len(out) != 1 || out[0].ActorID != secretary.ID || out[0].Details != nil || out[0].Comment != "" {
		t.Fatalf("written opinion entry = %+v", out)
	}
	h.do(domain.Command{Action: domain.ActWrittenOpinion, Actor: secretary, Member: member(6).ID, Approve: &no})
	// The absent member cannot vote, nor have a second opinion recorded.
	refusedUnchanged(t, h.d, cVote(member(5), true), domain.ErrConflict)
	refusedUnchanged(t, h.d, domain.Command{Action: domain.ActWrittenOpinion, Actor: secretary, Member: member(5).ID, Approve: &no}, domain.ErrConflict)
	// Nor without saying whose, or how.
	refusedUnchanged(t, h.d, domain.Command{Action: domain.ActWrittenOpinion, Actor: secretary, Approve: &no}, domain.ErrInvalid)
	refusedUnchanged(t, h.d, domain.Command{Action: domain.ActWrittenOpinion, Actor: secretary, Member: member(7).ID}, domain.ErrInvalid)
	// Only the secretary records them.
	refusedUnchanged(t, h.d, domain.Command{Action: domain.ActWrittenOpinion, Actor: member(7), Member: member(8).ID, Approve: &yes}, domain.ErrForbidden)
	// 6 of 9 now: the quorum; 5 yes of 5 needed: passed.
	out = h.do(cClose())
	h.expectStage("decision", "close with written opinions")
	if tl := out[0].Details.Tally; tl.Cast != 6 || tl.Yes != 5 || tl.No != 1 || !tl.Passed {
		t.Errorf("tally = %+v", tl)
	}
}

// TestSecretBallot: while open the view shows how many voted, not how; after
// close it shows the tally. A member cannot vote twice, nor after the close.
func TestSecretBallot(t *testing.T) {
	h := councilWith(t, "BK_TTG", 9)
	v := h.d.View()
	if v.Votes == nil || v.Votes.Cast != 0 || v.Votes.Members != 9 || v.Votes.Needed != 5 || v.Votes.Yes != nil || v.Votes.No != nil {
		t.Fatalf("view of an open vote = %+v", v.Votes)
	}
	if got := v.AllowedFor(member(1), false); !slices.Contains(got, "vote") {
		t.Errorf("AllowedFor(member, not voted) = %v, want vote", got)
	}
	if got := v.AllowedFor(member(1), true); slices.Contains(got, "vote") {
		t.Errorf("AllowedFor(member, voted) = %v, want no vote", got)
	}

	// A vote needs approve.
	e := refusedUnchanged(t, h.d, domain.Command{Action: domain.ActVote, Actor: member(1)}, domain.ErrInvalid)
	if !reflect.DeepEqual(fieldNames(e), []string{"approve"}) {
		t.Errorf("vote without approve: fields %v", fieldNames(e))
	}

	h.do(cVote(member(1), true))
	h.do(cVote(member(2), false))
	h.do(cVote(member(3), true))
	v = h.d.View()
	if v.Votes.Cast != 3 || v.Votes.Yes != nil || v.Votes.No != nil {
		t.Errorf("view while open = %+v, want cast 3 and no tally", v.Votes)
	}
	// A second vote, either way, is a conflict; nothing changes.
	refusedUnchanged(t, h.d, cVote(member(2), true), domain.ErrConflict)
	refusedUnchanged(t, h.d, cVote(member(1), false), domain.ErrConflict)
	if slices.Contains(h.d.AllowedActions(member(1)), "vote") {
		t.Errorf("AllowedActions offers vote to a member who voted")
	}
	if !slices.Contains(h.d.AllowedActions(member(4)), "vote") {
		t.Errorf("AllowedActions does not offer vote to a member who has not voted")
	}
	if got := h.d.View().AllowedFor(member(1), true); slices.Contains(got, "vote") {
		t.Errorf("View().AllowedFor(voted member, true) = %v, want no vote", got)
	}
	// The view and its JSON hold no voter and no choice.
	for _, id := range []string{"member-1", "member-2", "member-3"} {
		if b, _ := jsonString(h.d.View()); contains(b, id) {
			t.Errorf("the view's JSON names voter %s", id)
		}
	}

	h.do(cVote(member(4), true))
	h.do(cVote(member(5), true))
	h.do(cVote(member(6), true))
	h.do(cClose())
	h.expectStage("decision", "close with 5 yes of 6")
	v = h.d.View()
	if v.Votes == nil || v.Votes.Cast != 6 || v.Votes.Yes == nil || *v.Votes.Yes != 5 || v.Votes.No == nil || *v.Votes.No != 1 {
		t.Errorf("view after close = %+v, want cast 6, yes 5, no 1", v.Votes)
	}
	// After the close nobody votes and the secretary cannot close again.
	refusedUnchanged(t, h.d, cVote(member(7), true), domain.ErrConflict)
	refusedUnchanged(t, h.d, cClose(), domain.ErrConflict)
	if slices.Contains(v.AllowedFor(member(7), false), "vote") {
		t.Errorf("AllowedFor offers vote after the close")
	}
}

// TestVoteClosedBallot: a ballot closed but still in council (as a read model
// could hold it) refuses votes.
func TestVoteClosedBallot(t *testing.T) {
	h := councilWith(t, "BK_TTG", 9)
	h.d.Ballot.Closed = true
	refusedUnchanged(t, h.d, cVote(member(1), true), domain.ErrConflict)
	if slices.Contains(h.d.AllowedActions(member(1)), "vote") {
		t.Errorf("AllowedActions offers vote on a closed ballot")
	}
}

// TestBallotPassed checks the rule on ballots set directly.
func TestBallotPassed(t *testing.T) {
	cases := []struct {
		b    domain.Ballot
		want bool
	}{
		{domain.Ballot{Members: 9, Needed: 5, Quorum: 6, Voters: voters(6), Yes: 5, No: 1}, true},
		{domain.Ballot{Members: 9, Needed: 5, Quorum: 6, Voters: voters(5), Yes: 5}, false},
		{domain.Ballot{Members: 9, Needed: 5, Quorum: 6, Voters: voters(9), Yes: 4, No: 5}, false},
		{domain.Ballot{Members: 9, Needed: 9, Quorum: 6, Voters: voters(9), Yes: 9}, true},
		{domain.Ballot{Members: 9, Needed: 9, Quorum: 6, Voters: voters(9), Yes: 8, No: 1}, false},
		{domain.Ballot{Members: 15, Needed: 8, Quorum: 10, Voters: voters(9), Yes: 9}, false},
		{domain.Ballot{Members: 15, Needed: 8, Quorum: 10, Voters: voters(10), Yes: 8, No: 2}, true},
	}
	for i, c := range cases {
		if got := c.b.Passed(); got != c.want {
			t.Errorf("case %d: %+v Passed() = %v, want %v", i, c.b, got, c.want)
		}
		if c.b.Cast() != len(c.b.Voters) || !c.b.HasVoted("member-1") || c.b.HasVoted("member-99") {
			t.Errorf("case %d: Cast/HasVoted wrong", i)
		}
	}
}

func voters(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = member(i + 1).ID
	}
	return out
}
