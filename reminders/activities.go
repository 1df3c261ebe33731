package reminders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"tdkt/domain"
	"tdkt/store"
	"tdkt/workflows"
)

// MaxEvents bounds one pass: what is left over is found by the next.
const MaxEvents = 2000

// Activities are the reminder pass's side effects.
//
// Sent once: each delivery of an event (its e-mail; its POST to one
// webhook) is recorded in reminders_sent under a unique key in a
// transaction opened before sending and committed after the send
// succeeded. A key already there means sent: nothing is sent again,
// whatever worker or retry asks. A send that fails rolls the record back,
// so the retry sends. A second worker sending the same key at the same
// time waits on the first one's uncommitted row, then finds it.
//
// The crash between send and commit: the SMTP server has taken the
// message (or the webhook answered 2xx) but the worker dies before the
// commit; the row is rolled back and the retry sends again. That is
// at-least-once, chosen on purpose: the window is a few milliseconds, and
// a duplicate reminder costs a reader a second look, while a reminder
// lost (at-most-once: commit first, then send, and a crash after the
// commit never sends) could cost a unit its campaign deadline. Webhook
// receivers get the event's key in X-TDKT-Event to drop the rare repeat.
type Activities struct {
	Store *store.Store
	// Mail sends e-mail; nil: none is sent (the webhooks still are).
	Mail *Mailer
	// Webhooks are POSTed every event, signed with Secret.
	Webhooks []string
	Secret   string
	// Office are the emulation office's addresses (overdue stages).
	Office []string
	// LeadDays is how many working days before a window closes units are
	// reminded; Calendar counts them.
	LeadDays int
	Calendar domain.Calendar
	// Now is the clock; time.Now when nil.
	Now    func() time.Time
	HTTP   *http.Client
	Logger *slog.Logger
}

