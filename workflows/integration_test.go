package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"tdkt/activities"
	"tdkt/app"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/store"
	"tdkt/worker"
	"tdkt/workflows"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

// captureDir, when set (build tag capture), is where the integration test
// saves each path's history for the replay tests.
var captureDir string

// stack is a real Temporal dev server, a real PostgreSQL and a worker.
type stack struct {
	t     *testing.T
	c     client.Client
	st    *store.Store
	queue string
	// failed marks, per dossier, that its injected projection failure happened.
	failed map[string]*atomic.Bool
	// legacy drives dossiers as an API of before did: update-with-start
	// and sync, commands that leave the projection to the workflow. By
	// default the stack does what the API does now: it starts with the
	// submission time and writes the opening, and writes each action's
	// outcome before it goes on.
	legacy bool
}

func newStack(t *testing.T) *stack {
	tmp := devenv.TestTemporal(t)
	st := devenv.TestStore(t)
	c, err := client.Dial(client.Options{HostPort: tmp.Address, Namespace: tmp.Namespace})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	s := &stack{t: t, c: c, st: st, queue: "it-" + t.Name(), failed: map[string]*atomic.Bool{}}
	w := sdkworker.New(c, s.queue, sdkworker.Options{})
	worker.Register(w, st)
	worker.RegisterFanOut(w, app.New(app.Deps{Temporal: c, Store: st, TaskQueue: s.queue}))
	// Projection that fails once per dossier before it reaches the store.
	acts := &activities.Activities{Store: st}
	w.RegisterActivityWithOptions(func(ctx context.Context, in activities.ProjectInput) error {
		if in.View.Summary == "fail-once" {
			if f := s.flag(in.View.ID); !f.Swap(true) {
				return errors.New("injected: database unavailable")
			}
		}
		return acts.Project(ctx, in)
	}, activity.RegisterOptions{Name: activities.ProjectActivity, DisableAlreadyRegisteredCheck: true})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return s
}

func (s *stack) flag(id string) *atomic.Bool {
	if s.failed[id] == nil {
		s.failed[id] = &atomic.Bool{}
	}
	return s.failed[id]
}

var seq atomic.Int64

func (s *stack) submit(award string, nt domain.NomineeType, summary string, p domain.Policy, maxEvents int) string {
	t := s.t
	id := fmt.Sprintf("HS-IT-%06d-%d", seq.Add(1), time.Now().UnixNano()%1e6)
	sub := domain.Submission{AwardCode: award, Kind: domain.KindMerit, Procedure: domain.ProcedureRegular, Campaign: "2026-annual",
		AchievementPeriod: "2026", Nominee: domain.Nominee{Type: nt, Name: "Lò Văn A"}, Summary: summary}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in := workflows.DossierInput{ID: id, Submission: sub, By: unitA, Policy: p, MaxHistoryEvents: maxEvents}
	var v domain.View
	if s.legacy {
		op := s.c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID: workflows.DossierWorkflowID(id), TaskQueue: s.queue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, workflows.DossierWorkflowName, in)
		h, err := s.c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: op,
			UpdateOptions: client.UpdateWorkflowOptions{UpdateName: workflows.UpdateSync, WaitForStage: client.WorkflowUpdateStageCompleted}})
		require.NoError(t, err)
		require.NoError(t, h.Get(ctx, &v))
	} else {
		in.SubmittedAt = time.Now().UTC().Truncate(time.Microsecond)
		_, err := s.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.DossierWorkflowID(id), TaskQueue: s.queue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL}, workflows.DossierWorkflowName, in)
		require.NoError(t, err)
		d, first := workflows.Opened(in)
		v = d.View()
		require.NoError(t, s.st.Project(ctx, v, []domain.HistoryEntry{first}))
	}
	require.Equal(t, domain.Reception, v.Stage)
	s.readYourWrites(v)
	// A complete dossier: accept and approve need every required document.
	a, _ := domain.AwardByCode(award)
	for i, k := range domain.RequiredDocuments(a, sub.Procedure) {
		doc := &domain.Document{ID: fmt.Sprintf("%s-doc-%d", id, i), Kind: k, Filename: string(k) + ".pdf", ContentType: "application/pdf"}
		s.act(id, domain.Command{Action: domain.ActAttachDocument, Actor: unitA, Document: doc}, domain.Reception)
	}
	return id
}

