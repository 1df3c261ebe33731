// Package worker registers the dossier workflow and its activities with a
// Temporal worker. Workers know nothing of HTTP.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"tdkt/activities"
	"tdkt/app"
	"tdkt/codec"
	"tdkt/config"
	"tdkt/domain"
	"tdkt/reconcile"
	"tdkt/reminders"
	"tdkt/reproject"
	"tdkt/store"
	"tdkt/workflows"
)

// Register puts the dossier workflow and its activities on a worker, with
// no check of the API's seals (tests).
func Register(w sdkworker.Registry, st *store.Store) { RegisterSealed(w, st, nil) }

// RegisterSealed puts the dossier workflow and its activities on a worker
// whose dossiers take only what v verifies as sealed by the API (v nil:
// anything).
func RegisterSealed(w sdkworker.Registry, st *store.Store, v workflows.Verifier) {
	registerSealed(w, st, v, false)
}

// registerSealed is RegisterSealed; versioned, for a worker under Worker
// Versioning, says how each workflow meets a new build. A dossier lives for
// months: it moves to the new build at its next workflow task
// (auto-upgrade, the worker's default), and workflow.GetVersion keeps the
// new code compatible with its history. A batch or a council session lives
// for minutes: it finishes on the build it started on (pinned), and the old
// build's workers are stopped once Temporal reports it drained.
func registerSealed(w sdkworker.Registry, st *store.Store, v workflows.Verifier, versioned bool) {
	short := workflow.RegisterOptions{}
	if versioned {
		short.VersioningBehavior = workflow.VersioningBehaviorPinned
	}
	w.RegisterWorkflowWithOptions(workflows.DossierWith(v), workflow.RegisterOptions{Name: workflows.DossierWorkflowName})
	short.Name = workflows.BatchWorkflowName
	w.RegisterWorkflowWithOptions(workflows.BatchWith(v), short)
	short.Name = workflows.SessionWorkflowName
	w.RegisterWorkflowWithOptions(workflows.CouncilSessionWith(v), short)
	acts := &activities.Activities{Store: st}
	w.RegisterActivityWithOptions(acts.Project, activity.RegisterOptions{Name: activities.ProjectActivity})
	w.RegisterActivityWithOptions(acts.IssueNumber, activity.RegisterOptions{Name: activities.IssueNumberActivity})
}

// Worker is a running worker: the Temporal worker and the reconciler
// beside it (package reconcile). Stop stops both.
type Worker struct {
	sdkworker.Worker
	stopReconciler context.CancelFunc
	reconciled     chan struct{}
}

// Stop stops the reconciler, then the Temporal worker (which finishes the
// tasks it is running).
func (w *Worker) Stop() {
	w.stopReconciler()
	<-w.reconciled
	w.Worker.Stop()
}

