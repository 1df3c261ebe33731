package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"tdkt/domain"
)

// The reminders (nhắc hạn): a Temporal Schedule (RemindersScheduleID)
// starts the Reminders workflow every interval. One pass asks what is due
// to be told (campaigns closing soon, stages overdue) and sends each
// event, every event its own activity: a failing SMTP server or webhook
// is retried with backoff without holding up the others, and the
// activity's record of what it sent keeps an event from going out twice
// (package reminders).

const (
	// RemindersWorkflowName is the registered name of the reminder pass.
	RemindersWorkflowName = "Reminders"
	// ReminderEventsActivity lists the events due now.
	ReminderEventsActivity = "ReminderEvents"
	// SendReminderActivity sends one event, once.
	SendReminderActivity = "SendReminder"
)

// RemindersScheduleID is the Schedule that starts the reminder pass of a
// task queue, as Temporal UI lists it under Schedules: one per task queue,
// so that systems sharing a namespace keep theirs apart.
func RemindersScheduleID(taskQueue string) string { return "tdkt-reminders-" + taskQueue }

// RemindersResult is what a pass did: how many events it found, and how
// many of them failed after every retry (the next pass tries them again).
type RemindersResult struct {
	Events int `json:"events"`
	Failed int `json:"failed"`
}

var reminderScanOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 5},
}

// reminderSendOptions: an SMTP server or a webhook receiver that is down
// is tried again with backoff for about an hour; after that the event is
// left to the next pass, which finds it unsent and starts again.
var reminderSendOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2,
		MaximumInterval: 10 * time.Minute, MaximumAttempts: 10},
}

// Reminders is one reminder pass.
func Reminders(ctx workflow.Context) (RemindersResult, error) {
	logger := log.With(workflow.GetLogger(ctx), "workflow", RemindersWorkflowName)
	var events []domain.ReminderEvent
	sctx := workflow.WithActivityOptions(ctx, reminderScanOptions)
	if err := workflow.ExecuteActivity(sctx, ReminderEventsActivity).Get(sctx, &events); err != nil {
		return RemindersResult{}, fmt.Errorf("list the reminders due: %w", err)
	}
	actx := workflow.WithActivityOptions(ctx, reminderSendOptions)
	futures := make([]workflow.Future, len(events))
	for i, ev := range events {
		futures[i] = workflow.ExecuteActivity(actx, SendReminderActivity, ev)
	}
	res := RemindersResult{Events: len(events)}
	for i, f := range futures {
		if err := f.Get(actx, nil); err != nil {
			res.Failed++
			logger.Warn("reminder not sent; the next pass tries again", "key", events[i].Key, "error", err)
		}
	}
	return res, nil
}
