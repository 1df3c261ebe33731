package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"tdkt/activities"
	"tdkt/codec"
	"tdkt/domain"
)

// readModel is an in-memory stand-in for the projection and numbering
// activities: the workflow tests check what the workflow asks them to write.
type readModel struct {
	mu       sync.Mutex
	views    map[string]domain.View
	history  map[string]map[int64]domain.HistoryEntry
	voters   map[string][]string
	counters map[string]int
	issued   map[string]string
	// failProjections makes the next n projections fail (retryably).
	failProjections int
	// failFatally makes the projection of these versions fail for good.
	failFatally map[int64]bool
	calls       int
}

func newReadModel() *readModel {
	return &readModel{views: map[string]domain.View{}, history: map[string]map[int64]domain.HistoryEntry{},
		voters: map[string][]string{}, counters: map[string]int{}, issued: map[string]string{}}
}

func (m *readModel) Project(_ context.Context, in activities.ProjectInput) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.failProjections > 0 {
		m.failProjections--
		return errors.New("database unavailable")
	}
	if m.failFatally[in.View.Version] {
		delete(m.failFatally, in.View.Version)
		return temporal.NewNonRetryableApplicationError("bug", "Bug", nil)
	}
	if cur, ok := m.views[in.View.ID]; !ok || cur.Version < in.View.Version {
		m.views[in.View.ID] = in.View
	}
	h := m.history[in.View.ID]
	if h == nil {
		h = map[int64]domain.HistoryEntry{}
		m.history[in.View.ID] = h
	}
	for _, e := range in.Entries {
		if _, dup := h[e.Seq]; !dup {
			h[e.Seq] = e
		}
	}
	for _, v := range append(in.Voters, in.Voter) {
		if v != "" && !slices.Contains(m.voters[in.View.ID], v) {
			m.voters[in.View.ID] = append(m.voters[in.View.ID], v)
		}
	}
	return nil
}

func (m *readModel) IssueNumber(_ context.Context, in activities.IssueNumberInput) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := in.DossierID + "/" + string(in.Kind)
	if n, ok := m.issued[key]; ok {
		return n, nil
	}
	ck := fmt.Sprintf("%s/%d", in.Kind, in.Year)
	m.counters[ck]++
	n := fmt.Sprintf("%d/%s", m.counters[ck], in.Kind)
	m.issued[key] = n
	return n, nil
}

func (m *readModel) entries(id string) []domain.HistoryEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.HistoryEntry
	for _, e := range m.history[id] {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

var (
	unitA     = domain.Actor{ID: "u-sgddt", Name: "Sở GD&ĐT", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	unitB     = domain.Actor{ID: "u-syt", Name: "Sở Y tế", Roles: []domain.Role{domain.RoleUnit}, Unit: "SYT"}
	officer   = domain.Actor{ID: "o1", Name: "Chuyên viên", Roles: []domain.Role{domain.RoleOfficer}}
	secretary = domain.Actor{ID: "s1", Name: "Thư ký", Roles: []domain.Role{domain.RoleSecretary}}
	chairman  = domain.Actor{ID: "ch", Name: "Chủ tịch", Roles: []domain.Role{domain.RoleChairman}}
	admin     = domain.Actor{ID: "ad", Name: "Quản trị", Roles: []domain.Role{domain.RoleAdmin}}
)

func member(i int) domain.Actor {
	return domain.Actor{ID: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("Thành viên %d", i), Roles: []domain.Role{domain.RoleCouncil}}
}

// step is one update sent at a point of (skipped) time; want is the refusal
// kind expected, or "" for an accepted action, whose resulting stage is stage.
type step struct {
	at    time.Duration
	cmd   domain.Command
	want  domain.ErrorKind
	stage domain.Stage
	check func(t *testing.T, v domain.View)
	// lagging: the read model is expected to be behind after this step.
	lagging bool
}

func yes(b bool) *bool { return &b }

type harness struct {
	// bare: no document attached before the steps.
	bare bool
	// legacy: the API of before, which neither sets a submission time nor
	// asks to project itself: the workflow projects every transition with
	// its activity. Otherwise the harness does what the API does: it
	// projects the opening computed from the start's input, and each
	// action's outcome once the update completes.
	legacy bool
	start  time.Time
	// startSeal is the start's seal (see SetVerifier).
	startSeal string
	t         *testing.T
	env       *testsuite.TestWorkflowEnvironment
	rm        *readModel
	id        string
}

// newHarness runs the workflow in the test environment; with a verifier,
// the worker holds the API's keys (DossierWith).
func newHarness(t *testing.T, start time.Time, v ...Verifier) *harness {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	rm := newReadModel()
	wf := Dossier
	if len(v) > 0 {
		wf = DossierWith(v[0])
	}
	env.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: DossierWorkflowName})
	env.RegisterActivityWithOptions(rm.Project, activity.RegisterOptions{Name: activities.ProjectActivity})
	env.RegisterActivityWithOptions(rm.IssueNumber, activity.RegisterOptions{Name: activities.IssueNumberActivity})
	return &harness{t: t, env: env, rm: rm, id: "HS-2026-000001", start: start}
}

