// Package reproject rebuilds the read model from Temporal, for the day a
// read model is lost or restored from an old backup, or a workflow is reset
// (`tdkt reproject`), and for the reconciler (one dossier an API did not
// finish writing). Temporal is the source of truth: a dossier's start holds
// the input its opening is computed from; every action's update outcome
// holds the view and the history entries it wrote (and, for a vote, who
// voted); every transition of older histories, and every deadline, scheduled
// a projection activity whose input holds the same; and every number the
// chairman's office issued is the result of a numbering activity. Reading those back from each run's event history, oldest first,
// and applying them with the store's idempotent, version-guarded writes
// gives the same read model the projections gave; running it twice changes
// nothing.
//
// What Temporal does not hold cannot come back: documents' bytes (the
// workflow keeps only their description) and Idempotency-Keys. Keep
// backups of PostgreSQL for those (docs/operations.md).
package reproject

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"tdkt/activities"
	"tdkt/app"
	"tdkt/domain"
	"tdkt/store"
	"tdkt/workflows"
)

// Options says what to rebuild, from where, into what.
type Options struct {
	Client client.Client
	// DataConverter decodes payloads: the same as the worker's (with the
	// payload codec when TDKT_PAYLOAD_KEY is set).
	DataConverter converter.DataConverter
	Store         *store.Store
	Namespace     string
	// Dossier, when set, rebuilds that dossier only.
	Dossier string
	Logger  *slog.Logger
}

// Report says what was rebuilt.
type Report struct {
	Dossiers    int
	Runs        int
	Projections int
	Numbers     int
	// MissingDocuments are documents a view lists whose bytes are not in
	// the read model (they live only there).
	MissingDocuments int
}

// Run rebuilds the read model: every dossier workflow (running and closed,
// every run of a continue-as-new chain), or one.
func Run(ctx context.Context, o Options) (Report, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.DataConverter == nil {
		o.DataConverter = converter.GetDefaultDataConverter()
	}
	query := fmt.Sprintf("WorkflowType = '%s'", workflows.DossierWorkflowName)
	if o.Dossier != "" {
		if !app.ValidID(o.Dossier) {
			return Report{}, fmt.Errorf("reproject: %q is not a dossier id", o.Dossier)
		}
		// Safe to quote: validID allows no quote.
		query = fmt.Sprintf("WorkflowId = '%s'", workflows.DossierWorkflowID(o.Dossier))
	}
	type run struct {
		workflowID, runID string
		start             int64
	}
	byWorkflow := map[string][]run{}
	var token []byte
	for {
		resp, err := o.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: o.Namespace, Query: query, NextPageToken: token, PageSize: 1000})
		if err != nil {
			return Report{}, fmt.Errorf("reproject: list dossier workflows: %w", err)
		}
		for _, e := range resp.Executions {
			wid := e.GetExecution().GetWorkflowId()
			byWorkflow[wid] = append(byWorkflow[wid], run{wid, e.GetExecution().GetRunId(), e.GetStartTime().AsTime().UnixNano()})
		}
		token = resp.NextPageToken
		if len(token) == 0 {
			break
		}
	}
	if o.Dossier != "" && len(byWorkflow) == 0 {
		return Report{}, fmt.Errorf("reproject: no workflow for dossier %s in namespace %s", o.Dossier, o.Namespace)
	}
	ids := make([]string, 0, len(byWorkflow))
	for wid := range byWorkflow {
		ids = append(ids, wid)
	}
	sort.Strings(ids)
	var rep Report
	for _, wid := range ids {
		runs := byWorkflow[wid]
		sort.Slice(runs, func(i, j int) bool { return runs[i].start < runs[j].start })
		for _, r := range runs {
			seen := newSeen()
			n, k, err := replayRun(ctx, o, r.workflowID, r.runID, &seen)
			if err != nil {
				return rep, err
			}
			rep.Runs++
			rep.Projections += n
			rep.Numbers += k
		}
		id := strings.TrimPrefix(wid, workflows.DossierWorkflowID(""))
		if err := o.Store.RestoreDossierID(ctx, id); err != nil {
			return rep, fmt.Errorf("reproject %s: %w", id, err)
		}
		missing, err := o.Store.MissingDocuments(ctx, id)
		if err != nil {
			return rep, fmt.Errorf("reproject %s: %w", id, err)
		}
		rep.MissingDocuments += missing
		rep.Dossiers++
		o.Logger.Info("reprojected", "dossier", id, "runs", len(runs))
	}
	return rep, nil
}

// Seen is what the histories read held, beside what they projected: for the
// reconciler, which clears the marks of the transitions it finds done.
type Seen struct {
	// Started: a start event was read (the dossier's opening is projected).
	Started bool
	// Accepted and Completed are the ids of the updates accepted, and
	// completed (successfully or not), in the runs read.
	Accepted, Completed map[string]bool
}

func newSeen() Seen { return Seen{Accepted: map[string]bool{}, Completed: map[string]bool{}} }

// replayRun applies one run's projections and numbers, in event order.
func replayRun(ctx context.Context, o Options, workflowID, runID string, seen *Seen) (projections, numbers int, err error) {
	events, err := history(ctx, o, workflowID, runID)
	if err != nil {
		return 0, 0, err
	}
	return applyRun(ctx, o, workflowID, events, seen)
}

// history reads one run's whole event history.
func history(ctx context.Context, o Options, workflowID, runID string) ([]*historypb.HistoryEvent, error) {
	var events []*historypb.HistoryEvent
	it := o.Client.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("reproject %s: history of run %s: %w", workflowID, runID, err)
		}
		events = append(events, ev)
	}
	return events, nil
}

