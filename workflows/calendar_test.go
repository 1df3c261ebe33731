package workflows

// Due dates are computed with the worker's current calendar when a dossier
// enters a stage, so a corrected holiday reaches running dossiers; dossiers
// started before that change keep the calendar of their input.

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"tdkt/domain"
)

// withoutSwap is the shipped calendar before the swap of Monday 31/8/2026
// for Quốc khánh was entered.
func withoutSwap(t *testing.T) domain.Calendar {
	c := domain.DefaultCalendar()
	i := slices.Index(c.Holidays, "2026-08-31")
	require.GreaterOrEqual(t, i, 0)
	c.Holidays = slices.Delete(slices.Clone(c.Holidays), i, i+1)
	return c
}

func endOfDay(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d+1, 0, 0, 0, 0, domain.Local).UTC()
}

// A dossier received on Tuesday 25/8/2026, while the worker's calendar
// lacks the day off on Monday 31/8, is due in reception on Thursday 3/9
// (26, 27, 28, 31/8 and 3/9; 1–2/9 are Quốc khánh). The swap is then
// entered (the worker restarted with the corrected calendar). Accepted the
// same day, its appraisal (15 working days) is due on Friday 18/9 with the
// correction, not on Thursday 17/9 as with the calendar in its input.
func TestRunningDossierPicksUpCorrectedHoliday(t *testing.T) {
	old := withoutSwap(t)
	SetCalendar(old)
	t.Cleanup(func() { calendar.Store(nil) })
	p := domain.DefaultPolicy()
	p.Calendar = old
	start := time.Date(2026, 8, 25, 9, 0, 0, 0, domain.Local)
	h := newHarness(t, start)
	var reception domain.View
	h.env.RegisterDelayedCallback(func() { reception = h.query() }, 30*time.Minute)
	h.env.RegisterDelayedCallback(func() { SetCalendar(domain.DefaultCalendar()) }, time.Hour)
	_, done := h.run(submission("BK_UBND_TINH", domain.Individual), p, []step{
		{at: 2 * time.Hour, cmd: domain.Command{Action: domain.ActAccept, Actor: officer}, stage: domain.Appraisal,
			check: func(t *testing.T, v domain.View) {
				require.Equal(t, endOfDay(2026, 9, 18), v.DueAt.UTC(), "appraisal due date")
			}},
		act(3*time.Hour, domain.ActReject, officer, domain.Rejected),
	})
	require.True(t, done)
	require.Equal(t, domain.Reception, reception.Stage)
	require.Equal(t, endOfDay(2026, 9, 3), reception.DueAt.UTC(), "reception due date, computed before the correction")
}

// A dossier whose history predates the change (GetVersion answers the
// default version) keeps computing with the calendar in its input.
func TestDossierBeforeTheChangeKeepsItsCalendar(t *testing.T) {
	old := withoutSwap(t)
	SetCalendar(domain.DefaultCalendar())
	t.Cleanup(func() { calendar.Store(nil) })
	p := domain.DefaultPolicy()
	p.Calendar = old
	h := newHarness(t, time.Date(2026, 8, 25, 9, 0, 0, 0, domain.Local))
	h.env.OnGetVersion(dueDateChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	_, done := h.run(submission("BK_UBND_TINH", domain.Individual), p, []step{
		{at: 2 * time.Hour, cmd: domain.Command{Action: domain.ActAccept, Actor: officer}, stage: domain.Appraisal,
			check: func(t *testing.T, v domain.View) {
				require.Equal(t, endOfDay(2026, 9, 17), v.DueAt.UTC(), "appraisal due date")
			}},
		act(3*time.Hour, domain.ActReject, officer, domain.Rejected),
	})
	require.True(t, done)
}

// A worker that was given no calendar (one embedded in a process that does
// not call SetCalendar) keeps computing with the calendar in the input.
func TestNoCalendarSetKeepsTheInputs(t *testing.T) {
	calendar.Store(nil)
	p := domain.DefaultPolicy()
	p.Calendar = withoutSwap(t)
	h := newHarness(t, time.Date(2026, 8, 25, 9, 0, 0, 0, domain.Local))
	_, done := h.run(submission("BK_UBND_TINH", domain.Individual), p, []step{
		{at: 2 * time.Hour, cmd: domain.Command{Action: domain.ActAccept, Actor: officer}, stage: domain.Appraisal,
			check: func(t *testing.T, v domain.View) {
				require.Equal(t, endOfDay(2026, 9, 17), v.DueAt.UTC(), "appraisal due date")
			}},
		act(3*time.Hour, domain.ActReject, officer, domain.Rejected),
	})
	require.True(t, done)
}