// run submits a dossier, plays the steps, and returns the final view if the
// workflow finished.
func (h *harness) run(sub domain.Submission, p domain.Policy, steps []step) (domain.View, bool) {
	t := h.t
	if !h.bare {
		// A complete dossier: the unit attaches every required document
		// first (DOMAIN.md Rules: accept and approve need them).
		a, _ := domain.AwardByCode(sub.AwardCode)
		var attach []step
		for i, k := range domain.RequiredDocuments(a, sub.Procedure) {
			doc := &domain.Document{ID: fmt.Sprintf("doc-%d", i), Kind: k, Filename: string(k) + ".pdf", ContentType: "application/pdf"}
			attach = append(attach, step{at: time.Duration(i+1) * time.Second, cmd: domain.Command{Action: domain.ActAttachDocument, Actor: unitA, Document: doc}})
		}
		steps = append(attach, steps...)
	}
	for i, s := range steps {
		i, s := i, s
		if !h.legacy {
			s.cmd.CallerProjects = true
		}
		h.env.RegisterDelayedCallback(func() {
			before := h.query()
			seqBefore := len(h.rm.entries(h.id))
			h.env.UpdateWorkflow(UpdateName(s.cmd.Action), fmt.Sprintf("u%d", i), &testsuite.TestUpdateCallback{
				OnAccept: func() {
					if s.want != "" {
						t.Errorf("step %d %s by %s: accepted, want %s", i, s.cmd.Action, s.cmd.Actor.ID, s.want)
					}
				},
				OnReject: func(err error) {
					e, ok := AsRefusal(err)
					if !ok || s.want == "" || e.Kind != s.want {
						t.Errorf("step %d %s by %s: refused %v, want %q", i, s.cmd.Action, s.cmd.Actor.ID, err, s.want)
					}
					if after := h.query(); after.Version != before.Version || len(h.rm.entries(h.id)) != seqBefore {
						t.Errorf("step %d: a refused action changed the dossier", i)
					}
				},
				OnComplete: func(res interface{}, err error) {
					if s.want != "" {
						return
					}
					if err != nil {
						t.Errorf("step %d %s: failed %v", i, s.cmd.Action, err)
						return
					}
					out := res.(Outcome)
					v := out.View
					if !h.legacy {
						if len(out.Entries) == 0 {
							t.Errorf("step %d %s: no history entries in the outcome", i, s.cmd.Action)
						}
						// What the API does with the outcome.
						_ = h.rm.Project(context.Background(), activities.ProjectInput{View: v, Entries: out.Entries, Voter: out.Voter})
					} else if len(out.Entries) > 0 {
						t.Errorf("step %d %s: the workflow projected and also returned entries", i, s.cmd.Action)
					}
					if s.stage != "" && v.Stage != s.stage {
						t.Errorf("step %d %s: stage %s, want %s", i, s.cmd.Action, v.Stage, s.stage)
					}
					if rv := h.rm.views[h.id]; rv.Version < v.Version && !s.lagging {
						t.Errorf("step %d %s: returned version %d before the read model had it (%d)", i, s.cmd.Action, v.Version, rv.Version)
					}
					if s.check != nil {
						s.check(t, v)
					}
				},
			}, s.cmd)
		}, s.at)
	}
	in := DossierInput{ID: h.id, Submission: sub, By: unitA, Policy: p, Seal: h.startSeal}
	if !h.legacy {
		in.SubmittedAt = h.start
		d, first := Opened(in)
		require.NoError(t, h.rm.Project(context.Background(), activities.ProjectInput{View: d.View(), Entries: []domain.HistoryEntry{first}}))
	}
	h.env.ExecuteWorkflow(DossierWorkflowName, in)
	require.True(t, h.env.IsWorkflowCompleted() || true)
	if !h.env.IsWorkflowCompleted() {
		return domain.View{}, false
	}
	require.NoError(t, h.env.GetWorkflowError())
	var v domain.View
	require.NoError(t, h.env.GetWorkflowResult(&v))
	h.checkHistory(v)
	return v, true
}

func (h *harness) query() domain.View {
	r, err := h.env.QueryWorkflow(QueryState)
	require.NoError(h.t, err)
	var v domain.View
	require.NoError(h.t, r.Get(&v))
	return v
}

// checkHistory: the read model equals the workflow's final state and its
// history has every sequence number once.
func (h *harness) checkHistory(final domain.View) {
	t := h.t
	require.Equal(t, final, h.rm.views[h.id], "read model differs from the workflow's state")
	es := h.rm.entries(h.id)
	for i, e := range es {
		require.Equal(t, int64(i+1), e.Seq, "history has a gap or duplicate")
	}
}

func (h *harness) stages() []domain.Stage {
	var out []domain.Stage
	for _, e := range h.rm.entries(h.id) {
		if e.From != e.To || e.Action == domain.ActSubmit {
			out = append(out, e.To)
		}
	}
	return out
}

