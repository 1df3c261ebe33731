package reminders_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"tdkt/config"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/reminders"
	"tdkt/worker"
	"tdkt/workflows"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

// replay replays the history of workflow wid against today's code, and,
// with TDKT_CAPTURE_REMINDERS=<file>, saves it there for the replay tests
// (workflows/testdata/histories).
func replay(t *testing.T, c client.Client, wid string) {
	t.Helper()
	var events []*historypb.HistoryEvent
	it := c.GetWorkflowHistory(context.Background(), wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		events = append(events, e)
	}
	h := &historypb.History{Events: events}
	r := sdkworker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.Reminders, workflow.RegisterOptions{Name: workflows.RemindersWorkflowName})
	require.NoError(t, r.ReplayWorkflowHistory(nil, h))
	if f := os.Getenv("TDKT_CAPTURE_REMINDERS"); f != "" {
		b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(f, b, 0o644))
	}
}

// hooks is a webhook receiver: it counts each event key it got with a
// valid signature, and refuses (500) the first delivery of every event, so
// each is retried by Temporal before it counts.
type hooks struct {
	mu      sync.Mutex
	secret  string
	got     map[string]int
	refused map[string]bool
	bad     int
	events  map[string]reminders.WebhookEvent
}

func (h *hooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Header.Get(reminders.SignatureHeader) != reminders.Sign(h.secret, body) {
		h.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev reminders.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.Key == "" || ev.Key != r.Header.Get("X-TDKT-Event") {
		h.bad++
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if !h.refused[ev.Key] {
		h.refused[ev.Key] = true
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	h.got[ev.Key]++
	h.events[ev.Key] = ev
	w.WriteHeader(http.StatusNoContent)
}

func (h *hooks) counts() (map[string]int, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]int{}
	for k, v := range h.got {
		out[k] = v
	}
	return out, h.bad
}

// The reminders on the real stack: Temporal's dev server, PostgreSQL,
// mailpit as the SMTP server, an httptest webhook receiver. A campaign
// closing today reminds every unit that has an address with exactly one
// e-mail naming it, an overdue dossier tells the office once, a campaign
// closing in two months tells nobody; a second pass after a worker restart
// finds nothing left to send, an event sent again sends nothing new, and the webhook gets every event once, signed (after
// refusing its first delivery, which Temporal retries).
func TestRemindersOnRealStack(t *testing.T) {
	ctx := context.Background()
	tmp := devenv.TestTemporal(t)
	st := devenv.TestStore(t)
	mp := devenv.TestMailpit(t)
	h := &hooks{secret: "webhook-secret", got: map[string]int{}, refused: map[string]bool{}, events: map[string]reminders.WebhookEvent{}}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	c, err := client.Dial(client.Options{HostPort: tmp.Address, Namespace: tmp.Namespace})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	// Three units with addresses; the others have none.
	withMail := map[string]string{"SGDDT": "vanthu@sgddt.example.vn", "SYT": "vanthu@syt.example.vn", "STC": "tonghop@stc.example.vn"}
	for code, addr := range withMail {
		u, err := st.GetUnit(ctx, code)
		require.NoError(t, err)
		u.Email = addr
		require.NoError(t, st.UpdateUnit(ctx, u))
	}
	units, err := st.ListUnits(ctx)
	require.NoError(t, err)

	now := time.Now()
	today := now.In(domain.Local).Format(time.DateOnly)
	closing := domain.Campaign{Code: "T-CLOSING", Name: "Khen thưởng chuyên đề phòng chống thiên tai", Year: now.Year(),
		Kind: domain.CampaignThematic, Opens: now.AddDate(0, 0, -20).In(domain.Local).Format(time.DateOnly), Closes: today, Awards: []string{"BK_UBND_TINH"}}
	later := domain.Campaign{Code: "T-LATER", Name: "Khen thưởng đợt sau", Year: now.Year(), Kind: domain.CampaignThematic,
		Opens: closing.Opens, Closes: now.AddDate(0, 2, 0).In(domain.Local).Format(time.DateOnly), Awards: []string{"BK_UBND_TINH"}}
	require.NoError(t, st.CreateCampaign(ctx, closing, "test"))
	require.NoError(t, st.CreateCampaign(ctx, later, "test"))

	due := now.Add(-26 * time.Hour).UTC().Truncate(time.Second)
	overdue := domain.View{ID: "HS-2026-900001", Unit: "SGDDT", AwardCode: "BK_UBND_TINH", Authority: domain.AuthorityProvince,
		Kind: domain.KindMerit, Stage: domain.Appraisal, Status: domain.StatusActive, Version: 3, DueAt: &due, Overdue: true,
		Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn Quá Hạn"}, CreatedAt: now.AddDate(0, 0, -30), UpdatedAt: now}
	onTime := overdue
	onTime.ID, onTime.Overdue = "HS-2026-900002", false
	require.NoError(t, st.Project(ctx, overdue, nil))
	require.NoError(t, st.Project(ctx, onTime, nil))

	cfg := config.Defaults()
	cfg.TaskQueue = "reminders-test"
	cfg.SMTPURL, cfg.MailFrom = mp.SMTPURL, "tdkt@snv.example.vn"
	cfg.OfficeEmail = "phongtdkt@snv.example.vn"
	cfg.WebhookURLs, cfg.WebhookSecret = []string{srv.URL + "/hook?token=abc"}, h.secret
	w, err := worker.Start(c, st, cfg, logger)
	require.NoError(t, err)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			w.Stop()
		}
	})

	// The schedule is there, as Temporal UI shows it.
	d, err := c.ScheduleClient().GetHandle(ctx, workflows.RemindersScheduleID(cfg.TaskQueue)).Describe(ctx)
	require.NoError(t, err)
	act, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
	require.True(t, ok, "the schedule starts a workflow: %T", d.Schedule.Action)
	require.Equal(t, workflows.RemindersWorkflowName, act.Workflow)
	require.Equal(t, cfg.TaskQueue, act.TaskQueue)
	require.Len(t, d.Schedule.Spec.Intervals, 1)
	require.Equal(t, time.Hour, d.Schedule.Spec.Intervals[0].Every)
	// A second start finds it and leaves one.
	require.NoError(t, reminders.Ensure(ctx, c, cfg.TaskQueue, 2*time.Hour))
	d, err = c.ScheduleClient().GetHandle(ctx, workflows.RemindersScheduleID(cfg.TaskQueue)).Describe(ctx)
	require.NoError(t, err)
	require.Equal(t, 2*time.Hour, d.Schedule.Spec.Intervals[0].Every)

	pass := func(id string) workflows.RemindersResult {
		t.Helper()
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: cfg.TaskQueue}, workflows.RemindersWorkflowName)
		require.NoError(t, err)
		var res workflows.RemindersResult
		require.NoError(t, run.Get(ctx, &res))
		return res
	}
	first := pass("reminders-pass-1")
	replay(t, c, "reminders-pass-1")
	require.Equal(t, len(units)+1, first.Events, "one event per unit for the closing campaign, one for the overdue dossier")
	require.Zero(t, first.Failed)

	msgs, err := mp.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, msgs, len(withMail)+1, "one e-mail per unit with an address, one to the office")
	perAddr := map[string]int{}
	for _, m := range msgs {
		require.Len(t, m.To, 1)
		require.Equal(t, "tdkt@snv.example.vn", m.From.Address)
		perAddr[m.To[0].Address]++
		if m.To[0].Address == cfg.OfficeEmail {
			require.Contains(t, m.Subject, overdue.ID)
			require.Contains(t, m.Subject, "Thẩm định")
			require.Contains(t, m.Text, "Lò Văn Quá Hạn")
			continue
		}
		require.Contains(t, m.Subject, closing.Name, "the e-mail names the campaign")
		require.Contains(t, m.Text, closing.Code)
		require.NotContains(t, m.Subject+m.Text, later.Name)
	}
	for _, addr := range withMail {
		require.Equal(t, 1, perAddr[addr], "exactly one e-mail to %s", addr)
	}
	require.Equal(t, 1, perAddr[cfg.OfficeEmail])

	got, bad := h.counts()
	require.Zero(t, bad, "every delivery signed")
	require.Len(t, got, len(units)+1)
	for k, n := range got {
		require.Equal(t, 1, n, "event %s delivered once", k)
	}
	require.Equal(t, 1, got[domain.StageOverdueKey(overdue.ID, domain.Appraisal, due)])
	require.Equal(t, 1, got[domain.CampaignClosingKey(closing.Code, "SYT", closing.Closes)])

	// Restart the worker, run the pass again: the same events, nothing new.
	w.Stop()
	stopped = true
	w, err = worker.Start(c, st, cfg, logger)
	require.NoError(t, err)
	stopped = false
	second := pass("reminders-pass-2")
	require.Zero(t, second.Events, "every event delivered: the second pass has none to send")
	require.Zero(t, second.Failed)
	// An event sent already, sent again (a pass that listed it before the
	// first one recorded it): its e-mail and webhook are not repeated.
	acts, err := worker.ReminderActivities(st, cfg, logger)
	require.NoError(t, err)
	require.NoError(t, acts.SendReminder(ctx, domain.ReminderEvent{Key: domain.CampaignClosingKey(closing.Code, "SYT", closing.Closes),
		Kind: domain.ReminderCampaignClosing, To: []string{withMail["SYT"]}, Subject: "lần nữa", Body: "lần nữa"}))
	msgs, err = mp.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, msgs, len(withMail)+1, "no e-mail sent twice")
	again, bad := h.counts()
	require.Zero(t, bad)
	require.Equal(t, got, again, "no webhook delivery twice")

	// The outbox lists each delivery once: the e-mails and the webhook's.
	sent, err := st.SentReminders(ctx, 1000)
	require.NoError(t, err)
	require.Len(t, sent, len(withMail)+1+len(units)+1)
	for _, s := range sent {
		for _, r := range s.Recipients {
			require.False(t, strings.Contains(r, "token="), "a webhook's query is not kept: %s", r)
		}
	}
}
