package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"tdkt/domain"
	"tdkt/store"
)

var (
	unitA   = domain.Actor{ID: "u-a", Name: "Văn thư SGDĐT", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	officer = domain.Actor{ID: "o-1", Name: "Chuyên viên", Roles: []domain.Role{domain.RoleOfficer}}
	t0      = time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)
)

// dossier is a just-submitted dossier; change it with Apply or by hand.
func dossier(id, unit, award, name, summary string, created time.Time) *domain.Dossier {
	sub := domain.Submission{AwardCode: award, Kind: domain.KindMerit, Procedure: domain.ProcedureRegular,
		Campaign: "2025-annual", AchievementPeriod: "2025",
		Nominee: domain.Nominee{Type: domain.Individual, Name: name}, Summary: summary}
	by := unitA
	by.Unit = unit
	d, _ := domain.NewDossier(id, sub, by, created, domain.DefaultPolicy())
	return d
}

// put projects a dossier's current view with no history.
func put(t *testing.T, st *store.Store, d *domain.Dossier) {
	t.Helper()
	require.NoError(t, st.Project(context.Background(), d.View(), nil, ""))
}

// seedDossier is a dossier in a stage, due dueDays after t0 (none if
// negative), projected.
func seedDossier(t *testing.T, st *store.Store, n int, unit string, stage domain.Stage, created time.Time, dueDays int) *domain.Dossier {
	t.Helper()
	d := dossier(fmt.Sprintf("HS-2025-%06d", n), unit, "BK_UBND_TINH", "Nguyễn Văn B", "", created)
	d.Stage, d.Status = stage, domain.StatusOf(stage)
	d.DueAt = nil
	if dueDays >= 0 {
		due := t0.AddDate(0, 0, dueDays)
		d.DueAt = &due
	}
	put(t, st, d)
	return d
}
