package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"tdkt/app"
	"tdkt/devenv"
	"tdkt/domain"
)

// TestRegistrations: a unit registers its own titles until the year's
// deadline (the last day of February, or the officer's), each nominee and
// title once a year; it reads its own, the officer all; a title dossier
// shows whether its nominee was registered, a non-title dossier nothing.
func TestRegistrations(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	now := time.Date(2026, 2, 10, 3, 0, 0, 0, time.UTC)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy(), Now: func() time.Time { return now }})
	other := domain.Actor{ID: "u-2", Roles: []domain.Role{domain.RoleUnit}, Unit: "SYT"}

	person := domain.Registration{Nominee: domain.Nominee{Type: domain.Individual, Name: "  Nguyễn Thị Mai ", Position: "Giáo viên"}, AwardCode: "CSTD_TINH"}
	r, err := svc.Register(ctx, planUnit, person)
	require.NoError(t, err)
	require.Equal(t, 2026, r.Year, "this year by default")
	require.Equal(t, "SGDDT", r.Unit)
	require.Equal(t, "Nguyễn Thị Mai", r.Nominee.Name)
	require.Equal(t, "Chiến sĩ thi đua cấp tỉnh", r.AwardName)

	_, err = svc.Register(ctx, planUnit, person)
	require.Equal(t, domain.ErrConflict, app.AsError(err).Kind, "once a year")
	msg, _ := app.Vietnamese(err)
	require.Contains(t, msg, "đã được đăng ký")

	_, err = svc.Register(ctx, planOfficer, person)
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)
	_, err = svc.Register(ctx, planUnit, domain.Registration{Unit: "SYT", Nominee: person.Nominee, AwardCode: "CSTD_TINH"})
	require.Equal(t, []string{"unit"}, fieldsOf(err))
	_, err = svc.Register(ctx, planUnit, domain.Registration{Nominee: domain.Nominee{Type: domain.Collective, Name: "Trường THPT Lai Châu"}, AwardCode: "BK_UBND_TINH"})
	require.Equal(t, []string{"award_code"}, fieldsOf(err), "a Bằng khen is no title")
	_, err = svc.Register(ctx, planUnit, domain.Registration{Nominee: domain.Nominee{Type: domain.Collective, Name: "Trường THPT Lai Châu"}, AwardCode: "CSTD_TINH"})
	require.Equal(t, []string{"nominee.type"}, fieldsOf(err))
	_, vi := app.Vietnamese(err)
	require.NotContains(t, vi[0].Message, "không hợp lệ")
	_, err = svc.Register(ctx, planUnit, domain.Registration{Nominee: domain.Nominee{Type: domain.Collective, Name: "Trường THPT Lai Châu"}, AwardCode: "CO_THI_DUA_TINH"})
	require.NoError(t, err)
	_, err = svc.Register(ctx, other, domain.Registration{Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Thị Hoa"}, AwardCode: "LDTT"})
	require.NoError(t, err)

	// Past the default deadline (28/02/2026) the year is closed, until the
	// officer moves it.
	now = time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
	late := domain.Registration{Nominee: domain.Nominee{Type: domain.Individual, Name: "Đèo Văn Muộn"}, AwardCode: "CSTD_CO_SO"}
	_, err = svc.Register(ctx, planUnit, late)
	require.Equal(t, []string{"year"}, fieldsOf(err))
	msg, _ = app.Vietnamese(err)
	require.Contains(t, msg, "28/02/2026")
	_, err = svc.SetRegistrationDeadline(ctx, planUnit, 2026, "2026-03-15")
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)
	_, err = svc.SetRegistrationDeadline(ctx, planOfficer, 2026, "2027-03-15")
	require.Equal(t, []string{"closes"}, fieldsOf(err))
	_, err = svc.SetRegistrationDeadline(ctx, planOfficer, 2026, "2026-03-15")
	require.NoError(t, err)
	d, err := svc.RegistrationDeadline(ctx, 2026)
	require.NoError(t, err)
	require.Equal(t, "2026-03-15", d)
	_, err = svc.Register(ctx, planUnit, late)
	require.NoError(t, err)
	d, err = svc.RegistrationDeadline(ctx, 2027)
	require.NoError(t, err)
	require.Equal(t, "2027-02-28", d)

	mine, err := svc.Registrations(ctx, planUnit, app.RegistrationFilter{})
	require.NoError(t, err)
	require.Len(t, mine, 3)
	for _, r := range mine {
		require.Equal(t, "SGDDT", r.Unit)
	}
	none, err := svc.Registrations(ctx, planUnit, app.RegistrationFilter{Unit: "SYT"})
	require.NoError(t, err)
	require.Empty(t, none, "a unit never reads another's")
	all, err := svc.Registrations(ctx, planOfficer, app.RegistrationFilter{Year: 2026})
	require.NoError(t, err)
	require.Len(t, all, 4)
	syt, err := svc.Registrations(ctx, planOfficer, app.RegistrationFilter{Unit: "SYT"})
	require.NoError(t, err)
	require.Len(t, syt, 1)
	_, err = svc.Registrations(ctx, domain.Actor{ID: "c", Roles: []domain.Role{domain.RoleCouncil}}, app.RegistrationFilter{})
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)

	// The finding: the registered person (matched without diacritics' case
	// or spacing, with a date of birth the registration did not have), an
	// unregistered one, a non-title award.
	v := domain.View{ID: "HS-2026-000010", Unit: "SGDDT", AwardCode: "CSTD_TINH", AchievementPeriod: "2026",
		Nominee: domain.Nominee{Type: domain.Individual, Name: "nguyễn thị  mai", BirthDate: "1980-05-01"}}
	f, err := svc.RegistrationFinding(ctx, v)
	require.NoError(t, err)
	require.True(t, f.OK, "%+v", f)
	require.Equal(t, 2026, f.Year)
	require.Equal(t, "registration", f.Rule)
	v.AchievementPeriod = "2025"
	f, err = svc.RegistrationFinding(ctx, v)
	require.NoError(t, err)
	require.False(t, f.OK, "registered for 2026, not 2025")
	require.Contains(t, f.Message, "chưa đăng ký thi đua")
	v.AwardCode = "BK_UBND_TINH"
	f, err = svc.RegistrationFinding(ctx, v)
	require.NoError(t, err)
	require.Nil(t, f)
}

// TestUnitEmail: the administrator sets a unit's reminder addresses
// through the directory's update; a wrong one is refused naming email.
func TestUnitEmail(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy()})
	admin := domain.Actor{ID: "a-1", Roles: []domain.Role{domain.RoleAdmin}}
	u, err := st.GetUnit(ctx, "SYT")
	require.NoError(t, err)
	require.Empty(t, u.Email)
	u.Email = "vanthu@syt.example.vn,  tonghop@syt.example.vn"
	out, err := svc.UpdateUnit(ctx, admin, "SYT", u)
	require.NoError(t, err)
	require.Equal(t, "vanthu@syt.example.vn, tonghop@syt.example.vn", out.Email)
	got, err := st.GetUnit(ctx, "SYT")
	require.NoError(t, err)
	require.Equal(t, out.Email, got.Email)
	u.Email = "vanthu at syt"
	_, err = svc.UpdateUnit(ctx, admin, "SYT", u)
	require.Equal(t, []string{"email"}, fieldsOf(err))
	_, vi := app.Vietnamese(err)
	require.Contains(t, vi[0].Message, "Thư điện tử")
	_, err = svc.UpdateUnit(ctx, planOfficer, "SYT", u)
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)
}
