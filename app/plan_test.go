package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"tdkt/app"
	"tdkt/devenv"
	"tdkt/domain"
)

var (
	planOfficer = domain.Actor{ID: "o-1", Name: "Chuyên viên", Roles: []domain.Role{domain.RoleOfficer}}
	planUnit    = domain.Actor{ID: "u-1", Name: "Văn thư", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	planChair   = domain.Actor{ID: "ch-1", Name: "Chủ tịch", Roles: []domain.Role{domain.RoleChairman}}
)

func fieldsOf(err error) []string {
	var out []string
	for _, f := range app.AsError(err).Fields {
		out = append(out, f.Field)
	}
	return out
}

// TestCampaigns: the officer creates campaigns (each bad field named, a
// code once), everyone lists them, and a submission into a campaign out of
// its window, or for an award it does not cover, or (enforced) into one the
// plan does not hold, is refused naming the field, leaving nothing behind.
func TestCampaigns(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	today := time.Date(2026, 6, 15, 3, 0, 0, 0, time.UTC) // 10:00 in Vietnam
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy(), Now: func() time.Time { return today }})

	_, err := svc.CreateCampaign(ctx, planUnit, domain.Campaign{Code: "x"})
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)
	_, err = svc.CreateCampaign(ctx, planOfficer, domain.Campaign{Code: "bad code", Year: 1999, Kind: "yearly",
		Opens: "2026-07-01", Closes: "2026-06-01", Awards: []string{"NOPE"}})
	require.Equal(t, domain.ErrInvalid, app.AsError(err).Kind)
	require.ElementsMatch(t, []string{"code", "name", "year", "kind", "opens", "closes", "awards"}, fieldsOf(err))
	msg, vi := app.Vietnamese(err)
	require.NotEmpty(t, msg)
	for _, f := range vi {
		require.NotContains(t, f.Message, "không hợp lệ", "field %s has no Vietnamese message of its own", f.Field)
	}

	school := domain.Campaign{Code: "2026-school", Name: "Năm học 2025 - 2026", Year: 2026, Kind: domain.CampaignSchoolYear,
		Opens: "2026-06-01", Closes: "2026-07-31", Awards: []string{"CSTD_TINH", "BK_UBND_TINH"}}
	got, err := svc.CreateCampaign(ctx, planOfficer, school)
	require.NoError(t, err)
	require.Equal(t, school, got)
	_, err = svc.CreateCampaign(ctx, planOfficer, school)
	require.Equal(t, domain.ErrConflict, app.AsError(err).Kind)
	late := domain.Campaign{Code: "2026-annual", Name: "Tổng kết năm 2025", Year: 2026, Kind: domain.CampaignAnnual,
		Opens: "2026-01-01", Closes: "2026-01-31", Awards: []string{"CSTD_TINH"}}
	_, err = svc.CreateCampaign(ctx, planOfficer, late)
	require.NoError(t, err)
	// The seed leaves a campaign of the same code alone.
	require.NoError(t, st.SeedCampaigns(ctx, domain.SeedPlan(2026)))
	c, err := svc.Campaign(ctx, planUnit, "2026-school")
	require.NoError(t, err)
	require.Equal(t, school, c)

	all, err := svc.Campaigns(ctx, planUnit, app.CampaignFilter{Year: 2026})
	require.NoError(t, err)
	var codes []string
	for _, c := range all {
		codes = append(codes, c.Code)
	}
	require.Equal(t, []string{"2026-annual", "2026-election", "2026-school"}, codes, "by opening day")
	f, fe := app.ParseCampaignQuery(url.Values{"kind": {"school_year"}, "year": {"2026"}})
	require.Empty(t, fe)
	only, err := svc.Campaigns(ctx, planUnit, f)
	require.NoError(t, err)
	require.Len(t, only, 1)
	_, fe = app.ParseCampaignQuery(url.Values{"kind": {"x"}, "year": {"20"}, "open_on": {"15/06/2026"}})
	require.Len(t, fe, 3)
	f, fe = app.ParseCampaignQuery(url.Values{"open_on": {"2026-01-31"}})
	require.Empty(t, fe)
	jan, err := svc.Campaigns(ctx, planUnit, f)
	require.NoError(t, err)
	require.Len(t, jan, 1)
	require.Equal(t, "2026-annual", jan[0].Code)
	open, err := svc.OpenCampaigns(ctx, planUnit)
	require.NoError(t, err)
	codes = nil
	for _, c := range open {
		codes = append(codes, c.Code)
	}
	require.Equal(t, []string{"2026-election", "2026-school"}, codes, "open on 15 June")

	sub := func(campaign, award string) domain.Submission {
		return domain.Submission{AwardCode: award, Kind: domain.KindMerit, Campaign: campaign, AchievementPeriod: "2025",
			Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn A"}}
	}
	nothingLeft := func(key string) {
		t.Helper()
		var n int
		require.NoError(t, st.DB.Get(&n, `SELECT (SELECT count(*) FROM idempotency_keys WHERE key = $1) + (SELECT count(*) FROM projection_pending) + (SELECT count(*) FROM dossiers)`, key))
		require.Zero(t, n, "a refused submission left something behind")
		ids, err := st.DossierIDCounters(ctx)
		require.NoError(t, err)
		require.Empty(t, ids, "a refused submission took a dossier number")
	}
	_, _, err = svc.Submit(ctx, planUnit, "k-late", sub("2026-annual", "CSTD_TINH"))
	require.Equal(t, []string{"campaign"}, fieldsOf(err))
	msg, _ = app.Vietnamese(err)
	require.Contains(t, msg, "31/01/2026")
	nothingLeft("k-late")
	_, _, err = svc.Submit(ctx, planUnit, "k-award", sub("2026-school", "BK_TTG"))
	require.Equal(t, []string{"award_code"}, fieldsOf(err))
	nothingLeft("k-award")
	_, _, err = svc.Submit(ctx, planUnit, "", sub("2026-election", "CSTD_TINH"))
	require.Equal(t, []string{"award_code"}, fieldsOf(err), "the election round takes certificates of merit only")
	nothingLeft("")

	strict := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy(), Now: func() time.Time { return today }, EnforceCampaigns: true})
	_, _, err = strict.Submit(ctx, planUnit, "k-free", sub("bench-free-text", "CSTD_TINH"))
	require.Equal(t, []string{"campaign"}, fieldsOf(err))
	_, vi = app.Vietnamese(err)
	require.Contains(t, vi[0].Message, "kế hoạch")
	nothingLeft("k-free")

	// A repeat of a submission made while the campaign was open gets its
	// dossier after it closed (an Idempotency-Key outlives the window).
	made := sub("2026-annual", "CSTD_TINH")
	made.Procedure = domain.ProcedureRegular
	canonical, err := json.Marshal(made)
	require.NoError(t, err)
	sum := sha256.Sum256(canonical)
	id, _, err := st.ReserveSubmission(ctx, planUnit.Unit, "k-january", hex.EncodeToString(sum[:]), 2026)
	require.NoError(t, err)
	d, first := domain.NewDossier(id, made, planUnit, time.Date(2026, 1, 20, 2, 0, 0, 0, time.UTC), domain.DefaultPolicy())
	require.NoError(t, st.ProjectPending(ctx, "start", d.View(), []domain.HistoryEntry{first}))
	again, existed, err := svc.Submit(ctx, planUnit, "k-january", sub("2026-annual", "CSTD_TINH"))
	require.NoError(t, err)
	require.True(t, existed)
	require.Equal(t, id, again.ID)
}

