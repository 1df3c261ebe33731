package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"tdkt/domain"
)

func TestTitles(t *testing.T) {
	var codes []string
	for _, a := range domain.TitleAwards() {
		codes = append(codes, a.Code)
	}
	require.Equal(t, []string{"CSTD_TOAN_QUOC", "CO_THI_DUA_CP", "CSTD_TINH", "CO_THI_DUA_TINH", "TTLDXS", "CSTD_CO_SO", "LDTT"}, codes)
	_, ok := domain.TitleAward("BK_UBND_TINH")
	require.False(t, ok, "a Bằng khen is no title")
}

func TestDefaultRegistrationDeadline(t *testing.T) {
	require.Equal(t, "2026-02-28", domain.DefaultRegistrationDeadline(2026))
	require.Equal(t, "2028-02-29", domain.DefaultRegistrationDeadline(2028))
}

func TestValidateRegistration(t *testing.T) {
	ok := domain.Registration{Year: 2026, Unit: "SGDDT", AwardCode: "CSTD_TINH", Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Thị Mai"}}
	require.Nil(t, domain.ValidateRegistration(ok, "2026-02-28", "2026-02-28"), "the last day counts")
	e := domain.ValidateRegistration(ok, "2026-03-01", "2026-02-28")
	require.NotNil(t, e)
	require.Equal(t, "year", e.Fields[0].Field)
	bad := domain.Registration{Year: 1999, AwardCode: "BK_TTG", Nominee: domain.Nominee{Type: "x", Name: " ", Position: "a\x01"}}
	e = domain.ValidateRegistration(bad, "2026-01-01", "2026-02-28")
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	require.Equal(t, []string{"year", "award_code", "nominee.type", "nominee.name", "nominee.position"}, fields)
	flag := ok
	flag.AwardCode, flag.Nominee.Type = "CO_THI_DUA_TINH", domain.Individual
	e = domain.ValidateRegistration(flag, "2026-01-01", "2026-02-28")
	require.Equal(t, "nominee.type", e.Fields[0].Field, "a flag is for a collective")
}

func TestRegistrationKey(t *testing.T) {
	a := domain.RegistrationKey(domain.Nominee{Type: domain.Individual, Name: "Nguyễn Thị  Mai"}, "sgddt")
	b := domain.RegistrationKey(domain.Nominee{Type: domain.Individual, Name: "nguyễn thị mai", BirthDate: "1980-01-01", CitizenID: "001080000001"}, "SGDDT")
	require.Equal(t, a, b, "a registration names no date of birth nor citizen id")
	require.NotEqual(t, a, domain.RegistrationKey(domain.Nominee{Type: domain.Individual, Name: "Nguyễn Thị Mai"}, "SYT"))
}

// ClosingSoon: the Wednesday before a Friday's close has two working days
// left (Thursday, Friday); the Monday before, four; the closing day itself
// zero; a window not open yet, or closed, reminds nobody.
func TestClosingSoon(t *testing.T) {
	cal := domain.DefaultCalendar()
	c := domain.Campaign{Code: "x", Opens: "2026-11-02", Closes: "2026-11-20"} // Friday
	at := func(d string) time.Time {
		t, _ := time.ParseInLocation(time.DateOnly, d, domain.Local)
		return t.Add(10 * time.Hour)
	}
	require.True(t, domain.ClosingSoon(c, at("2026-11-18"), cal, 3))
	require.True(t, domain.ClosingSoon(c, at("2026-11-17"), cal, 3), "Tuesday: Wednesday, Thursday, Friday")
	require.False(t, domain.ClosingSoon(c, at("2026-11-16"), cal, 3), "Monday: four days left")
	require.True(t, domain.ClosingSoon(c, at("2026-11-20"), cal, 3))
	require.False(t, domain.ClosingSoon(c, at("2026-11-21"), cal, 3), "closed")
	early := domain.Campaign{Code: "y", Opens: "2026-11-19", Closes: "2026-11-20"}
	require.False(t, domain.ClosingSoon(early, at("2026-11-18"), cal, 3), "not open yet")
	require.Equal(t, "campaign_closing|x|SYT|2026-11-20", domain.CampaignClosingKey("x", "SYT", "2026-11-20"))
}

func TestUnitEmail(t *testing.T) {
	u := domain.Unit{Code: "SGDDT", Name: "Sở Giáo dục và Đào tạo", Kind: domain.UnitDepartment, Email: " vanthu@sgddt.vn, tonghop@sgddt.vn "}
	require.Empty(t, u.Check())
	require.Equal(t, []string{"vanthu@sgddt.vn", "tonghop@sgddt.vn"}, u.Emails())
	u.Email = "vanthu@sgddt.vn, Văn thư <x@y.vn>"
	require.Equal(t, "email", u.Check()[0].Field, "a plain address only")
	u.Email = "not an address"
	require.Equal(t, "email", u.Check()[0].Field)
	u.Email = ""
	require.Empty(t, u.Check())
	require.Empty(t, u.Emails())
}
