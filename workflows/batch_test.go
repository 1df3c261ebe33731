package workflows

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"tdkt/activities"
	"tdkt/codec"
	"tdkt/domain"
)

// A decision batch of 120 dossiers: the officer edits the draft (a stale
// version is refused), the chairman signs once (a second sign and a late
// edit are refused with 409), one number is issued for the whole batch,
// the dossiers move in chunks of BatchChunk, at most batchParallel at once,
// and a dossier that left the stage is dropped with its reason.
func TestBatchSignsOnceAndMovesInChunks(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 1, 5, 9, 0, 0, 0, domain.Local))
	env.RegisterWorkflowWithOptions(Batch, workflow.RegisterOptions{Name: BatchWorkflowName})
	var chunks, inFlight, most atomic.Int32
	env.RegisterActivityWithOptions(func(_ context.Context, in MoveBatchInput) (MoveBatchResult, error) {
		chunks.Add(1)
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		if in.Number != "12/QĐ-UBND" || in.Date != "2026-01-05" || in.Signer.ID != chairman.ID || len(in.Dossiers) > BatchChunk {
			return MoveBatchResult{}, fmt.Errorf("move input %+v", in)
		}
		var r MoveBatchResult
		for _, id := range in.Dossiers {
			if id == "HS-2026-000007" {
				r.Dropped = append(r.Dropped, BatchDropped{DossierID: id, Reason: "đã bị trả lại"})
				continue
			}
			r.Moved = append(r.Moved, id)
		}
		return r, nil
	}, activity.RegisterOptions{Name: MoveBatchActivity})
	var numbers atomic.Int32
	// Numbering takes a while, so that a second sign and an edit arrive
	// while the batch is being signed.
	env.RegisterActivityWithOptions(func(_ context.Context, in activities.IssueNumberInput) (string, error) {
		return "", fmt.Errorf("the mock below answers")
	}, activity.RegisterOptions{Name: activities.IssueNumberActivity})
	env.OnActivity(activities.IssueNumberActivity, mock.Anything, mock.Anything).After(5 * time.Minute).Return(
		func(_ context.Context, in activities.IssueNumberInput) (string, error) {
			numbers.Add(1)
			if in.DossierID != "DS-2026-0001" || in.Kind != activities.DecisionNumber || in.Year != 2026 {
				return "", fmt.Errorf("numbering input %+v", in)
			}
			return "12/QĐ-UBND", nil
		})

	var ids []string
	for i := 1; i <= 120; i++ {
		ids = append(ids, fmt.Sprintf("HS-2026-%06d", i))
	}
	var answered atomic.Int32
	update := func(at time.Duration, name string, arg any, want domain.ErrorKind, check func(BatchView)) {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(name, fmt.Sprintf("%s-%v", name, at), &testsuite.TestUpdateCallback{
				OnAccept: func() {
					if want != "" {
						t.Errorf("%s at %v accepted, want %s", name, at, want)
					}
				},
				OnReject: func(err error) {
					answered.Add(1)
					e, ok := AsRefusal(err)
					if !ok || e.Kind != want {
						t.Errorf("%s at %v refused %v, want %q", name, at, err, want)
					}
				},
				OnComplete: func(res any, err error) {
					if want == "" {
						answered.Add(1)
					}
					if want == "" && check != nil && err == nil {
						check(res.(BatchView))
					}
				},
			}, arg)
		}, at)
	}
	title := "Tặng Bằng khen năm 2025"
	update(time.Minute, UpdateBatchEdit, BatchEdit{Actor: officer, Title: &title, ExpectedVersion: 9}, domain.ErrStale, nil)
	update(2*time.Minute, UpdateBatchEdit, BatchEdit{Actor: chairman, Title: &title}, domain.ErrForbidden, nil)
	update(3*time.Minute, UpdateBatchEdit, BatchEdit{Actor: officer, Dossiers: append(ids[:1:1], ids[0])}, domain.ErrInvalid, nil)
	update(4*time.Minute, UpdateBatchEdit, BatchEdit{Actor: officer, Title: &title, Dossiers: ids, ExpectedVersion: 1}, "", func(v BatchView) {
		require.EqualValues(t, 2, v.Version)
		require.Len(t, v.Dossiers, 120)
	})
	update(5*time.Minute, UpdateBatchSign, BatchSign{Actor: officer}, domain.ErrForbidden, nil)
	update(6*time.Minute, UpdateBatchSign, BatchSign{Actor: chairman, ExpectedVersion: 2}, "", func(v BatchView) {
		require.Equal(t, "signed", v.Status)
		require.Equal(t, "12/QĐ-UBND", v.Number)
		require.Len(t, v.Moved, 119)
		require.Equal(t, []BatchDropped{{DossierID: "HS-2026-000007", Reason: "đã bị trả lại"}}, v.Dropped)
	})
	update(7*time.Minute, UpdateBatchSign, BatchSign{Actor: chairman}, domain.ErrConflict, nil)
	update(8*time.Minute, UpdateBatchEdit, BatchEdit{Actor: officer, Title: &title}, domain.ErrConflict, nil)
	env.ExecuteWorkflow(BatchWorkflowName, BatchInput{ID: "DS-2026-0001", Kind: BatchDecision, Title: "Bằng khen",
		Dossiers: ids[:3], By: officer, CreatedAt: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var v BatchView
	require.NoError(t, env.GetWorkflowResult(&v))
	require.Equal(t, "signed", v.Status)
	require.EqualValues(t, 1, numbers.Load(), "one number for the whole batch")
	require.EqualValues(t, 3, chunks.Load(), "120 dossiers in chunks of 50")
	require.LessOrEqual(t, most.Load(), int32(batchParallel))
	require.EqualValues(t, 8, answered.Load(), "every update was answered")
}

// With the worker holding the API's keys, a batch takes only a start and
// updates the API sealed: a sign sent straight to Temporal is refused
// (403), a sealed one changed on the way too, and an unsealed start ends
// the workflow at once.
func TestBatchOnlySealed(t *testing.T) {
	key := make([]byte, 32)
	key[0] = 9
	sealer, err := codec.NewSealer([]codec.Key{{ID: "k1", Secret: key}})
	require.NoError(t, err)
	newEnv := func() *testsuite.TestWorkflowEnvironment {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		env.RegisterWorkflowWithOptions(BatchWith(sealer), workflow.RegisterOptions{Name: BatchWorkflowName})
		env.RegisterActivityWithOptions(func(context.Context, activities.IssueNumberInput) (string, error) { return "3/QĐ-UBND", nil },
			activity.RegisterOptions{Name: activities.IssueNumberActivity})
		env.RegisterActivityWithOptions(func(_ context.Context, in MoveBatchInput) (MoveBatchResult, error) {
			return MoveBatchResult{Moved: in.Dossiers}, nil
		}, activity.RegisterOptions{Name: MoveBatchActivity})
		return env
	}
	in := BatchInput{ID: "DS-2026-0009", Kind: BatchDecision, Title: "Bằng khen", Dossiers: []string{"HS-2026-000001"}, By: officer}
	in.Seal = sealer.Seal(BatchMessage(in.ID, "start", in))
	env := newEnv()
	unsealed := BatchSign{Actor: chairman}
	forged := BatchSign{Actor: chairman, Seal: sealer.Seal(BatchMessage(in.ID, UpdateBatchSign, BatchSign{Actor: officer}))}
	good := BatchSign{Actor: chairman}
	good.Seal = sealer.Seal(BatchMessage(in.ID, UpdateBatchSign, good))
	var got []string
	for i, sg := range []BatchSign{unsealed, forged, good} {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(UpdateBatchSign, fmt.Sprint(i), &testsuite.TestUpdateCallback{
				OnAccept: func() { got = append(got, "accepted") },
				OnReject: func(err error) {
					e, _ := AsRefusal(err)
					got = append(got, string(e.Kind))
				},
				OnComplete: func(any, error) {},
			}, sg)
		}, time.Duration(i+1)*time.Minute)
	}
	env.ExecuteWorkflow(BatchWorkflowName, in)
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, []string{"forbidden", "forbidden", "accepted"}, got)

	bare := newEnv()
	in.Seal = ""
	bare.ExecuteWorkflow(BatchWorkflowName, in)
	require.ErrorContains(t, bare.GetWorkflowError(), "no valid seal")
}
