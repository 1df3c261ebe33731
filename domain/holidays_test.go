package domain_test

// The shipped calendar, year by year: 2025 and 2026 against the government's
// announcements, 2027–2030 against the statutory rules and the lunar dates.

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"tdkt/domain"
)

// year is what a year of the civil servants' calendar should be: the
// weekdays off and the Saturdays worked. Every other weekday is a working
// day, every other Saturday and every Sunday is not.
type year struct {
	year        int
	off         []string
	workingSats []string
}

func checkYear(t *testing.T, c domain.Calendar, y year) {
	t.Helper()
	off, sat := map[string]bool{}, map[string]bool{}
	for _, d := range y.off {
		off[d] = true
		day, err := time.ParseInLocation(time.DateOnly, d, domain.Local)
		if err != nil || day.Year() != y.year {
			t.Fatalf("bad test date %q", d)
		}
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Fatalf("%s is a %s: list weekdays off", d, wd)
		}
	}
	for _, d := range y.workingSats {
		sat[d] = true
	}
	for day := time.Date(y.year, 1, 1, 12, 0, 0, 0, domain.Local); day.Year() == y.year; day = day.AddDate(0, 0, 1) {
		ds := day.Format(time.DateOnly)
		want := !off[ds]
		switch day.Weekday() {
		case time.Saturday:
			want = sat[ds]
		case time.Sunday:
			want = false
		}
		if got := c.IsWorkingDay(day); got != want {
			t.Errorf("IsWorkingDay(%s, %s) = %v, want %v", ds, day.Weekday(), got, want)
		}
	}
}

// TestAnnouncedYears checks 2025 and 2026 against what the government
// announced for civil servants (công chức, viên chức).
func TestAnnouncedYears(t *testing.T) {
	c := domain.DefaultCalendar()
	checkYear(t, c, year{2025, []string{
		"2025-01-01", // Wednesday
		// Tết Ất Tỵ: off Saturday 25/1 to Sunday 2/2/2025 (26 tháng Chạp to
		// mùng 5), the five Tết days being Monday 27 to Friday 31 January.
		"2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
		"2025-04-07", // Giỗ Tổ, 10/3 Ất Tỵ, a Monday
		// 30/4 and 1/5 (Wednesday, Thursday); Friday 2/5 swapped with
		// Saturday 26/4, worked.
		"2025-04-30", "2025-05-01", "2025-05-02",
		"2025-09-01", "2025-09-02", // Quốc khánh: 2/9 (Tuesday) and the day before
	}, []string{"2025-04-26"}})
	checkYear(t, c, year{2026, []string{
		// Tết Dương lịch: off Thursday 1 to Sunday 4 January 2026, Friday 2/1
		// swapped with Saturday 10/1, worked (Văn phòng Chính phủ
		// 12729/VPCP-KGVX, 25/12/2025).
		"2026-01-01", "2026-01-02",
		// Tết Bính Ngọ: off Saturday 14 to Sunday 22 February 2026 (27 tháng
		// Chạp to mùng 6): Monday 16 to Friday 20 are the five Tết days.
		"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
		"2026-04-27",               // Giỗ Tổ is Sunday 26/4 (10/3 Bính Ngọ): in lieu, Monday 27/4
		"2026-04-30", "2026-05-01", // Thursday, Friday
		// Quốc khánh: off Saturday 29/8 to Wednesday 2/9/2026: 1/9 and 2/9,
		// and Monday 31/8 swapped with a Saturday. Which Saturday is worked
		// in exchange could not be verified: none is listed.
		"2026-08-31", "2026-09-01", "2026-09-02",
	}, []string{"2026-01-10"}})
}