func submission(award string, nt domain.NomineeType) domain.Submission {
	return domain.Submission{AwardCode: award, Kind: domain.KindMerit, Procedure: domain.ProcedureRegular,
		Campaign: "2026-annual", AchievementPeriod: "2026", Nominee: domain.Nominee{Type: nt, Name: "Lò Văn A"}}
}

// Monday 2 March 2026, 09:00 in Vietnam: no holiday near.
var monday = time.Date(2026, 3, 2, 9, 0, 0, 0, domain.Local)

func act(at time.Duration, a domain.Action, by domain.Actor, stage domain.Stage) step {
	return step{at: at, cmd: domain.Command{Action: a, Actor: by, Comment: "ý kiến"}, stage: stage}
}

func vote(at time.Duration, i int, approve bool) step {
	return step{at: at, cmd: domain.Command{Action: domain.ActVote, Actor: member(i), Approve: yes(approve)}}
}

func refused(at time.Duration, c domain.Command, kind domain.ErrorKind) step {
	return step{at: at, cmd: c, want: kind}
}

func TestProvinceAwardWithoutCouncil(t *testing.T) {
	h := newHarness(t, monday)
	m := time.Minute
	v, done := h.run(submission("BK_UBND_TINH", domain.Individual), domain.DefaultPolicy(), []step{
		refused(1*m, domain.Command{Action: domain.ActApprove, Actor: officer}, domain.ErrConflict),
		refused(2*m, domain.Command{Action: domain.ActAccept, Actor: chairman}, domain.ErrForbidden),
		refused(3*m, domain.Command{Action: domain.ActAccept, Actor: officer, ExpectedVersion: 7}, domain.ErrStale),
		refused(4*m, domain.Command{Action: domain.ActReject, Actor: officer}, domain.ErrInvalid),
		refused(5*m, domain.Command{Action: domain.ActWithdraw, Actor: unitB}, domain.ErrNotFound),
		{at: 6 * m, cmd: domain.Command{Action: domain.ActAccept, Actor: officer, ExpectedVersion: 4}, stage: domain.Appraisal}, // 3 documents attached
		act(7*m, domain.ActApprove, officer, domain.Decision),
		refused(8*m, domain.Command{Action: domain.ActPropose, Actor: chairman}, domain.ErrConflict),
		{at: 9 * m, cmd: domain.Command{Action: domain.ActDecide, Actor: chairman}, stage: domain.Awarded, check: func(t *testing.T, v domain.View) {
			require.NotNil(t, v.Decision)
			require.Equal(t, "1/QĐ-UBND", v.Decision.Number)
			require.Equal(t, "2026-03-02", v.Decision.Date)
		}},
	})
	require.True(t, done)
	require.Equal(t, domain.Awarded, v.Stage)
	require.Equal(t, domain.StatusAwarded, v.Status)
	require.Equal(t, []domain.Stage{domain.Reception, domain.Appraisal, domain.Decision, domain.Awarded}, h.stages())
}

func TestCouncilNineMembersExactThresholdPasses(t *testing.T) {
	// CSTD_TINH needs 90% of 9 members: all nine.
	h := newHarness(t, monday)
	m := time.Minute
	steps := []step{act(1*m, domain.ActAccept, officer, domain.Appraisal), act(2*m, domain.ActApprove, officer, domain.Council)}
	for i := 1; i <= 9; i++ {
		steps = append(steps, vote(time.Duration(2+i)*m, i, true))
	}
	steps = append(steps, refused(12*m, domain.Command{Action: domain.ActVote, Actor: member(1), Approve: yes(true)}, domain.ErrConflict))
	steps = append(steps, act(13*m, domain.ActDecide, chairman, domain.Awarded))
	v, done := h.run(submission("CSTD_TINH", domain.Individual), domain.DefaultPolicy(), steps)
	require.True(t, done)
	require.Equal(t, domain.Awarded, v.Stage)
	require.Equal(t, 9, *v.Votes.Yes)
	es := h.rm.entries(h.id)
	tallies := 0
	for _, e := range es {
		if e.Action == domain.ActVote {
			require.Empty(t, e.ActorID, "a vote entry must not say who voted")
			require.Nil(t, e.Details)
		}
		if e.Details != nil && e.Details.Tally != nil {
			tallies++
			require.True(t, e.Details.Tally.Passed)
		}
	}
	require.Equal(t, 1, tallies)
	require.Len(t, h.rm.voters[h.id], 9)
}

func TestCouncilOneBelowThresholdFails(t *testing.T) {
	h := newHarness(t, monday)
	m := time.Minute
	steps := []step{act(1*m, domain.ActAccept, officer, domain.Appraisal), act(2*m, domain.ActApprove, officer, domain.Council)}
	for i := 1; i <= 9; i++ {
		steps = append(steps, vote(time.Duration(2+i)*m, i, i != 9))
	}
	v, done := h.run(submission("CSTD_TINH", domain.Individual), domain.DefaultPolicy(), steps)
	require.True(t, done)
	require.Equal(t, domain.Rejected, v.Stage)
	require.Equal(t, 8, *v.Votes.Yes)
	require.Equal(t, 1, *v.Votes.No)
}