// applyRun writes what one run's events recorded into the read model:
//   - the opening of a dossier whose start carries its submission time
//     (the API projected it from that input; workflows.Opened recomputes it);
//   - each action's outcome, when it carries the history entries it wrote
//     (the API projected those);
//   - each projection activity's input (the workflow projected those: every
//     transition of older histories, and deadlines);
//   - each number issued.
func applyRun(ctx context.Context, o Options, workflowID string, events []*historypb.HistoryEvent, seen *Seen) (projections, numbers int, err error) {
	numberInputs := map[int64]activities.IssueNumberInput{}
	for _, ev := range events {
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			var in workflows.DossierInput
			if err := decode(o.DataConverter, ev.GetWorkflowExecutionStartedEventAttributes().GetInput(), &in); err != nil {
				return projections, numbers, fmt.Errorf("reproject %s: start: %w", workflowID, err)
			}
			seen.Started = true
			if in.State != nil || in.SubmittedAt.IsZero() {
				continue
			}
			d, first := workflows.Opened(in)
			if err := o.Store.Project(ctx, d.View(), []domain.HistoryEntry{first}); err != nil {
				return projections, numbers, fmt.Errorf("reproject %s: %w", workflowID, err)
			}
			projections++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes()
			seen.Accepted[a.GetAcceptedRequest().GetMeta().GetUpdateId()] = true
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			a := ev.GetWorkflowExecutionUpdateCompletedEventAttributes()
			seen.Completed[a.GetMeta().GetUpdateId()] = true
			ok := a.GetOutcome().GetSuccess()
			if ok == nil {
				continue
			}
			var out workflows.Outcome
			if err := decode(o.DataConverter, ok, &out); err != nil {
				return projections, numbers, fmt.Errorf("reproject %s: event %d: %w", workflowID, ev.GetEventId(), err)
			}
			if len(out.Entries) == 0 {
				continue // the workflow projected it (older histories), or sync
			}
			var voters []string
			if out.Voter != "" {
				voters = []string{out.Voter}
			}
			if err := o.Store.Project(ctx, out.View, out.Entries, voters...); err != nil {
				return projections, numbers, fmt.Errorf("reproject %s: %w", workflowID, err)
			}
			projections++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			a := ev.GetActivityTaskScheduledEventAttributes()
			switch a.GetActivityType().GetName() {
			case activities.ProjectActivity:
				var in activities.ProjectInput
				if err := decode(o.DataConverter, a.GetInput(), &in); err != nil {
					return projections, numbers, fmt.Errorf("reproject %s: event %d: %w", workflowID, ev.GetEventId(), err)
				}
				// Allowed actions are per reader; the store never keeps them.
				if err := o.Store.Project(ctx, in.View, in.Entries, append(in.Voters, in.Voter)...); err != nil {
					return projections, numbers, fmt.Errorf("reproject %s: %w", workflowID, err)
				}
				projections++
			case activities.IssueNumberActivity:
				var in activities.IssueNumberInput
				if err := decode(o.DataConverter, a.GetInput(), &in); err != nil {
					return projections, numbers, fmt.Errorf("reproject %s: event %d: %w", workflowID, ev.GetEventId(), err)
				}
				numberInputs[ev.GetEventId()] = in
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			a := ev.GetActivityTaskCompletedEventAttributes()
			in, ok := numberInputs[a.GetScheduledEventId()]
			if !ok {
				continue
			}
			var number string
			if err := decode(o.DataConverter, a.GetResult(), &number); err != nil {
				return projections, numbers, fmt.Errorf("reproject %s: event %d: %w", workflowID, ev.GetEventId(), err)
			}
			n, err := strconv.Atoi(strings.SplitN(number, "/", 2)[0])
			if err != nil {
				return projections, numbers, fmt.Errorf("reproject %s: number %q: %w", workflowID, number, err)
			}
			if err := o.Store.RestoreNumber(ctx, in.DossierID, string(in.Kind), in.Year, n); err != nil {
				return projections, numbers, fmt.Errorf("reproject %s: %w", workflowID, err)
			}
			numbers++
		}
	}
	return projections, numbers, nil
}

// maxRunsBack bounds how many runs of a continue-as-new chain Dossier reads.
const maxRunsBack = 16

// Dossier rebuilds one dossier from its Temporal history without the
// visibility store (which may lag a just-started workflow): its current run
// and the runs it continued from, oldest first. The reconciler calls it for
// a dossier an API marked and did not write. Unlike Run, it leaves the id
// counter alone: an API issued this dossier's id from it. A dossier Temporal does not
// have is a *serviceerror.NotFound.
func Dossier(ctx context.Context, o Options, id string) (Seen, error) {
	seen := newSeen()
	if o.DataConverter == nil {
		o.DataConverter = converter.GetDefaultDataConverter()
	}
	wid := workflows.DossierWorkflowID(id)
	desc, err := o.Client.DescribeWorkflowExecution(ctx, wid, "")
	if err != nil {
		return seen, fmt.Errorf("reproject %s: %w", id, err)
	}
	var runs [][]*historypb.HistoryEvent
	runID := desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	for len(runs) < maxRunsBack && runID != "" {
		events, err := history(ctx, o, wid, runID)
		if err != nil {
			return seen, err
		}
		runs = append(runs, events)
		runID = ""
		if len(events) > 0 {
			runID = events[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
		}
	}
	for i := len(runs) - 1; i >= 0; i-- {
		if _, _, err := applyRun(ctx, o, wid, runs[i], &seen); err != nil {
			return seen, err
		}
	}
	return seen, nil
}

func decode(dc converter.DataConverter, p *commonpb.Payloads, into any) error {
	if p == nil || len(p.GetPayloads()) == 0 {
		return errors.New("no payload")
	}
	return dc.FromPayloads(p, into)
}
