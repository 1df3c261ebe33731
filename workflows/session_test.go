package workflows

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"tdkt/domain"
)

// A session of 120 dossiers and 9 members: the agenda changes before any
// ballot and not after; members cast one ballot each covering the agenda
// (an incomplete one, a second one and a non-member's are refused); the
// secretary records a written opinion; closing is refused without a
// quorum, then applies each dossier's counts once, in chunks; a second
// close is refused; and no answer shows a tally while the session is open.
func TestSessionVotesTheAgendaAndClosesOnce(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 1, 20, 8, 0, 0, 0, domain.Local))
	env.RegisterWorkflowWithOptions(CouncilSession, workflow.RegisterOptions{Name: SessionWorkflowName})
	var mu sync.Mutex
	applied := map[string]domain.Tally{}
	chunks := 0
	env.RegisterActivityWithOptions(func(_ context.Context, in ApplySessionInput) (ApplySessionResult, error) {
		mu.Lock()
		defer mu.Unlock()
		chunks++
		if in.Session != "PH-2026-0001" || in.Secretary.ID != secretary.ID || len(in.Items) > SessionChunk {
			return ApplySessionResult{}, fmt.Errorf("apply input %+v", in)
		}
		var r ApplySessionResult
		for _, it := range in.Items {
			if _, twice := applied[it.DossierID]; twice {
				return ApplySessionResult{}, fmt.Errorf("%s applied twice", it.DossierID)
			}
			applied[it.DossierID] = it.Tally
			if it.DossierID == "HS-2026-000009" {
				r.Dropped = append(r.Dropped, BatchDropped{DossierID: it.DossierID, Reason: "đã bị trả lại"})
				continue
			}
			got := it.Tally
			got.Needed, got.Quorum = 7, 6
			got.Passed = got.Yes >= got.Needed
			r.Applied = append(r.Applied, SessionApplied{DossierID: it.DossierID, Tally: got})
		}
		return r, nil
	}, activity.RegisterOptions{Name: ApplySessionActivity})

	var ids []string
	for i := 1; i <= 121; i++ {
		ids = append(ids, fmt.Sprintf("HS-2026-%06d", i))
	}
	all := func(yes func(id string) string) []Choice {
		var out []Choice
		for _, id := range ids[:120] {
			out = append(out, Choice{DossierID: id, Choice: yes(id)})
		}
		return out
	}
	// Members 1–6 vote yes on all but dossier 2 (no) and 3 (abstain); member
	// 7 (written opinion) votes yes on all.
	choice := func(id string) string {
		switch id {
		case ids[1]:
			return ChoiceNo
		case ids[2]:
			return ChoiceAbstain
		}
		return ChoiceYes
	}
	var answered int
	step := 0
	sent := 0
	update := func(name string, arg any, want domain.ErrorKind, check func(SessionView)) {
		sent++
		if name != UpdateSessionClose || want != domain.ErrConflict || step < 15 {
			step++ // a second close goes with the first, while it runs
		}
		at, sent := time.Duration(step)*time.Minute, sent
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(name, fmt.Sprintf("%s-%d", name, sent), &testsuite.TestUpdateCallback{
				OnAccept: func() {
					if want != "" {
						t.Errorf("%s at %v accepted, want %s", name, at, want)
					}
				},
				OnReject: func(err error) {
					answered++
					e, ok := AsRefusal(err)
					if !ok || e.Kind != want {
						t.Errorf("%s at %v refused %v, want %q", name, at, err, want)
					}
				},
				OnComplete: func(res any, err error) {
					if want == "" {
						answered++
						if err != nil {
							t.Errorf("%s at %v: %v", name, at, err)
						} else if check != nil {
							check(res.(SessionView))
						}
					}
				},
			}, arg)
		}, at)
	}
	noTally := func(v SessionView) {
		for _, it := range v.Agenda {
			require.Nil(t, it.Tally, "a tally shown while the session is open")
		}
	}
	items := make([]AgendaItem, 0, 120)
	for _, id := range ids[3:120] {
		items = append(items, AgendaItem{DossierID: id, AwardCode: "BK_UBND"})
	}
	update(UpdateSessionAgenda, SessionAgenda{Actor: member(1), Add: items}, domain.ErrForbidden, nil)
	update(UpdateSessionAgenda, SessionAgenda{Actor: secretary, Remove: []string{ids[100]}}, domain.ErrInvalid, nil)
	update(UpdateSessionAgenda, SessionAgenda{Actor: secretary, Add: items}, "", func(v SessionView) {
		require.Len(t, v.Agenda, 120)
		require.EqualValues(t, 2, v.Version)
	})
	update(UpdateSessionBallot, SessionBallot{Actor: member(1), Member: "c1", Choices: all(choice)[:119]}, domain.ErrInvalid, nil)
	update(UpdateSessionBallot, SessionBallot{Actor: secretary, Member: "s1", Choices: all(choice)}, domain.ErrForbidden, nil)
	for i := 1; i <= 5; i++ {
		update(UpdateSessionBallot, SessionBallot{Actor: member(i), Member: member(i).ID, Choices: all(choice)}, "", noTally)
	}
	update(UpdateSessionBallot, SessionBallot{Actor: member(1), Member: "c1", Choices: all(choice)}, domain.ErrConflict, nil)
	update(UpdateSessionAgenda, SessionAgenda{Actor: secretary, Remove: []string{ids[5]}}, domain.ErrConflict, nil)
	update(UpdateSessionClose, SessionClose{Actor: secretary}, domain.ErrConflict, nil) // 5 of 6
	update(UpdateSessionOpinion, SessionBallot{Actor: secretary, Member: "c7", MemberName: "Thành viên 7",
		Choices: all(func(string) string { return ChoiceYes })}, "", noTally)
	update(UpdateSessionBallot, SessionBallot{Actor: member(6), Member: "c6", Choices: all(choice)}, "", func(v SessionView) {
		noTally(v)
		require.Equal(t, 7, v.BallotsCast)
		require.True(t, v.HasCast("c7"))
		require.Equal(t, Attendee{ID: "c7", Name: "Thành viên 7", Written: true}, v.Attendance[5])
	})
	update(UpdateSessionClose, SessionClose{Actor: member(1)}, domain.ErrForbidden, nil)
	update(UpdateSessionClose, SessionClose{Actor: secretary}, "", func(v SessionView) {
		require.Equal(t, SessionClosed, v.Status)
		for _, it := range v.Agenda {
			require.NotNil(t, it.Tally, it.DossierID)
			require.Equal(t, 7, it.Tally.Yes+it.Tally.No+it.Tally.Abstain, it.DossierID)
		}
		require.Equal(t, SessionTally{Yes: 1, No: 6, Needed: 7}, *v.Agenda[1].Tally)
		require.Equal(t, SessionTally{Yes: 1, Abstain: 6, Needed: 7}, *v.Agenda[2].Tally)
		require.Equal(t, SessionTally{Yes: 7, Needed: 7, Passed: true}, *v.Agenda[0].Tally)
		require.True(t, v.Agenda[0].Applied)
		require.False(t, v.Agenda[8].Applied)
		require.Equal(t, "đã bị trả lại", v.Agenda[8].Dropped)
	})
	update(UpdateSessionClose, SessionClose{Actor: secretary}, domain.ErrConflict, nil)

	env.ExecuteWorkflow(SessionWorkflowName, SessionInput{ID: "PH-2026-0001", Title: "Phiên họp xét khen thưởng năm 2025",
		Date: "2026-01-20", Agenda: []AgendaItem{{DossierID: ids[0], AwardCode: "BK_UBND"}, {DossierID: ids[1], AwardCode: "BK_UBND"},
			{DossierID: ids[2], AwardCode: "BK_UBND"}},
		Members: 9, Quorum: 6, By: secretary, CreatedAt: time.Date(2026, 1, 20, 1, 0, 0, 0, time.UTC)})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, sent, answered, "every update was answered")
	require.Len(t, applied, 120, "every dossier's counts sent once")
	require.Equal(t, 3, chunks, "120 dossiers in chunks of 50")
	require.Equal(t, domain.Tally{Members: 9, Cast: 7, Yes: 7}, applied[ids[50]])
}