// TestStatutoryYears checks 2027–2030, which have no announcement yet,
// against the statutory rules applied to the lunar dates: Tết 6/2/2027,
// 26/1/2028, 13/2/2029, 2/2/2030 (Vietnam; China's is 3/2, lunar_test.go); Giỗ Tổ (10/3 lunar) 16/4/2027, 4/4/2028,
// 23/4/2029, 12/4/2030. Tết is the two days before mùng 1 and the first
// three of the year; a holiday on a Saturday or Sunday gives a day off on
// the next working day (Labour Code art. 111(3)).
func TestStatutoryYears(t *testing.T) {
	c := domain.DefaultCalendar()
	for _, y := range []year{
		{2027, []string{
			"2027-01-01", // Friday
			// Tết Đinh Mùi is Saturday 6/2: Thursday 4, Friday 5, Saturday 6,
			// Sunday 7, Monday 8; in lieu of the weekend, Tuesday 9 and Wednesday 10.
			"2027-02-04", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10",
			"2027-04-16", // Giỗ Tổ: Friday 16/4 (10/3 Đinh Mùi), not 15/4
			// 30/4 is a Friday, 1/5 a Saturday: in lieu, Monday 3/5.
			"2027-04-30", "2027-05-03",
			// 2/9 is a Thursday: the adjacent day is Friday 3/9, joining the weekend.
			"2027-09-02", "2027-09-03",
		}, nil},
		{2028, []string{
			"2028-01-03", // 1/1 is a Saturday: in lieu, Monday 3/1
			// Tết Mậu Thân is Wednesday 26/1: Monday 24 to Friday 28.
			"2028-01-24", "2028-01-25", "2028-01-26", "2028-01-27", "2028-01-28",
			"2028-04-04", // Giỗ Tổ, Tuesday
			// 30/4 is a Sunday, 1/5 a Monday: in lieu of 30/4, Tuesday 2/5.
			"2028-05-01", "2028-05-02",
			// 1/9 is a Friday, 2/9 a Saturday: in lieu, Monday 4/9.
			"2028-09-01", "2028-09-04",
		}, nil},
		{2029, []string{
			"2029-01-01", // Monday
			// Tết Kỷ Dậu is Tuesday 13/2: Sunday 11 to Thursday 15; in lieu of
			// Sunday 11, Friday 16.
			"2029-02-12", "2029-02-13", "2029-02-14", "2029-02-15", "2029-02-16",
			"2029-04-23",               // Giỗ Tổ, Monday
			"2029-04-30", "2029-05-01", // Monday, Tuesday
			// 1/9 is a Saturday, 2/9 a Sunday: in lieu, Monday 3 and Tuesday 4.
			"2029-09-03", "2029-09-04",
		}, nil},
		{2030, []string{
			"2030-01-01", // Tuesday
			// Tết Canh Tuất is Saturday 2/2: Thursday 31/1 to Monday 4/2; in
			// lieu of Saturday 2 and Sunday 3, Tuesday 5 and Wednesday 6.
			"2030-01-31", "2030-02-01", "2030-02-04", "2030-02-05", "2030-02-06",
			"2030-04-12",               // Giỗ Tổ, Friday
			"2030-04-30", "2030-05-01", // Tuesday, Wednesday
			// 2/9 is a Monday, 1/9 a Sunday: in lieu, Tuesday 3/9.
			"2030-09-02", "2030-09-03",
		}, nil},
	} {
		checkYear(t, c, y)
	}
}

func day(d string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, d, domain.Local)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour)
}

func checkDays(t *testing.T, c domain.Calendar, what string, off, working []string) {
	t.Helper()
	for _, d := range off {
		if c.IsWorkingDay(day(d)) {
			t.Errorf("%s: %s is a working day, want a day off", what, d)
		}
	}
	for _, d := range working {
		if !c.IsWorkingDay(day(d)) {
			t.Errorf("%s: %s is a day off, want a working day", what, d)
		}
	}
}