// BK_TTG needs more than half of 9 (5 yes) and a quorum of 6 voters.
func TestPMAwardMajorityQuorumAndCentralPath(t *testing.T) {
	m := time.Minute
	council := func(yesVotes, noVotes int) []step {
		s := []step{act(1*m, domain.ActAccept, officer, domain.Appraisal), act(2*m, domain.ActApprove, officer, domain.Council)}
		n := 0
		for i := 0; i < yesVotes+noVotes; i++ {
			n++
			s = append(s, vote(time.Duration(2+n)*m, n, i < yesVotes))
		}
		return append(s, step{at: 20 * m, cmd: domain.Command{Action: domain.ActCloseVote, Actor: secretary}})
	}
	t.Run("exact majority passes and goes up to the Prime Minister", func(t *testing.T) {
		h := newHarness(t, monday)
		steps := council(5, 1)
		steps[len(steps)-1].stage = domain.Decision
		steps = append(steps,
			refused(21*m, domain.Command{Action: domain.ActDecide, Actor: chairman}, domain.ErrConflict),
			step{at: 22 * m, cmd: domain.Command{Action: domain.ActPropose, Actor: chairman}, stage: domain.CentralAppraisal,
				check: func(t *testing.T, v domain.View) { require.Equal(t, "1/TTr-UBND", v.Proposal.Number) }},
			act(23*m, domain.ActAccept, officer, domain.PMDecision),
			refused(24*m, domain.Command{Action: domain.ActDecide, Actor: officer}, domain.ErrInvalid),
			refused(25*m, domain.Command{Action: domain.ActPropose, Actor: officer, Number: "9/TTg", Date: "2026-04-01"}, domain.ErrConflict),
			step{at: 26 * m, cmd: domain.Command{Action: domain.ActDecide, Actor: officer, Number: "123/QĐ-TTg", Date: "2026-04-01"}, stage: domain.Awarded},
		)
		v, done := h.run(submission("BK_TTG", domain.Collective), domain.DefaultPolicy(), steps)
		require.True(t, done)
		require.Equal(t, "123/QĐ-TTg", v.Decision.Number)
		require.Equal(t, domain.AuthorityPM, v.Decision.Authority)
		require.Equal(t, 5, *v.Votes.Yes)
	})
	t.Run("one below the majority fails", func(t *testing.T) {
		h := newHarness(t, monday)
		steps := council(4, 2)
		steps[len(steps)-1].stage = domain.Rejected
		v, done := h.run(submission("BK_TTG", domain.Collective), domain.DefaultPolicy(), steps)
		require.True(t, done)
		require.Equal(t, domain.Rejected, v.Stage)
	})
	t.Run("enough yes but no quorum postpones; a written opinion completes it", func(t *testing.T) {
		h := newHarness(t, monday)
		steps := council(5, 0)
		// 5 of 9 voted: closing is refused and the vote stays open.
		steps[len(steps)-1].want = domain.ErrConflict
		steps = append(steps,
			step{at: 21 * m, cmd: domain.Command{Action: domain.ActWrittenOpinion, Actor: secretary, Member: "c9", Approve: yes(false), Comment: "ý kiến gửi bằng văn bản"}},
			refused(22*m, domain.Command{Action: domain.ActVote, Actor: member(9), Approve: yes(true)}, domain.ErrConflict),
			step{at: 23 * m, cmd: domain.Command{Action: domain.ActCloseVote, Actor: secretary}, stage: domain.Decision,
				check: func(t *testing.T, v domain.View) {
					require.Equal(t, 6, v.Votes.Cast)
					require.Equal(t, 5, *v.Votes.Yes)
				}},
			act(24*m, domain.ActReject, chairman, domain.Rejected),
		)
		_, done := h.run(submission("BK_TTG", domain.Collective), domain.DefaultPolicy(), steps)
		require.True(t, done)
		require.Contains(t, h.rm.voters[h.id], "c9", "the written opinion counts as c9's vote")
	})
}

// Another council size: 7 members, CO_THI_DUA_TINH needs 80% (6 yes).
func TestCouncilOfSeven(t *testing.T) {
	m := time.Minute
	p := domain.DefaultPolicy()
	p.CouncilMembers = 7
	for _, tc := range []struct {
		yes  int
		want domain.Stage
	}{{6, domain.Decision}, {5, domain.Rejected}} {
		t.Run(fmt.Sprintf("%d yes", tc.yes), func(t *testing.T) {
			h := newHarness(t, monday)
			steps := []step{act(1*m, domain.ActAccept, officer, domain.Appraisal), act(2*m, domain.ActApprove, officer, domain.Council)}
			for i := 1; i <= 7; i++ {
				steps = append(steps, vote(time.Duration(2+i)*m, i, i <= tc.yes))
			}
			steps = append(steps, step{at: 20 * m, cmd: domain.Command{Action: domain.ActCancel, Actor: admin, Comment: "kết thúc kiểm thử"}})
			v, done := h.run(submission("CO_THI_DUA_TINH", domain.Collective), p, steps)
			require.True(t, done)
			require.Equal(t, 7, v.Votes.Members)
			require.Equal(t, 6, v.Votes.Needed)
			var closed domain.Stage
			for _, e := range h.rm.entries(h.id) {
				if e.Action == domain.ActCloseVote {
					closed = e.To
				}
			}
			require.Equal(t, tc.want, closed)
		})
	}
}

