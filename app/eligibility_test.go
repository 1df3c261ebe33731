package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"tdkt/app"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/workflows"
)

// eligibilityFinding is the finding of rule code.
func eligibilityFinding(t *testing.T, el domain.Eligibility, code string) domain.Finding {
	t.Helper()
	for _, f := range el.Findings {
		if f.Rule.Code == code {
			return f
		}
	}
	t.Fatalf("no finding %s", code)
	return domain.Finding{}
}

// TestEligibilityHoldsAndDuplicates on the real read model: the findings
// of a projected dossier from the registry rows recorded for its nominee;
// a submission of the same nominee for the same award and period is 422
// naming the nominee, as is one for a held nominee, and nothing is
// reserved; a held nominee's dossier is not decided (409, in Vietnamese)
// nor moved by a batch; lifting the hold lets both through to the engine.
func TestEligibilityHoldsAndDuplicates(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	now := time.Date(2026, 1, 12, 3, 0, 0, 0, time.UTC)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy(), Now: func() time.Time { return now }})

	nominee := domain.Nominee{Type: domain.Individual, Name: "Lò Thị Hương", BirthDate: "1984-05-02"}
	for _, y := range []int{2023, 2025} {
		_, err := svc.RecordAward(ctx, office, app.RegistryRecord{NomineeType: "individual", Name: "LÒ THỊ HƯƠNG", BirthDate: "02/05/1984",
			Unit: "SGDDT", AwardCode: "CSTD_CO_SO", Year: y, Kind: "merit", DecisionNumber: "1" + string(rune('0'+y%10)) + "/QĐ-SGDĐT", DecisionDate: "2025-12-20"})
		require.NoError(t, err)
	}
	sub := domain.Submission{AwardCode: "CSTD_TINH", Kind: domain.KindMerit, Procedure: domain.ProcedureRegular, AchievementPeriod: "2025", Nominee: nominee}
	d, _ := domain.NewDossier("HS-2026-000001", sub, unitSG, now, domain.DefaultPolicy())
	d.Stage, d.Status = domain.Decision, domain.StatusActive
	require.NoError(t, st.Project(ctx, d.View(), nil, ""))

	el, err := svc.Eligibility(ctx, office, d.ID)
	require.NoError(t, err)
	require.False(t, el.Hard)
	f := eligibilityFinding(t, el, domain.RulePrerequisite)
	require.False(t, f.OK)
	require.Equal(t, []int{2024}, f.MissingYears)
	require.Len(t, f.Evidence, 2)
	require.Equal(t, 2023, f.Evidence[0].Year)
	require.NotZero(t, f.Evidence[0].RegistryID)
	_, err = svc.Eligibility(ctx, domain.Actor{ID: "u-yt", Roles: []domain.Role{domain.RoleUnit}, Unit: "SYT"}, d.ID)
	require.Equal(t, domain.ErrNotFound, app.AsError(err).Kind, "another unit does not see it")

	// The same nominee (another spelling), award and period: 422 naming the nominee.
	again := sub
	again.Nominee.Name = "Lo Thi Huong"
	_, _, err = svc.Submit(ctx, unitSG, "", again)
	e := app.AsError(err)
	require.Equal(t, domain.ErrInvalid, e.Kind, "%v", err)
	require.Equal(t, []string{"nominee"}, fieldsOf(err))
	require.Contains(t, e.Fields[0].Message, "HS-2026-000001")
	msg, vi := app.Vietnamese(err)
	require.Contains(t, msg, "HS-2026-000001")
	require.Contains(t, vi[0].Message, "Chiến sĩ thi đua cấp tỉnh")
	next, _, err := st.ReserveSubmission(ctx, "SGDDT", "", "h", 2026)
	require.NoError(t, err)
	require.Equal(t, "HS-2026-000001", next, "a refused submission takes no number")

	// A hold: refused at submission (another award), and the running dossier is not decided.
	key := domain.NomineeKey(nominee, "SGDDT")
	_, err = svc.SetHold(ctx, unitSG, key, "x")
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)
	_, err = svc.SetHold(ctx, office, "not a key", "")
	require.ElementsMatch(t, []string{"person_key", "reason"}, fieldsOf(err))
	h, err := svc.SetHold(ctx, office, key, "Đang xem xét kỷ luật theo đơn thư")
	require.NoError(t, err)
	require.Equal(t, "o-1", h.SetBy)
	hs, err := svc.Holds(ctx, admin)
	require.NoError(t, err)
	require.Len(t, hs, 1)

	other := sub
	other.AwardCode = "BK_UBND_TINH"
	_, _, err = svc.Submit(ctx, unitSG, "", other)
	require.Equal(t, []string{"nominee"}, fieldsOf(err))
	msg, _ = app.Vietnamese(err)
	require.Contains(t, msg, "xem xét kỷ luật")

	v, err := svc.Dossier(ctx, chair, d.ID)
	require.NoError(t, err)
	require.NotNil(t, v.Hold)
	require.Equal(t, "Đang xem xét kỷ luật theo đơn thư", v.Hold.Reason)
	require.NotContains(t, v.AllowedActions, domain.ActDecide, "not offered while held")
	require.Contains(t, v.AllowedActions, domain.ActReturn)
	_, err = svc.Act(ctx, chair, d.ID, app.ActionRequest{Action: domain.ActDecide})
	e = app.AsError(err)
	require.Equal(t, domain.ErrConflict, e.Kind)
	msg, _ = app.Vietnamese(err)
	require.True(t, strings.HasPrefix(msg, "Người được đề nghị đang bị xem xét kỷ luật"), msg)
	moved, reason, err := svc.MoveInBatch(ctx, chair, d.ID, workflows.BatchDecision, "LO-1", "", "")
	require.NoError(t, err)
	require.False(t, moved)
	require.Contains(t, reason, "xem xét kỷ luật")

	// Lifted: the findings say so, and the dossier goes on to the engine
	// (which this test has none of: the refusal is no longer the hold's).
	require.NoError(t, svc.LiftHold(ctx, office, key, "Không kỷ luật"))
	require.Equal(t, domain.ErrNotFound, app.AsError(svc.LiftHold(ctx, office, key, "")).Kind)
	el, err = svc.Eligibility(ctx, chair, d.ID)
	require.NoError(t, err)
	require.True(t, eligibilityFinding(t, el, domain.RuleHold).OK)
	v, err = svc.Dossier(ctx, chair, d.ID)
	require.NoError(t, err)
	require.Nil(t, v.Hold)
	require.Contains(t, v.AllowedActions, domain.ActDecide)

	// The nominee's history: the registry rows of the key.
	rows, err := svc.NomineeHistory(ctx, office, key)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	_, err = svc.NomineeHistory(ctx, office, "%")
	require.Equal(t, domain.ErrInvalid, app.AsError(err).Kind)

	// Overrule: the officer only, with a comment.
	_, err = svc.OverruleEligibility(ctx, chair, d.ID, "x", 0)
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)
	_, err = svc.OverruleEligibility(ctx, office, d.ID, "  ", 0)
	require.Equal(t, []string{"comment"}, fieldsOf(err))
}