// act takes an action and checks that the read model already shows it.
func (s *stack) act(id string, c domain.Command, want domain.Stage) domain.View {
	t := s.t
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c.CallerProjects = !s.legacy
	h, err := s.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.DossierWorkflowID(id),
		UpdateName: workflows.UpdateName(c.Action), Args: []interface{}{c}, WaitForStage: client.WorkflowUpdateStageCompleted})
	require.NoError(t, err, "%s by %s", c.Action, c.Actor.ID)
	var out workflows.Outcome
	require.NoError(t, h.Get(ctx, &out), "%s by %s", c.Action, c.Actor.ID)
	v := out.View
	if !s.legacy {
		require.NotEmpty(t, out.Entries, "%s by %s: no history entries in the outcome", c.Action, c.Actor.ID)
		var voters []string
		if out.Voter != "" {
			voters = []string{out.Voter}
		}
		require.NoError(t, s.st.Project(ctx, v, out.Entries, voters...))
	}
	if want != "" {
		require.Equal(t, want, v.Stage, "%s by %s", c.Action, c.Actor.ID)
	}
	s.readYourWrites(v)
	return v
}

// refuse checks that an action is refused with kind and leaves no event.
func (s *stack) refuse(id string, c domain.Command, kind domain.ErrorKind) {
	t := s.t
	before := s.events(id)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := s.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.DossierWorkflowID(id),
		UpdateName: workflows.UpdateName(c.Action), Args: []interface{}{c}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	e, ok := workflows.AsRefusal(err)
	require.True(t, ok, "%s by %s: want a refusal, got %v", c.Action, c.Actor.ID, err)
	require.Equal(t, kind, e.Kind, e.Detail)
	require.Equal(t, len(before), len(s.events(id)), "a refused %s left events in history", c.Action)
}

func (s *stack) readYourWrites(v domain.View) {
	got, err := s.st.GetDossier(context.Background(), v.ID)
	require.NoError(s.t, err)
	require.GreaterOrEqual(s.t, got.Version, v.Version, "the read model is behind the reply")
}

func (s *stack) events(id string) []*historypb.HistoryEvent {
	var out []*historypb.HistoryEvent
	it := s.c.GetWorkflowHistory(context.Background(), workflows.DossierWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(s.t, err)
		out = append(out, e)
	}
	return out
}

// finish waits for the workflow's result and checks the read model against
// it: same view, history 1..n with no gap and no duplicate.
func (s *stack) finish(id string, name string) domain.View {
	t := s.t
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var final domain.View
	require.NoError(t, s.c.GetWorkflow(ctx, workflows.DossierWorkflowID(id), "").Get(ctx, &final))
	got, err := s.st.GetDossier(ctx, id)
	require.NoError(t, err)
	got.AllowedActions, final.AllowedActions = nil, nil
	require.Equal(t, jsonOf(t, final), jsonOf(t, got), "read model differs from the workflow's state")
	hist, err := s.st.History(ctx, id)
	require.NoError(t, err)
	for i, e := range hist {
		require.Equal(t, int64(i+1), e.Seq, "history gap or duplicate")
	}
	if captureDir != "" && name != "" {
		s.capture(id, name)
	}
	return final
}

func (s *stack) capture(id, name string) {
	s.captureWorkflow(workflows.DossierWorkflowID(id), name)
}

// captureWorkflow saves the latest run of workflow wid's history as name.
func (s *stack) captureWorkflow(wid, name string) {
	t := s.t
	// The latest run: after a continue-as-new it starts from the carried state.
	var events []*historypb.HistoryEvent
	it := s.c.GetWorkflowHistory(context.Background(), wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		events = append(events, e)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(&historypb.History{Events: events})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(captureDir, name+".json"), b, 0o644))
}