// A President's award with a public notice: the notice ends by itself after
// its working days, then the council votes, and the dossier goes up through
// the Central Board and the Prime Minister to the President.
func TestPresidentAwardWithPublicNotice(t *testing.T) {
	h := newHarness(t, monday)
	m, day := time.Minute, 24*time.Hour
	steps := []step{
		act(1*m, domain.ActAccept, officer, domain.Appraisal),
		{at: 2 * m, cmd: domain.Command{Action: domain.ActApprove, Actor: officer}, stage: domain.PublicNotice, check: func(t *testing.T, v domain.View) {
			// 10 working days from Monday 2 March 2026: end of Monday 16 March.
			require.Equal(t, time.Date(2026, 3, 17, 0, 0, 0, 0, domain.Local).UTC(), v.DueAt.UTC())
		}},
		refused(3*m, domain.Command{Action: domain.ActVote, Actor: member(1), Approve: yes(true)}, domain.ErrConflict),
	}
	after := 15*day + 2*m // past the notice
	for i := 1; i <= 9; i++ {
		steps = append(steps, vote(after+time.Duration(i)*m, i, true))
	}
	steps = append(steps,
		act(after+20*m, domain.ActPropose, chairman, domain.CentralAppraisal),
		act(after+21*m, domain.ActAccept, officer, domain.PMDecision),
		step{at: after + 22*m, cmd: domain.Command{Action: domain.ActPropose, Actor: officer, Number: "77/TTr-TTg", Date: "2026-05-01"}, stage: domain.PresidentDecision},
		step{at: after + 23*m, cmd: domain.Command{Action: domain.ActDecide, Actor: officer, Number: "456/QĐ-CTN", Date: "2026-06-01"}, stage: domain.Awarded},
	)
	v, done := h.run(submission("HC_LAO_DONG_3", domain.Individual), domain.DefaultPolicy(), steps)
	require.True(t, done)
	require.Equal(t, domain.AuthorityPresident, v.Decision.Authority)
	require.Equal(t, "77/TTr-TTg", v.CentralProposal.Number)
	require.Equal(t, []domain.Stage{domain.Reception, domain.Appraisal, domain.PublicNotice, domain.Council, domain.Decision,
		domain.CentralAppraisal, domain.PMDecision, domain.PresidentDecision, domain.Awarded}, h.stages())
	for _, e := range h.rm.entries(h.id) {
		if e.Action == domain.ActNoticeEnd {
			require.Equal(t, time.Date(2026, 3, 17, 0, 0, 0, 0, domain.Local).UTC(), e.At.UTC())
		}
	}
}