// TestRulesReproducePastDecisions: the shipped rules alone (no announcement
// is listed for these years) give the days off the Prime Minister decided for
// Tết and Quốc khánh in 2021, 2022 and 2024, and the days in lieu the Labour
// Code gives. (2023 is left out: the sources read disagree on its Tết.)
func TestRulesReproducePastDecisions(t *testing.T) {
	c := domain.DefaultCalendar()
	checkDays(t, c, "2021", []string{
		"2021-01-01",
		"2021-02-10", "2021-02-11", "2021-02-12", "2021-02-15", "2021-02-16", // Tết 10–16/2 (Friday 12/2 is mùng 1)
		"2021-04-21",               // Giỗ Tổ
		"2021-04-30", "2021-05-03", // 1/5 is a Saturday: Monday 3/5 in lieu
		"2021-09-02", "2021-09-03", // Thursday 2/9 and Friday 3/9
	}, []string{"2021-02-09", "2021-02-17", "2021-05-04", "2021-09-01", "2021-09-06"})
	checkDays(t, c, "2022", []string{
		"2022-01-03",                                                         // 1/1 is a Saturday
		"2022-01-31", "2022-02-01", "2022-02-02", "2022-02-03", "2022-02-04", // Tết 31/1–4/2
		"2022-04-11",               // Giỗ Tổ on Sunday 10/4
		"2022-05-02", "2022-05-03", // 30/4 and 1/5 on the weekend
		"2022-09-01", "2022-09-02", // Thursday 1/9 and Friday 2/9
	}, []string{"2022-01-28", "2022-02-07", "2022-04-12", "2022-05-04", "2022-09-05"})
	checkDays(t, c, "2024", []string{
		"2024-02-08", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14", // Tết 8–14/2 (Saturday 10/2 is mùng 1)
		"2024-09-02", "2024-09-03", // 31/8–3/9: 1/9 is a Sunday, so Tuesday 3/9 in lieu
	}, []string{"2024-02-07", "2024-02-15", "2024-09-04"})
}

