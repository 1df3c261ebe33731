package activities_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"tdkt/activities"
	"tdkt/domain"
)

func env(t *testing.T) (*testsuite.TestActivityEnvironment, *activities.Activities) {
	var s testsuite.WorkflowTestSuite
	e := s.NewTestActivityEnvironment()
	acts := &activities.Activities{Store: newStore(t)}
	e.RegisterActivity(acts)
	return e, acts
}

func TestProjectActivity(t *testing.T) {
	e, acts := env(t)
	unit := domain.Actor{ID: "u-a", Name: "Văn thư", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	sub := domain.Submission{AwardCode: "BK_UBND_TINH", Kind: domain.KindMerit, AchievementPeriod: "2025",
		Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn A"}}
	d, first := domain.NewDossier("HS-2025-000001", sub, unit, time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC), domain.DefaultPolicy())
	in := activities.ProjectInput{View: d.View(), Entries: []domain.HistoryEntry{first}}
	for range 2 { // a retry writes nothing twice
		_, err := e.ExecuteActivity(activities.ProjectActivity, in)
		require.NoError(t, err)
	}
	h, err := acts.Store.History(t.Context(), d.ID)
	require.NoError(t, err)
	assert.Len(t, h, 1)
	got, err := acts.Store.GetDossier(t.Context(), d.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.Reception, got.Stage)

	// A malformed input is not retried.
	bad := in
	bad.View.ID = ""
	_, err = e.ExecuteActivity(activities.ProjectActivity, bad)
	requireNonRetryable(t, err)
	bad = in
	bad.Entries = []domain.HistoryEntry{{Seq: 0, Action: domain.ActSubmit}}
	_, err = e.ExecuteActivity(activities.ProjectActivity, bad)
	requireNonRetryable(t, err)
}

func TestIssueNumberActivity(t *testing.T) {
	e, _ := env(t)
	issue := func(id string, kind activities.NumberKind, year int) string {
		t.Helper()
		v, err := e.ExecuteActivity(activities.IssueNumberActivity, activities.IssueNumberInput{DossierID: id, Kind: kind, Year: year})
		require.NoError(t, err)
		var s string
		require.NoError(t, v.Get(&s))
		return s
	}
	assert.Equal(t, "1/QĐ-UBND", issue("D1", activities.DecisionNumber, 2025))
	assert.Equal(t, "2/QĐ-UBND", issue("D2", activities.DecisionNumber, 2025))
	assert.Equal(t, "1/QĐ-UBND", issue("D1", activities.DecisionNumber, 2025), "a retry gets the same number")
	assert.Equal(t, "1/TTr-UBND", issue("D3", activities.ProposalNumber, 2025))
	assert.Equal(t, "1/QĐ-UBND", issue("D4", activities.DecisionNumber, 2026))

	for _, in := range []activities.IssueNumberInput{
		{DossierID: "", Kind: activities.DecisionNumber, Year: 2025},
		{DossierID: "D9", Kind: "QĐ-XYZ", Year: 2025},
		{DossierID: "D9", Kind: activities.DecisionNumber, Year: 0},
	} {
		_, err := e.ExecuteActivity(activities.IssueNumberActivity, in)
		requireNonRetryable(t, err)
	}
}

func requireNonRetryable(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	var ae *temporal.ApplicationError
	require.True(t, errors.As(err, &ae), "want an application error, got %T %v", err, err)
	assert.True(t, ae.NonRetryable(), "%v", err)
}

func TestDatabaseErrorsAreRetryable(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	e := s.NewTestActivityEnvironment()
	st := newStore(t)
	require.NoError(t, st.Close()) // the database is away
	e.RegisterActivity(&activities.Activities{Store: st})
	_, err := e.ExecuteActivity(activities.IssueNumberActivity, activities.IssueNumberInput{DossierID: "D1", Kind: activities.DecisionNumber, Year: 2025})
	require.Error(t, err)
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		assert.False(t, ae.NonRetryable(), "%v", err)
	}
}