// A return from each returnable stage goes to supplement, and the unit's
// resubmit goes straight back to the stage that returned it.
func TestReturnFromEachStage(t *testing.T) {
	m, day := time.Minute, 24*time.Hour
	ret := func(at time.Duration, by domain.Actor) step {
		return step{at: at, cmd: domain.Command{Action: domain.ActReturn, Actor: by, Comment: "thiếu biên bản", Missing: []domain.DocumentKind{domain.DocBienBanHop}}, stage: domain.Supplement,
			check: func(t *testing.T, v domain.View) {
				require.NotNil(t, v.ReturnedFrom)
				require.Contains(t, v.MissingDocuments, domain.DocBienBanHop)
			}}
	}
	resubmit := func(at time.Duration, back domain.Stage) step {
		return step{at: at, cmd: domain.Command{Action: domain.ActResubmit, Actor: unitA}, stage: back}
	}
	cases := map[domain.Stage][]step{
		domain.Reception: {ret(1*m, officer), refused(2*m, domain.Command{Action: domain.ActResubmit, Actor: unitB}, domain.ErrNotFound), resubmit(3*m, domain.Reception)},
		domain.Appraisal: {act(1*m, domain.ActAccept, officer, domain.Appraisal), ret(2*m, officer), resubmit(3*m, domain.Appraisal)},
		domain.PublicNotice: {act(1*m, domain.ActAccept, officer, domain.Appraisal), act(2*m, domain.ActApprove, officer, domain.PublicNotice),
			ret(1*day, officer), resubmit(20*day, domain.PublicNotice)},
		domain.Decision: {act(1*m, domain.ActAccept, officer, domain.Appraisal), act(2*m, domain.ActApprove, officer, domain.Decision),
			refused(3*m, domain.Command{Action: domain.ActWithdraw, Actor: unitA}, domain.ErrConflict), ret(4*m, chairman), resubmit(5*m, domain.Decision)},
	}
	awards := map[domain.Stage]string{domain.Reception: "BK_UBND_TINH", domain.Appraisal: "BK_UBND_TINH", domain.PublicNotice: "HC_LAO_DONG_3", domain.Decision: "BK_UBND_TINH"}
	for stage, steps := range cases {
		t.Run(string(stage), func(t *testing.T) {
			h := newHarness(t, monday)
			steps := append(steps, step{at: 40 * day, cmd: domain.Command{Action: domain.ActCancel, Actor: admin, Comment: "đóng kiểm thử"}, stage: domain.Cancelled})
			_, done := h.run(submission(awards[stage], domain.Individual), domain.DefaultPolicy(), steps)
			require.True(t, done)
			got := h.stages()
			require.Contains(t, got, domain.Supplement)
		})
	}
	t.Run("central_appraisal", func(t *testing.T) {
		h := newHarness(t, monday)
		steps := []step{act(1*m, domain.ActAccept, officer, domain.Appraisal), act(2*m, domain.ActApprove, officer, domain.Council)}
		for i := 1; i <= 9; i++ {
			steps = append(steps, vote(time.Duration(2+i)*m, i, true))
		}
		steps = append(steps, act(20*m, domain.ActPropose, chairman, domain.CentralAppraisal), ret(21*m, officer),
			refused(22*m, domain.Command{Action: domain.ActWithdraw, Actor: unitA}, domain.ErrConflict),
			resubmit(23*m, domain.CentralAppraisal), act(24*m, domain.ActReject, officer, domain.Rejected))
		v, done := h.run(submission("BK_TTG", domain.Individual), domain.DefaultPolicy(), steps)
		require.True(t, done)
		require.Equal(t, domain.Rejected, v.Stage)
	})
}

func TestWithdrawAndCancel(t *testing.T) {
	m := time.Minute
	h := newHarness(t, monday)
	v, done := h.run(submission("BK_UBND_TINH", domain.Individual), domain.DefaultPolicy(), []step{
		act(1*m, domain.ActAccept, officer, domain.Appraisal),
		act(2*m, domain.ActWithdraw, unitA, domain.Withdrawn),
	})
	require.True(t, done)
	require.Equal(t, domain.StatusWithdrawn, v.Status)

	h = newHarness(t, monday)
	v, done = h.run(submission("BK_UBND_TINH", domain.Individual), domain.DefaultPolicy(), []step{
		refused(1*m, domain.Command{Action: domain.ActCancel, Actor: admin}, domain.ErrInvalid),
		refused(2*m, domain.Command{Action: domain.ActCancel, Actor: officer, Comment: "x"}, domain.ErrForbidden),
		act(3*m, domain.ActCancel, admin, domain.Cancelled),
	})
	require.True(t, done)
	require.Equal(t, domain.StatusCancelled, v.Status)
}

// Overdue across Tết 2026: a dossier received on Tuesday 10 February 2026 has
// five working days; Monday 16 to Friday 20 February are Tết holidays, so it
// is due at the end of Tuesday 24 February, flagged then, and keeps waiting.
func TestOverdueAcrossTet(t *testing.T) {
	start := time.Date(2026, 2, 10, 9, 0, 0, 0, domain.Local)
	due := time.Date(2026, 2, 25, 0, 0, 0, 0, domain.Local)
	h := newHarness(t, start)
	// What administrators filter on: record every upsert of the search attributes.
	var upserts []temporal.SearchAttributes
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		upserts = append(upserts, args.Get(0).(temporal.SearchAttributes))
	}).Return(nil)
	var before, after domain.View
	h.env.RegisterDelayedCallback(func() { before = h.query() }, due.Sub(start)-time.Hour)
	h.env.RegisterDelayedCallback(func() { after = h.query() }, due.Sub(start)+time.Hour)
	_, done := h.run(submission("BK_UBND_TINH", domain.Individual), domain.DefaultPolicy(), []step{
		{at: due.Sub(start) + 2*time.Hour, cmd: domain.Command{Action: domain.ActAccept, Actor: officer}, stage: domain.Appraisal,
			check: func(t *testing.T, v domain.View) { require.False(t, v.Overdue, "a new stage starts on time") }},
		act(due.Sub(start)+3*time.Hour, domain.ActReject, officer, domain.Rejected),
	})
	require.True(t, done)
	require.Equal(t, due.UTC(), before.DueAt.UTC())
	require.False(t, before.Overdue)
	require.True(t, after.Overdue)
	require.Equal(t, domain.Reception, after.Stage)
	var flagged []domain.HistoryEntry
	for _, e := range h.rm.entries(h.id) {
		if e.Action == domain.ActOverdue {
			flagged = append(flagged, e)
		}
	}
	require.Len(t, flagged, 1)
	require.Equal(t, due.UTC(), flagged[0].At.UTC())

	// The overdue flag reached the search attributes in reception, and a new
	// stage cleared it: ExecutionStatus = "Running" AND DossierOverdue = true
	// finds the dossier exactly while it is stuck.
	var seen []string
	for _, u := range upserts {
		stage, _ := u.GetKeyword(SAStage)
		overdue, _ := u.GetBool(SAOverdue)
		seen = append(seen, fmt.Sprintf("%s/%v", stage, overdue))
		_, hasName := u.GetKeyword(temporal.NewSearchAttributeKeyKeyword("NomineeName"))
		require.False(t, hasName)
	}
	require.Equal(t, []string{"reception/false", "reception/true", "appraisal/false", "rejected/false"}, seen)
}

