package reminders

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"tdkt/workflows"
)

// Ensure creates the Schedule that runs the reminder pass every interval
// (workflows.RemindersScheduleID, listed under Schedules in Temporal UI),
// or, when it exists, sets its interval and task queue to these: safe at
// every worker start, and several workers starting at once leave one
// schedule. Overlapping passes are skipped (one at a time), and a pass
// missed while the cluster was down is run once when it is back.
func Ensure(ctx context.Context, c client.Client, taskQueue string, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Hour
	}
	id := workflows.RemindersScheduleID(taskQueue)
	sc := c.ScheduleClient()
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: interval}}}
	action := &client.ScheduleWorkflowAction{
		ID:                       id,
		Workflow:                 workflows.RemindersWorkflowName,
		TaskQueue:                taskQueue,
		WorkflowExecutionTimeout: 2 * time.Hour,
	}
	_, err := sc.Create(ctx, client.ScheduleOptions{
		ID: id, Spec: spec, Action: action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: interval,
		Note: "tdkt: nhắc hạn đợt thi đua và hồ sơ quá hạn (reminders)",
	})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create schedule %s: %w", id, err)
	}
	h := sc.GetHandle(ctx, id)
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec = &spec
		s.Action = action
		if s.Policy != nil {
			s.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
			s.Policy.CatchupWindow = interval
		}
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return fmt.Errorf("update schedule %s: %w", id, err)
	}
	return nil
}