// Start starts a worker on the configured task queue, the reconciler
// that writes into the read model what an API recorded in Temporal but did
// not write, and makes the reminders' Schedule (package reminders); call
// Stop on it.
//
// It also installs the configured working-day calendar (TDKT_HOLIDAYS_FILE,
// or the shipped one) as the one due dates are computed with, so that a
// corrected holiday reaches running dossiers.
func Start(c client.Client, st *store.Store, cfg config.Config, logger *slog.Logger) (*Worker, error) {
	cal, err := cfg.Calendar()
	if err != nil {
		return nil, err
	}
	workflows.SetCalendar(cal)

	opts := sdkworker.Options{}
	if cfg.DeploymentName != "" {
		opts.DeploymentOptions = sdkworker.DeploymentOptions{UseVersioning: true,
			Version:                   sdkworker.WorkerDeploymentVersion{DeploymentName: cfg.DeploymentName, BuildID: cfg.BuildID},
			DefaultVersioningBehavior: workflow.VersioningBehaviorAutoUpgrade}
	}
	w := sdkworker.New(c, cfg.TaskQueue, opts)
	// With payload keys, only starts and commands the API sealed are taken.
	sealer, err := cfg.Sealer()
	if err != nil {
		return nil, err
	}
	var v workflows.Verifier
	if sealer != nil {
		v = sealer
	}
	registerSealed(w, st, v, cfg.DeploymentName != "")
	// A batch's dossiers are moved as the API acts: sealed, marked, written.
	RegisterFanOut(w, app.New(app.Deps{Temporal: c, Store: st, TaskQueue: cfg.TaskQueue, Sealer: sealer, Logger: logger}))
	rem, err := ReminderActivities(st, cfg, logger)
	if err != nil {
		return nil, err
	}
	reminders.Register(w, rem)
	rec, err := NewReconciler(c, st, cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker on task queue %s: %w", cfg.TaskQueue, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	// The reminders' schedule: made now, or, when Temporal refuses, again
	// in the background until it is made (dossiers do not wait for it).
	scheduled := make(chan struct{})
	if err := ensureSchedule(ctx, c, cfg); err != nil {
		logger.Error("reminders' schedule not created; retrying in the background", "error", err)
		go func() {
			defer close(scheduled)
			for delay := time.Second; ; delay = min(2*delay, time.Minute) {
				select {
				case <-ctx.Done():
					return
				case <-time.After(delay):
				}
				if err := ensureSchedule(ctx, c, cfg); err == nil {
					logger.Info("reminders' schedule created")
					return
				} else if ctx.Err() == nil {
					logger.Warn("reminders' schedule not created yet", "error", err)
				}
			}
		}()
	} else {
		close(scheduled)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec.Run(ctx)
		<-scheduled
	}()
	logger.Info("worker started", "task_queue", cfg.TaskQueue, "namespace", cfg.TemporalNamespace)
	return &Worker{Worker: w, stopReconciler: cancel, reconciled: done}, nil
}

// ReminderActivities are the reminder pass's activities as configured:
// SMTP (TDKT_SMTP_URL, TDKT_MAIL_FROM), the office's addresses, the
// webhooks and their secret, the lead time and the working-day calendar.
func ReminderActivities(st *store.Store, cfg config.Config, logger *slog.Logger) (*reminders.Activities, error) {
	cal, err := cfg.Calendar()
	if err != nil {
		return nil, err
	}
	a := &reminders.Activities{Store: st, Webhooks: cfg.WebhookURLs, Secret: cfg.WebhookSecret,
		Office: domain.Unit{Email: cfg.OfficeEmail}.Emails(), LeadDays: cfg.ReminderLeadDays, Calendar: cal, Logger: logger}
	if cfg.SMTPURL != "" {
		if a.Mail, err = reminders.NewMailer(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func ensureSchedule(ctx context.Context, c client.Client, cfg config.Config) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return reminders.Ensure(ctx, c, cfg.TaskQueue, cfg.ReminderInterval)
}

// NewReconciler is the reconciler of the configured namespace, reading
// payloads as the worker writes them.
func NewReconciler(c client.Client, st *store.Store, cfg config.Config, logger *slog.Logger) (*reconcile.Reconciler, error) {
	dc, err := DataConverter(cfg)
	if err != nil {
		return nil, err
	}
	return &reconcile.Reconciler{Store: st, Logger: logger,
		Options: reproject.Options{Client: c, DataConverter: dc, Namespace: cfg.TemporalNamespace}}, nil
}

// GrpcCompression is the configured compression of calls to Temporal
// (TDKT_TEMPORAL_COMPRESSION): none unless gzip is asked for.
func GrpcCompression(cfg config.Config) client.GrpcCompression {
	if cfg.TemporalCompression == "gzip" {
		return &client.GrpcCompressionGzip{}
	}
	return &client.GrpcCompressionNone{}
}

// DataConverter is how the worker and the API encode Temporal payloads:
// with the payload codec when TDKT_PAYLOAD_KEY is set, plain JSON otherwise.
func DataConverter(cfg config.Config) (converter.DataConverter, error) {
	if len(cfg.PayloadKey) == 0 {
		return converter.GetDefaultDataConverter(), nil
	}
	pc, err := codec.NewKeyring(cfg.CodecKeys())
	if err != nil {
		return nil, fmt.Errorf("TDKT_PAYLOAD_KEY: %w", err)
	}
	return codec.DataConverter(pc), nil
}

// RegisterSearchAttributes adds the dossier's search attributes to the
// namespace, leaving those already there alone, so it is safe at every start.
func RegisterSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	ops := c.OperatorService()
	have, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes of namespace %s: %w", namespace, err)
	}
	missing := map[string]enums.IndexedValueType{}
	for _, sa := range workflows.SearchAttributes {
		if _, ok := have.GetCustomAttributes()[sa.Name]; !ok {
			missing[sa.Name] = sa.Type
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing}); err != nil {
		return fmt.Errorf("add search attributes to namespace %s: %w", namespace, err)
	}
	return nil
}