// A projection that fails is retried until it lands, without a duplicate.
func TestProjectionRetried(t *testing.T) {
	m := time.Minute
	h := newHarness(t, monday)
	h.legacy = true // the workflow projects
	h.rm.failProjections = 3
	_, done := h.run(submission("BK_UBND_TINH", domain.Individual), domain.DefaultPolicy(), []step{
		act(1*m, domain.ActAccept, officer, domain.Appraisal),
		act(2*m, domain.ActApprove, officer, domain.Decision),
		act(3*m, domain.ActDecide, chairman, domain.Awarded),
	})
	require.True(t, done)
	require.Greater(t, h.rm.calls, 7)
	require.Len(t, h.rm.entries(h.id), 7) // submit, 3 documents, accept, approve, decide
}

// A projection that fails for good (a bug, not an outage) leaves its history
// entries unconfirmed; the next transition's projection carries them, so the
// read model's history ends up whole.
func TestFailedProjectionRepairedByTheNext(t *testing.T) {
	m := time.Minute
	h := newHarness(t, monday)
	h.legacy = true                            // the workflow projects
	h.rm.failFatally = map[int64]bool{5: true} // the accept, after the submission and 3 documents
	_, done := h.run(submission("BK_UBND_TINH", domain.Individual), domain.DefaultPolicy(), []step{
		{at: 1 * m, cmd: domain.Command{Action: domain.ActAccept, Actor: officer}, stage: domain.Appraisal, lagging: true},
		act(2*m, domain.ActApprove, officer, domain.Decision),
		act(3*m, domain.ActDecide, chairman, domain.Awarded),
	})
	require.True(t, done)
	require.Len(t, h.rm.entries(h.id), 7)
	require.Equal(t, domain.ActAccept, h.rm.entries(h.id)[4].Action)
}

// A decision signed in the last minutes of a year, whose number takes a
// while to issue, has the year of its number and the date it carries from
// one reading of the clock (31/12/2025 and a 2025 number), not a 2025
// number dated 01/01/2026.
func TestDecisionNumberAndDateFromOneClockAcrossNewYear(t *testing.T) {
	h := newHarness(t, time.Date(2025, 12, 31, 23, 40, 0, 0, domain.Local))
	var years []int
	h.env.OnActivity(activities.IssueNumberActivity, mock.Anything, mock.Anything).After(10 * time.Minute).
		Return(func(_ context.Context, in activities.IssueNumberInput) (string, error) {
			years = append(years, in.Year)
			return fmt.Sprintf("7/QĐ-UBND (%d)", in.Year), nil
		})
	m := time.Minute
	v, done := h.run(submission("BK_UBND_TINH", domain.Individual), domain.DefaultPolicy(), []step{
		act(1*m, domain.ActAccept, officer, domain.Appraisal),
		act(2*m, domain.ActApprove, officer, domain.Decision),
		act(15*m, domain.ActDecide, chairman, domain.Awarded),
	})
	require.True(t, done)
	require.Equal(t, []int{2025}, years)
	require.NotNil(t, v.Decision)
	require.Equal(t, "2025-12-31", v.Decision.Date, "the number is of 2025, so is its date")
}

// A vote whose projection fails for good does not lose who voted: the
// member goes out again with the next projection, so the read model never
// offers them a vote the workflow would refuse.
func TestFailedVoteProjectionKeepsTheVoter(t *testing.T) {
	m := time.Minute
	h := newHarness(t, monday)
	h.legacy = true                            // the workflow projects
	h.rm.failFatally = map[int64]bool{8: true} // c1's vote: after the submission, 4 documents, accept, approve
	h.run(submission("CSTD_TINH", domain.Individual), domain.DefaultPolicy(), []step{
		act(1*m, domain.ActAccept, officer, domain.Appraisal),
		act(2*m, domain.ActApprove, officer, domain.Council),
		{at: 3 * m, cmd: domain.Command{Action: domain.ActVote, Actor: member(1), Approve: yes(true)}, lagging: true},
		vote(4*m, 2, true),
		{at: 5 * m, cmd: domain.Command{Action: domain.ActCancel, Actor: admin, Comment: "kết thúc thử"}, stage: domain.Cancelled},
	})
	h.rm.mu.Lock()
	defer h.rm.mu.Unlock()
	require.ElementsMatch(t, []string{"c1", "c2"}, h.rm.voters[h.id])
}

