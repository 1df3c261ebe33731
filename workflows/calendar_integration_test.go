package workflows_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"tdkt/domain"
	"tdkt/workflows"
)

// TestCorrectedCalendarOnRealStack: on a real Temporal server, a dossier
// started while the worker's calendar lacks a holiday gets its next due
// date from the corrected calendar; its history records the version marker
// and the due dates as side effects, and replays under a worker holding the
// old calendar again.
func TestCorrectedCalendarOnRealStack(t *testing.T) {
	s := newStack(t)
	old := domain.DefaultCalendar()
	// The correction: a day off on the third working day from today (made
	// up, so that the test runs on any date).
	fix := old.AddWorkingDays(time.Now(), 3).Add(-time.Hour).In(domain.Local).Format(time.DateOnly)
	corrected := old
	corrected.Holidays = append(slices.Clone(old.Holidays), fix)
	slices.Sort(corrected.Holidays)
	workflows.SetCalendar(old)
	t.Cleanup(func() { workflows.SetCalendar(domain.DefaultCalendar()) })
	p := domain.DefaultPolicy()
	p.Calendar = old

	id := s.submit("BK_UBND_TINH", domain.Individual, "", p, 0)
	workflows.SetCalendar(corrected)
	v := s.act(id, cmd(domain.ActAccept, officer), domain.Appraisal)
	hist, err := s.st.History(context.Background(), id)
	require.NoError(t, err)
	entered := hist[len(hist)-1].At
	require.Equal(t, corrected.AddWorkingDays(entered, 15), v.DueAt.UTC(), "appraisal due with the corrected calendar (%s off)", fix)
	require.NotEqual(t, old.AddWorkingDays(entered, 15), v.DueAt.UTC())
	s.act(id, cmd(domain.ActReject, officer), domain.Rejected)
	s.finish(id, "calendar_corrected")

	events := s.events(id)
	markers := map[string]int{}
	for _, e := range events {
		if m := e.GetMarkerRecordedEventAttributes(); m != nil {
			markers[m.GetMarkerName()]++
		}
	}
	require.Equal(t, 3, markers["Version"], "three version markers: the start's seal, the due date from the current calendar, the rules of 12/2026")
	// Reception's due date came with the start, computed by the API with
	// the calendar it holds (recorded in the input): no side effect.
	require.Equal(t, 2, markers["SideEffect"], "the start's seal check, and a due date recorded for appraisal")

	workflows.SetCalendar(old)
	r := sdkworker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.Dossier, workflow.RegisterOptions{Name: workflows.DossierWorkflowName})
	require.NoError(t, r.ReplayWorkflowHistory(nil, &historypb.History{Events: events}))
}