// TestReportSummary: counts per campaign, unit and award, returned at least
// once, overdue now, and the median and 90th percentile of the working
// days each stage took, from the projection's rollups; a projection
// repeated or arriving late changes nothing; the CSV and the XLSX say the
// same numbers.
func TestReportSummary(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy()})
	// Monday 3 March 2025, 09:00 in Vietnam.
	mon := time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return mon.AddDate(0, 0, n) }
	n := 0
	type move struct {
		at       int // days after mon
		action   domain.Action
		from, to domain.Stage
	}
	project := func(campaign, unit, award string, overdue bool, moves ...move) domain.View {
		n++
		v := domain.View{ID: fmt.Sprintf("HS-2025-%06d", n), Unit: unit, AwardCode: award, Campaign: campaign,
			Kind: domain.KindMerit, Procedure: domain.ProcedureRegular, Nominee: domain.Nominee{Type: domain.Individual, Name: "A"},
			CreatedAt: day(moves[0].at), UpdatedAt: day(moves[len(moves)-1].at)}
		var entries []domain.HistoryEntry
		for i, m := range moves {
			entries = append(entries, domain.HistoryEntry{Seq: int64(i + 1), At: day(m.at), Action: m.action, From: m.from, To: m.to})
			v.Stage = m.to
		}
		v.Status, v.Version, v.Overdue = domain.StatusOf(v.Stage), int64(len(moves)), overdue
		// Projected one transition at a time, as the API does.
		for i := range entries {
			w := v
			w.Version = int64(i + 1)
			w.Stage = entries[i].To
			w.Status = domain.StatusOf(w.Stage)
			require.NoError(t, st.Project(ctx, w, entries[i:i+1]))
		}
		require.NoError(t, st.Project(ctx, v, entries)) // repeated whole: counted once
		return v
	}
	sub := move{0, domain.ActSubmit, "", domain.Reception}
	// SGDDT, CSTD_TINH: reception 2, 4 days; appraisal 3, then 1 after the
	// return; supplement 1.
	project("2025-annual", "SGDDT", "CSTD_TINH", false, sub,
		move{2, domain.ActAccept, domain.Reception, domain.Appraisal},
		move{7, domain.ActReturn, domain.Appraisal, domain.Supplement},
		move{8, domain.ActResubmit, domain.Supplement, domain.Appraisal},
		move{9, domain.ActApprove, domain.Appraisal, domain.Decision},
		move{10, domain.ActDecide, domain.Decision, domain.Awarded})
	project("2025-annual", "SGDDT", "CSTD_TINH", false, sub,
		move{4, domain.ActAccept, domain.Reception, domain.Appraisal},
		move{4, domain.ActAttachDocument, domain.Appraisal, domain.Appraisal},
		move{5, domain.ActReject, domain.Appraisal, domain.Rejected})
	project("2025-annual", "SYT", "BK_UBND_TINH", true, sub)
	project("", "SYT", "BK_UBND_TINH", false, sub, move{0, domain.ActWithdraw, domain.Reception, domain.Withdrawn})
	// Another year: not in 2025's summary.
	v := project("2025-annual", "SYT", "BK_UBND_TINH", false, move{-70, domain.ActSubmit, "", domain.Reception})
	require.Equal(t, 2024, v.CreatedAt.In(domain.Local).Year())
	// A late projection of an older version does not turn the stage back.
	old := domain.View{ID: "HS-2025-000001", Unit: "SGDDT", AwardCode: "CSTD_TINH", Campaign: "2025-annual", Stage: domain.Appraisal,
		Status: domain.StatusActive, Version: 2, CreatedAt: day(0), UpdatedAt: day(2)}
	require.NoError(t, st.Project(ctx, old, nil))

	_, err := svc.ReportSummary(ctx, planUnit, app.ReportQuery{Year: 2025})
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)
	_, fe := app.ParseReportQuery(url.Values{"award": {"NOPE"}})
	require.ElementsMatch(t, []string{"year", "award"}, []string{fe[0].Field, fe[1].Field})

	sm, err := svc.ReportSummary(ctx, planChair, app.ReportQuery{Year: 2025})
	require.NoError(t, err)
	tt := sm.Totals
	require.Equal(t, [8]int64{4, 1, 1, 1, 1, 1, 0, 1}, [8]int64{tt.Submitted, tt.Active, tt.Awarded, tt.Rejected, tt.Returned, tt.Withdrawn, tt.Cancelled, tt.Overdue})
	require.Len(t, sm.Groups, 3)
	stage := func(r app.ReportRow, s domain.Stage) app.StageFigures {
		for _, f := range r.Stages {
			if f.Stage == s {
				return f
			}
		}
		return app.StageFigures{Stage: s}
	}
	ptr := func(p *int) any {
		if p == nil {
			return nil
		}
		return *p
	}
	// Reception: 2, 4 and 0 (withdrawn the same day) working days.
	rec := stage(tt, domain.Reception)
	require.Equal(t, int64(3), rec.Stays)
	require.Equal(t, 2, ptr(rec.MedianDays))
	require.Equal(t, 4, ptr(rec.P90Days))
	require.Equal(t, int64(1), rec.InStage, "of 2025, one dossier is still in reception")
	// Appraisal: 3 (Wednesday to Monday), 1, and 0 (Friday to Saturday).
	app3 := stage(tt, domain.Appraisal)
	require.Equal(t, int64(3), app3.Stays)
	require.Equal(t, 1, ptr(app3.MedianDays))
	require.Equal(t, 3, ptr(app3.P90Days))
	sup := stage(tt, domain.Supplement)
	require.Equal(t, int64(1), sup.Stays)
	require.Equal(t, 1, ptr(sup.MedianDays))
	dec := stage(tt, domain.Decision)
	require.Equal(t, 1, ptr(dec.MedianDays))
	require.Nil(t, stage(tt, domain.Council).MedianDays)

	f, err := svc.ReportSummary(ctx, planOfficer, app.ReportQuery{Year: 2025, Unit: "SYT"})
	require.NoError(t, err)
	require.Equal(t, int64(2), f.Totals.Submitted)
	require.Equal(t, int64(1), f.Totals.Overdue)

	// The CSV and the XLSX hold the same numbers.
	b, err := sm.CSV()
	require.NoError(t, err)
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 1+1+3)
	require.Equal(t, "total", recs[1][0])
	require.Equal(t, "4", recs[1][4])
	x, err := sm.XLSX()
	require.NoError(t, err)
	wb, err := excelize.OpenReader(bytes.NewReader(x))
	require.NoError(t, err)
	rows, err := wb.GetRows("Tổng hợp")
	require.NoError(t, err)
	require.Contains(t, rows[0][0], "2025")
	require.Equal(t, recs[0][4], "submitted")
	for i := 1; i < len(recs); i++ {
		row := rows[2+i]
		for j := 1; j < len(recs[i]); j++ {
			cell := "" // GetRows leaves out trailing empty cells
			if j < len(row) {
				cell = row[j]
			}
			require.Equal(t, recs[i][j], cell, "row %d column %d", i, j)
		}
	}
}