// With the worker holding the keys, a dossier takes only what the API
// sealed: an update sent straight to Temporal, or a sealed one changed on
// the way (another actor, another comment), is refused (403) and leaves no
// trace; a start without a valid seal ends the workflow before anything is
// recorded.
func TestOnlySealedCommands(t *testing.T) {
	key := make([]byte, 32)
	key[0] = 7
	sealer, err := codec.NewSealer([]codec.Key{{ID: "k1", Secret: key}})
	require.NoError(t, err)
	m := time.Minute

	h := newHarness(t, monday, sealer)
	h.bare = true
	sub := submission("BK_UBND_TINH", domain.Individual)
	h.startSeal = sealer.Seal(domain.StartMessage(h.id, sub, unitA, h.start))
	seal := func(c domain.Command) domain.Command {
		c.CallerProjects = true
		c.Seal = sealer.Seal(domain.CommandMessage(h.id, c))
		return c
	}
	reject := seal(domain.Command{Action: domain.ActReject, Actor: officer, Comment: "không đủ tiêu chuẩn"})
	asChairman := reject
	asChairman.Actor = chairman
	otherComment := reject
	otherComment.Comment = "lý do khác"
	unsealed := reject
	unsealed.Seal = ""
	v, done := h.run(sub, domain.DefaultPolicy(), []step{
		refused(1*m, unsealed, domain.ErrForbidden),
		refused(2*m, asChairman, domain.ErrForbidden),
		refused(3*m, otherComment, domain.ErrForbidden),
		{at: 4 * m, cmd: reject, stage: domain.Rejected},
	})
	require.True(t, done)
	require.Equal(t, domain.Rejected, v.Stage)

	// A start made straight in Temporal, without the API's seal.
	f := newHarness(t, monday, sealer)
	f.env.ExecuteWorkflow(DossierWorkflowName, DossierInput{ID: f.id, Submission: sub, By: unitA, Policy: domain.DefaultPolicy()})
	require.True(t, f.env.IsWorkflowCompleted())
	require.ErrorContains(t, f.env.GetWorkflowError(), "no valid seal")
	require.Empty(t, f.rm.entries(f.id), "an unsealed start was projected")
}

// With an API that projects itself, an action costs the workflow no
// activity: the update applies the transition and returns the entries it
// wrote, in one workflow task; only the number of a decision is an
// activity. The read model, written from the outcomes alone, ends equal to
// the workflow's state (checkHistory).
func TestCallerProjectsOutcomes(t *testing.T) {
	m := time.Minute
	h := newHarness(t, monday)
	numbers := 0
	h.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == activities.ProjectActivity {
			t.Errorf("the workflow projected (activity %s)", info.ActivityID)
		}
		if info.ActivityType.Name == activities.IssueNumberActivity {
			numbers++
		}
	})
	v, done := h.run(submission("BK_UBND_TINH", domain.Individual), domain.DefaultPolicy(), []step{
		act(1*m, domain.ActAccept, officer, domain.Appraisal),
		act(2*m, domain.ActApprove, officer, domain.Decision),
		act(3*m, domain.ActDecide, chairman, domain.Awarded),
	})
	require.True(t, done)
	require.Equal(t, 1, numbers)
	require.Equal(t, "1/QĐ-UBND", v.Decision.Number)
	require.Equal(t, 1+3+3, h.rm.calls, "one projection per transition, all by the caller")
	require.Len(t, h.rm.entries(h.id), 7)
}

// A decision signed in a batch carries the batch's number and date, issued
// once for the whole batch: the dossier issues none of its own, and its
// history names the batch. Without the number, it is refused.
func TestDecideInABatch(t *testing.T) {
	m := time.Minute
	h := newHarness(t, monday)
	h.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == activities.IssueNumberActivity {
			t.Errorf("a dossier in a batch issued its own number")
		}
	})
	in := func(c domain.Command) domain.Command { c.Batch = "DS-2026-0001"; return c }
	v, done := h.run(submission("BK_UBND_TINH", domain.Individual), domain.DefaultPolicy(), []step{
		act(1*m, domain.ActAccept, officer, domain.Appraisal),
		act(2*m, domain.ActApprove, officer, domain.Decision),
		refused(3*m, in(domain.Command{Action: domain.ActDecide, Actor: chairman}), domain.ErrInvalid),
		{at: 4 * m, cmd: in(domain.Command{Action: domain.ActDecide, Actor: chairman, Number: "7/QĐ-UBND", Date: "2026-01-05"}), stage: domain.Awarded},
	})
	require.True(t, done)
	require.Equal(t, "7/QĐ-UBND", v.Decision.Number)
	require.Equal(t, "2026-01-05", v.Decision.Date)
	es := h.rm.entries(h.id)
	require.Equal(t, "DS-2026-0001", es[len(es)-1].Details.Batch)
}
