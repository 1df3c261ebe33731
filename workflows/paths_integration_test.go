package workflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"tdkt/domain"
	"tdkt/workflows"
)

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

func cmd(a domain.Action, by domain.Actor) domain.Command {
	return domain.Command{Action: a, Actor: by, Comment: "ý kiến"}
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func noNotice() domain.Policy {
	p := domain.DefaultPolicy()
	p.PublicNoticeDays = 0
	return p
}

// Every path of DOMAIN.md on the real system: one per authority, a council
// that fails, a return and resubmit, a withdrawal, a cancellation.
func TestPathsOnRealStack(t *testing.T) {
	s := newStack(t)
	t.Run("as an API of before: the workflow projects, and a projection failing once is retried", func(t *testing.T) {
		s.t, s.legacy = t, true
		defer func() { s.legacy = false }()
		id := s.submit("BK_UBND_TINH", domain.Individual, "fail-once", domain.DefaultPolicy(), 0)
		require.True(t, s.flag(id).Load(), "the injected projection failure did not happen")
		s.act(id, cmd(domain.ActAccept, officer), domain.Appraisal)
		s.act(id, cmd(domain.ActApprove, officer), domain.Decision)
		s.act(id, cmd(domain.ActDecide, chairman), domain.Awarded)
		s.finish(id, "")
	})
	t.Run("province award without council", func(t *testing.T) {
		s.t = t
		id := s.submit("BK_UBND_TINH", domain.Individual, "", domain.DefaultPolicy(), 0)
		s.refuse(id, cmd(domain.ActApprove, officer), domain.ErrConflict)
		s.refuse(id, cmd(domain.ActAccept, chairman), domain.ErrForbidden)
		s.refuse(id, domain.Command{Action: domain.ActAccept, Actor: officer, ExpectedVersion: 99}, domain.ErrStale)
		s.refuse(id, domain.Command{Action: domain.ActReject, Actor: officer}, domain.ErrInvalid)
		s.refuse(id, cmd(domain.ActWithdraw, unitB), domain.ErrNotFound)
		s.act(id, domain.Command{Action: domain.ActAccept, Actor: officer, ExpectedVersion: 4}, domain.Appraisal) // 3 documents attached
		s.act(id, cmd(domain.ActApprove, officer), domain.Decision)
		v := s.act(id, cmd(domain.ActDecide, chairman), domain.Awarded)
		require.Regexp(t, `^\d+/QĐ-UBND$`, v.Decision.Number)
		s.finish(id, "province_no_council")
	})
	t.Run("pm award through the council and the central level, continuing as new", func(t *testing.T) {
		s.t = t
		id := s.submit("BK_TTG", domain.Collective, "", noNotice(), 40)
		s.act(id, cmd(domain.ActAccept, officer), domain.Appraisal)
		s.act(id, cmd(domain.ActApprove, officer), domain.Council)
		for i := 1; i <= 6; i++ {
			v := s.act(id, domain.Command{Action: domain.ActVote, Actor: member(i), Approve: ptr(i <= 5)}, domain.Council)
			require.Equal(t, i, v.Votes.Cast)
			require.Nil(t, v.Votes.Yes, "the running tally must stay secret")
		}
		s.refuse(id, domain.Command{Action: domain.ActVote, Actor: member(3), Approve: ptr(false)}, domain.ErrConflict)
		v := s.act(id, cmd(domain.ActCloseVote, secretary), domain.Decision)
		require.Equal(t, 5, *v.Votes.Yes)
		v = s.act(id, cmd(domain.ActPropose, chairman), domain.CentralAppraisal)
		require.Regexp(t, `^\d+/TTr-UBND$`, v.Proposal.Number)
		s.act(id, cmd(domain.ActAccept, officer), domain.PMDecision)
		s.act(id, domain.Command{Action: domain.ActDecide, Actor: officer, Number: "123/QĐ-TTg", Date: "2026-04-01"}, domain.Awarded)
		final := s.finish(id, "pm_council_central")
		require.Equal(t, "123/QĐ-TTg", final.Decision.Number)
		runs := s.runs(id)
		require.Greater(t, runs, 1, "the workflow should have continued as new at least once")
	})
	t.Run("president award, returned from the central level and resubmitted", func(t *testing.T) {
		s.t = t
		id := s.submit("HC_LAO_DONG_3", domain.Individual, "", noNotice(), 0)
		s.act(id, cmd(domain.ActAccept, officer), domain.Appraisal)
		s.act(id, cmd(domain.ActApprove, officer), domain.Council)
		for i := 1; i <= 9; i++ {
			s.act(id, domain.Command{Action: domain.ActVote, Actor: member(i), Approve: ptr(true)}, "")
		}
		s.act(id, cmd(domain.ActPropose, chairman), domain.CentralAppraisal)
		v := s.act(id, domain.Command{Action: domain.ActReturn, Actor: officer, Comment: "bổ sung biên bản", Missing: []domain.DocumentKind{domain.DocBienBanHop}}, domain.Supplement)
		require.Equal(t, domain.CentralAppraisal, *v.ReturnedFrom)
		s.refuse(id, cmd(domain.ActWithdraw, unitA), domain.ErrConflict)
		s.act(id, cmd(domain.ActResubmit, unitA), domain.CentralAppraisal)
		s.act(id, cmd(domain.ActAccept, officer), domain.PMDecision)
		s.act(id, domain.Command{Action: domain.ActPropose, Actor: officer, Number: "77/TTr-TTg", Date: "2026-05-01"}, domain.PresidentDecision)
		s.act(id, domain.Command{Action: domain.ActDecide, Actor: officer, Number: "456/QĐ-CTN", Date: "2026-06-01"}, domain.Awarded)
		s.finish(id, "president_return_central")
	})
	t.Run("council quorum completed by written opinions", func(t *testing.T) {
		s.t = t
		id := s.submit("CO_THI_DUA_TINH", domain.Collective, "", domain.DefaultPolicy(), 0)
		s.act(id, cmd(domain.ActAccept, officer), domain.Appraisal)
		s.act(id, cmd(domain.ActApprove, officer), domain.Council)
		for i := 1; i <= 5; i++ {
			s.act(id, domain.Command{Action: domain.ActVote, Actor: member(i), Approve: ptr(true)}, domain.Council)
		}
		// 5 of 9: no quorum; closing is refused and leaves no event.
		s.refuse(id, cmd(domain.ActCloseVote, secretary), domain.ErrConflict)
		for i := 6; i <= 8; i++ {
			s.act(id, domain.Command{Action: domain.ActWrittenOpinion, Actor: secretary, Member: member(i).ID, Approve: ptr(true), Comment: "văn bản"}, domain.Council)
		}
		s.refuse(id, domain.Command{Action: domain.ActVote, Actor: member(6), Approve: ptr(true)}, domain.ErrConflict)
		v := s.act(id, cmd(domain.ActCloseVote, secretary), domain.Decision)
		require.Equal(t, 8, *v.Votes.Yes)
		s.act(id, cmd(domain.ActDecide, chairman), domain.Awarded)
		s.finish(id, "council_written_opinions")
	})
	t.Run("council vote fails", func(t *testing.T) {
		s.t = t
		id := s.submit("CSTD_TINH", domain.Individual, "", domain.DefaultPolicy(), 0)
		s.act(id, cmd(domain.ActAccept, officer), domain.Appraisal)
		s.act(id, cmd(domain.ActApprove, officer), domain.Council)
		for i := 1; i <= 9; i++ {
			s.act(id, domain.Command{Action: domain.ActVote, Actor: member(i), Approve: ptr(i != 9)}, "")
		}
		v := s.finish(id, "council_fails")
		require.Equal(t, domain.Rejected, v.Stage)
		require.Equal(t, 8, *v.Votes.Yes)
	})
	t.Run("withdraw", func(t *testing.T) {
		s.t = t
		id := s.submit("TTLDXS", domain.Collective, "", domain.DefaultPolicy(), 0)
		s.act(id, domain.Command{Action: domain.ActReturn, Actor: officer, Comment: "thiếu tờ trình"}, domain.Supplement)
		s.act(id, cmd(domain.ActResubmit, unitA), domain.Reception)
		s.act(id, cmd(domain.ActWithdraw, unitA), domain.Withdrawn)
		s.finish(id, "withdraw")
	})
	t.Run("cancel", func(t *testing.T) {
		s.t = t
		id := s.submit("CO_THI_DUA_TINH", domain.Collective, "", domain.DefaultPolicy(), 0)
		s.refuse(id, cmd(domain.ActCancel, officer), domain.ErrForbidden)
		s.act(id, domain.Command{Action: domain.ActCancel, Actor: admin, Comment: "hồ sơ kẹt"}, domain.Cancelled)
		s.finish(id, "cancel")
	})
	t.Run("a decision batch: one number, one dossier dropped", func(t *testing.T) {
		s.t = t
		a := s.submit("BK_UBND_TINH", domain.Individual, "", domain.DefaultPolicy(), 0)
		b := s.submit("BK_UBND_TINH", domain.Collective, "", domain.DefaultPolicy(), 0)
		for _, id := range []string{a, b} {
			s.act(id, cmd(domain.ActAccept, officer), domain.Appraisal)
			s.act(id, cmd(domain.ActApprove, officer), domain.Decision)
		}
		s.act(b, domain.Command{Action: domain.ActReturn, Actor: chairman, Comment: "bổ sung"}, domain.Supplement)
		batch := fmt.Sprintf("DS-IT-%d", time.Now().UnixNano()%1e9)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := s.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.BatchWorkflowID(batch), TaskQueue: s.queue},
			workflows.BatchWorkflowName, workflows.BatchInput{ID: batch, Kind: workflows.BatchDecision, Title: "Bằng khen",
				Dossiers: []string{a, b}, By: officer, CreatedAt: time.Now().UTC()})
		require.NoError(t, err)
		h, err := s.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.BatchWorkflowID(batch),
			UpdateName: workflows.UpdateBatchSign, Args: []any{workflows.BatchSign{Actor: chairman}},
			WaitForStage: client.WorkflowUpdateStageCompleted})
		require.NoError(t, err)
		var v workflows.BatchView
		require.NoError(t, h.Get(ctx, &v))
		require.Equal(t, []string{a}, v.Moved)
		require.Len(t, v.Dropped, 1)
		final := s.finish(a, "batch_decision_dossier")
		require.Equal(t, v.Number, final.Decision.Number)
		require.NoError(t, s.c.GetWorkflow(ctx, workflows.BatchWorkflowID(batch), "").Get(ctx, &v))
		if captureDir != "" {
			s.captureWorkflow(workflows.BatchWorkflowID(batch), "batch_decision")
		}
		s.act(b, cmd(domain.ActResubmit, unitA), domain.Decision)
		s.act(b, domain.Command{Action: domain.ActReject, Actor: chairman, Comment: "không đủ"}, domain.Rejected)
	})
	t.Run("a council session: one ballot per member, tallies applied once", func(t *testing.T) {
		s.t = t
		var ids []string
		for range 2 {
			id := s.submit("CO_THI_DUA_TINH", domain.Collective, "", domain.DefaultPolicy(), 0)
			s.act(id, cmd(domain.ActAccept, officer), domain.Appraisal)
			s.act(id, cmd(domain.ActApprove, officer), domain.Council)
			ids = append(ids, id)
		}
		session := fmt.Sprintf("PH-IT-%d", time.Now().UnixNano()%1e9)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := s.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.SessionWorkflowID(session), TaskQueue: s.queue},
			workflows.SessionWorkflowName, workflows.SessionInput{ID: session, Title: "Phiên họp", Date: "2026-01-20",
				Agenda:  []workflows.AgendaItem{{DossierID: ids[0], AwardCode: "CO_THI_DUA_TINH"}, {DossierID: ids[1], AwardCode: "CO_THI_DUA_TINH"}},
				Members: 9, Quorum: 6, By: secretary, CreatedAt: time.Now().UTC()})
		require.NoError(t, err)
		update := func(name string, arg any) workflows.SessionView {
			h, err := s.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.SessionWorkflowID(session),
				UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
			require.NoError(t, err)
			var v workflows.SessionView
			require.NoError(t, h.Get(ctx, &v))
			return v
		}
		// Eight yes on the first (80% of 9 needs 8), five on the second.
		for i := 1; i <= 8; i++ {
			second := workflows.ChoiceYes
			if i > 5 {
				second = workflows.ChoiceNo
			}
			choices := []workflows.Choice{{DossierID: ids[0], Choice: workflows.ChoiceYes}, {DossierID: ids[1], Choice: second}}
			if i == 8 {
				update(workflows.UpdateSessionOpinion, workflows.SessionBallot{Actor: secretary, Member: member(i).ID, Choices: choices})
				continue
			}
			update(workflows.UpdateSessionBallot, workflows.SessionBallot{Actor: member(i), Member: member(i).ID, Choices: choices})
		}
		v := update(workflows.UpdateSessionClose, workflows.SessionClose{Actor: secretary})
		require.Equal(t, workflows.SessionClosed, v.Status)
		require.True(t, v.Agenda[0].Tally.Passed)
		require.False(t, v.Agenda[1].Tally.Passed)
		require.True(t, v.Agenda[0].Applied && v.Agenda[1].Applied)
		require.NoError(t, s.c.GetWorkflow(ctx, workflows.SessionWorkflowID(session), "").Get(ctx, &v))
		if captureDir != "" {
			s.captureWorkflow(workflows.SessionWorkflowID(session), "council_session")
		}
		got := s.finish(ids[1], "council_session_dossier")
		require.Equal(t, domain.Rejected, got.Stage)
		s.act(ids[0], domain.Command{Action: domain.ActCancel, Actor: admin, Comment: "xong"}, domain.Cancelled)
	})
	t.Run("administrators find dossiers by search attributes", func(t *testing.T) {
		s.t = t
		id := s.submit("BK_UBND_TINH", domain.Individual, "", domain.DefaultPolicy(), 0)
		s.act(id, cmd(domain.ActAccept, officer), domain.Appraisal)
		q := fmt.Sprintf("ExecutionStatus = 'Running' AND DossierStage = 'appraisal' AND DossierUnit = 'SGDDT' AND DossierAward = 'BK_UBND_TINH' AND DossierAuthority = 'province' AND DossierOverdue = false AND DossierCampaign = '2026-annual' AND WorkflowId = 'dossier-%s'", id)
		require.Eventually(t, func() bool {
			r, err := s.c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: q})
			return err == nil && len(r.Executions) == 1
		}, 15*time.Second, 200*time.Millisecond, "visibility query %s found nothing", q)
		s.act(id, domain.Command{Action: domain.ActCancel, Actor: admin, Comment: "xong"}, domain.Cancelled)
	})
}

func ptr(b bool) *bool { return &b }

// runs counts the workflow id's runs (continue-as-new makes more than one).
func (s *stack) runs(id string) int {
	r, err := s.c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowId = 'dossier-%s'", id)})
	require.NoError(s.t, err)
	n := 0
	for _, e := range r.Executions {
		if e.Status == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW || e.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			n++
		}
	}
	return n
}