// Register puts the Reminders workflow and its activities on a worker.
func Register(w sdkworker.Registry, a *Activities) {
	w.RegisterWorkflowWithOptions(workflows.Reminders, workflow.RegisterOptions{Name: workflows.RemindersWorkflowName})
	w.RegisterActivityWithOptions(a.ReminderEvents, activity.RegisterOptions{Name: workflows.ReminderEventsActivity})
	w.RegisterActivityWithOptions(a.SendReminder, activity.RegisterOptions{Name: workflows.SendReminderActivity})
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func dayVN(d string) string {
	if t, err := time.Parse(time.DateOnly, d); err == nil {
		return t.Format("02/01/2006")
	}
	return d
}

const signature = "\n\n--\nHệ thống quản lý hồ sơ thi đua, khen thưởng (thư tự động, vui lòng không trả lời)."

// ReminderEvents lists the events due now and not all delivered yet: to
// every unit of the directory, each campaign whose window closes within
// LeadDays working days; to the office, each overdue stage. What was
// listed but not sent before a crash is listed again by the next pass.
func (a *Activities) ReminderEvents(ctx context.Context) ([]domain.ReminderEvent, error) {
	now := a.now()
	today := now.In(domain.Local).Format(time.DateOnly)
	campaigns, err := a.Store.Campaigns(ctx, store.CampaignFilter{OpenOn: today})
	if err != nil {
		return nil, err
	}
	var events []domain.ReminderEvent
	var units []domain.Unit
	for _, c := range campaigns {
		if !domain.ClosingSoon(c, now, a.Calendar, a.LeadDays) {
			continue
		}
		if units == nil {
			if units, err = a.Store.ListUnits(ctx); err != nil {
				return nil, err
			}
		}
		closes, _ := time.ParseInLocation(time.DateOnly, c.Closes, domain.Local)
		left := a.Calendar.WorkingDaysBetween(now, closes)
		for _, u := range units {
			when := fmt.Sprintf("còn %d ngày làm việc", left)
			if left == 0 {
				when = "hôm nay là ngày cuối"
			}
			events = append(events, domain.ReminderEvent{
				Key: domain.CampaignClosingKey(c.Code, u.Code, c.Closes), Kind: domain.ReminderCampaignClosing,
				Campaign: c.Code, Unit: u.Code, Closes: c.Closes, To: u.Emails(),
				Subject: fmt.Sprintf("Nhắc hạn: đợt «%s» nhận hồ sơ đến hết ngày %s", c.Name, dayVN(c.Closes)),
				Body: fmt.Sprintf("Kính gửi: %s\n\nĐợt xét khen thưởng «%s» (mã %s) nhận hồ sơ đề nghị khen thưởng đến hết ngày %s (%s). "+
					"Hồ sơ nộp sau thời hạn này không được tiếp nhận.\n\nĐề nghị đơn vị hoàn thiện và nộp hồ sơ đúng hạn.",
					u.Name, c.Name, c.Code, dayVN(c.Closes), when) + signature,
			})
		}
	}
	overdue, err := a.Store.OverdueDossiers(ctx, MaxEvents)
	if err != nil {
		return nil, err
	}
	for _, v := range overdue {
		if v.DueAt == nil {
			continue
		}
		if i, ok := domain.Info(v.Stage); ok && i.Terminal {
			continue
		}
		stage := string(v.Stage)
		if i, ok := domain.Info(v.Stage); ok {
			stage = i.Name
		}
		due := v.DueAt.UTC()
		events = append(events, domain.ReminderEvent{
			Key: domain.StageOverdueKey(v.ID, v.Stage, due), Kind: domain.ReminderStageOverdue,
			Dossier: v.ID, Unit: v.Unit, Stage: v.Stage, Due: &due, To: a.Office,
			Subject: fmt.Sprintf("Quá hạn: hồ sơ %s ở bước «%s»", v.ID, stage),
			Body: fmt.Sprintf("Hồ sơ %s (%s, đơn vị %s) ở bước «%s» đã quá hạn xử lý từ %s.\n\nĐề nghị xử lý hồ sơ.",
				v.ID, v.Nominee.Name, v.Unit, stage, v.DueAt.In(domain.Local).Format("15:04 02/01/2006")) + signature,
		})
	}
	events, err = a.unsent(ctx, events)
	if err != nil {
		return nil, err
	}
	if len(events) > MaxEvents {
		events = events[:MaxEvents]
	}
	return events, nil
}

// deliveries are the outbox keys of an event's deliveries: its e-mail (when
// it has recipients and e-mail is configured), its POST to each webhook.
func (a *Activities) deliveries(ev domain.ReminderEvent) []string {
	var keys []string
	if len(ev.To) > 0 && a.Mail != nil {
		keys = append(keys, ev.Key+"|mail")
	}
	for _, hook := range a.Webhooks {
		keys = append(keys, hookKey(ev.Key, hook))
	}
	return keys
}

func hookKey(event, hook string) string {
	sum := sha256.Sum256([]byte(hook))
	return event + "|hook:" + hex.EncodeToString(sum[:6])
}

// unsent drops the events with nothing left to deliver (every delivery in
// the outbox, or none configured), so that a pass's history holds only
// what it may still send. SendReminder checks again, delivery by delivery:
// this is only the cheap first look.
func (a *Activities) unsent(ctx context.Context, events []domain.ReminderEvent) ([]domain.ReminderEvent, error) {
	var keys []string
	for _, ev := range events {
		keys = append(keys, a.deliveries(ev)...)
	}
	sent, err := a.Store.SentKeys(ctx, keys)
	if err != nil {
		return nil, err
	}
	var out []domain.ReminderEvent
	for _, ev := range events {
		for _, k := range a.deliveries(ev) {
			if !sent[k] {
				out = append(out, ev)
				break
			}
		}
	}
	return out, nil
}

// SendReminder sends one event once: its e-mail, then its POST to every
// webhook, each delivery recorded under its own key (see Activities).
func (a *Activities) SendReminder(ctx context.Context, ev domain.ReminderEvent) error {
	if ev.Key == "" || ev.Kind == "" {
		return temporal.NewNonRetryableApplicationError("reminder without a key or kind", "BadInput", nil)
	}
	if len(ev.To) > 0 && a.Mail != nil {
		to := slices.Clone(ev.To)
		err := a.once(ctx, store.SentReminder{Key: ev.Key + "|mail", Kind: string(ev.Kind), Subject: ev.Subject, Recipients: to},
			func() error { return a.Mail.Send(ctx, to, ev.Subject, ev.Body) })
		if err != nil {
			return err
		}
	}
	if len(a.Webhooks) == 0 {
		return nil
	}
	body, err := webhookBody(ev)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("encode webhook event", "BadInput", err)
	}
	hc := a.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	var failed []string
	for _, hook := range a.Webhooks {
		err := a.once(ctx, store.SentReminder{Key: hookKey(ev.Key, hook), Kind: string(ev.Kind),
			Subject: ev.Subject, Recipients: []string{redact(hook)}, Webhooks: 1},
			func() error { return post(ctx, hc, hook, a.Secret, body, ev.Key) })
		if err != nil {
			// The other hooks still get it; this one is retried.
			failed = append(failed, err.Error())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("reminder %s: %s", ev.Key, strings.Join(failed, "; "))
	}
	return nil
}

// once records r and sends in one transaction: nothing is sent when r's
// key is recorded already, and nothing is recorded when the send fails.
func (a *Activities) once(ctx context.Context, r store.SentReminder, send func() error) error {
	tx, err := a.Store.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after a commit it does nothing
	claimed, err := store.ClaimReminder(ctx, tx, r)
	if err != nil {
		return err
	}
	if !claimed {
		return nil
	}
	if err := send(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record reminder %s (sent; the retry sends it again): %w", r.Key, err)
	}
	if a.Logger != nil {
		a.Logger.Info("reminder sent", "key", r.Key, "recipients", len(r.Recipients))
	}
	return nil
}