// TestRulesAreVersioned: a holiday follows the rules in force on its anchor
// day. The 2012 Labour Code gave Quốc khánh one day; the 2019 code two, from
// 2021. A holiday the law adds later (say, 24/11 from 1/10/2026 — an
// example, not the law) counts from then on without touching earlier years.
func TestRulesAreVersioned(t *testing.T) {
	c, err := domain.ParseCalendar([]byte(`{"rules":[
	  {"from":"2013-05-01","source":"Bộ luật Lao động 10/2012/QH13, điều 115","compensate":true,"holidays":[
	    {"name":"Tết Âm lịch","lunar":"01-01","days":5,"before":2},
	    {"name":"Quốc khánh","solar":"09-02"}]},
	  {"from":"2021-01-01","source":"Bộ luật Lao động 45/2019/QH14, điều 112","compensate":true,"holidays":[
	    {"name":"Tết Âm lịch","lunar":"01-01","days":5,"before":2},
	    {"name":"Quốc khánh","solar":"09-02","days":2,"before":1,"after_on":["Thursday"]}]},
	  {"from":"2026-10-01","source":"example","compensate":true,"holidays":[
	    {"name":"Tết Âm lịch","lunar":"01-01","days":5,"before":2},
	    {"name":"Quốc khánh","solar":"09-02","days":2,"before":1,"after_on":["Thursday"]},
	    {"name":"Ngày Văn hóa Việt Nam","solar":"11-24"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	checkDays(t, c, "2020 under the 2012 code",
		[]string{"2020-01-23", "2020-01-24", "2020-01-27", "2020-01-28", "2020-01-29", "2020-09-02"}, // Tết 23–29/1/2020
		[]string{"2020-01-22", "2020-01-30", "2020-09-01", "2020-09-03"})
	checkDays(t, c, "2025 under the 2019 code", []string{"2025-09-01", "2025-09-02"}, []string{"2025-11-24"})
	checkDays(t, c, "2026 with the added holiday", []string{"2026-09-01", "2026-09-02", "2026-11-24"}, nil)
	checkDays(t, c, "2027 with the added holiday", []string{"2027-09-02", "2027-09-03", "2027-11-24"}, []string{"2027-09-01"})
}

// TestAnnouncementsOverrideRules: an announcement may place a statutory day
// elsewhere (working_days, holidays) and swap a weekday for a Saturday.
func TestAnnouncementsOverrideRules(t *testing.T) {
	c := domain.DefaultCalendar()
	// Suppose 2030's announcement placed Quốc khánh's second day on
	// Wednesday 4/9 instead of Tuesday 3/9, and swapped Friday 6/9 for
	// Saturday 14/9.
	c.WorkingDays = append(c.WorkingDays, "2030-09-03")
	c.Holidays = append(c.Holidays, "2030-09-04", "2030-09-06")
	c.WorkingSaturdays = append(c.WorkingSaturdays, "2030-09-14")
	b, _ := json.Marshal(c)
	c, err := domain.ParseCalendar(b)
	if err != nil {
		t.Fatal(err)
	}
	checkDays(t, c, "2030", []string{"2030-09-02", "2030-09-04", "2030-09-06"}, []string{"2030-09-03", "2030-09-05", "2030-09-14"})
}

// TestPlainTableUnchanged: a calendar without rules is the table it lists
// and nothing else, as dossiers started before the rules carry it: 15/4/2027
// stays the wrong Giỗ Tổ there, working_days mean nothing, and nothing is
// computed (Tết 2027 and 2028 are working days).
func TestPlainTableUnchanged(t *testing.T) {
	c, err := domain.ParseCalendar([]byte(`{"holidays":["2027-04-15"],"working_saturdays":["2027-04-17"],"working_days":["2027-04-15"]}`))
	if err != nil {
		t.Fatal(err)
	}
	checkDays(t, c, "plain table", []string{"2027-04-15", "2027-04-18"}, []string{"2027-04-16", "2027-04-17", "2027-02-08", "2028-01-26"})
}

func TestAnnounced(t *testing.T) {
	c := domain.DefaultCalendar()
	for y, want := range map[int]bool{2024: false, 2025: true, 2026: true, 2027: false} {
		if c.Announced(y) != want {
			t.Errorf("shipped calendar: Announced(%d) = %v, want %v", y, !want, want)
		}
	}
	plain, _ := domain.ParseCalendar([]byte(`{"holidays":["2026-01-01","2027-01-01"]}`))
	for y, want := range map[int]bool{2025: false, 2026: true, 2027: true, 2028: false} {
		if plain.Announced(y) != want {
			t.Errorf("plain table: Announced(%d) = %v, want %v", y, !want, want)
		}
	}
}

func TestParseCalendarRules(t *testing.T) {
	rule := func(h string) string {
		return `{"rules":[{"from":"2021-01-01","source":"x","compensate":true,"holidays":[` + h + `]}]}`
	}
	for _, b := range []string{
		rule(`{"name":"a"}`),
		rule(`{"name":"a","solar":"01-01","lunar":"01-01"}`),
		rule(`{"name":"a","solar":"1-1"}`),
		rule(`{"name":"a","solar":"02-30"}`),
		rule(`{"name":"a","solar":"02-29"}`),
		rule(`{"name":"a","solar":"13-01"}`),
		rule(`{"name":"a","lunar":"03-31"}`),
		rule(`{"name":"a","solar":"09-02","days":2,"before":2}`),
		rule(`{"name":"a","solar":"09-02","days":-1}`),
		rule(`{"name":"a","solar":"09-02","days":2,"before":1,"after_on":["Thu"]}`),
		`{"rules":[{"from":"2021-13-01","holidays":[]}]}`,
		`{"rules":[{"from":"2021-01-01","holidays":[]},{"from":"2013-05-01","holidays":[]}]}`,
		`{"announcements":[{"year":2026},{"year":2025}]}`,
		`{"announcements":[{"year":26}]}`,
		`{"working_days":["2026-02-30"]}`,
	} {
		if _, err := domain.ParseCalendar([]byte(b)); err == nil {
			t.Errorf("ParseCalendar(%s) = nil error", b)
		}
	}
	// The shipped calendar round-trips through JSON, as it travels in a
	// dossier's input.
	d := domain.DefaultCalendar()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := domain.ParseCalendar(b)
	if err != nil || !reflect.DeepEqual(d, d2) || len(d.Rules) == 0 || len(d.Announcements) < 2 {
		t.Errorf("shipped calendar round trip: %v\n%s", err, b)
	}
}
