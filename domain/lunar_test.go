package domain_test

// The Vietnamese lunar calendar against known dates: Tết of every year
// 1990–2030, leap months, Giỗ Tổ Hùng Vương, and the years where reckoning
// at China's UTC+8 instead of Vietnam's UTC+7 gives another Tết.

import (
	"testing"
	"time"

	"tdkt/domain"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// tet is mùng 1 Tết (1/1 lunar) of each year, as Vietnam celebrated it.
var tet = map[int]time.Time{
	1985: date(1985, 1, 21), // China: 20/2/1985
	1990: date(1990, 1, 27), 1991: date(1991, 2, 15), 1992: date(1992, 2, 4), 1993: date(1993, 1, 23),
	1994: date(1994, 2, 10), 1995: date(1995, 1, 31), 1996: date(1996, 2, 19), 1997: date(1997, 2, 7),
	1998: date(1998, 1, 28), 1999: date(1999, 2, 16), 2000: date(2000, 2, 5), 2001: date(2001, 1, 24),
	2002: date(2002, 2, 12), 2003: date(2003, 2, 1), 2004: date(2004, 1, 22), 2005: date(2005, 2, 9),
	2006: date(2006, 1, 29), 2007: date(2007, 2, 17), 2008: date(2008, 2, 7), 2009: date(2009, 1, 26),
	2010: date(2010, 2, 14), 2011: date(2011, 2, 3), 2012: date(2012, 1, 23), 2013: date(2013, 2, 10),
	2014: date(2014, 1, 31), 2015: date(2015, 2, 19), 2016: date(2016, 2, 8), 2017: date(2017, 1, 28),
	2018: date(2018, 2, 16), 2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
	2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
	2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
	2030: date(2030, 2, 2), // China: 3/2/2030
}

func TestTet(t *testing.T) {
	for y, want := range tet {
		got, ok := domain.LunarToSolar(domain.LunarDate{Year: y, Month: 1, Day: 1})
		if !ok || !got.Equal(want) {
			t.Errorf("Tết %d = %s, want %s", y, got.Format(time.DateOnly), want.Format(time.DateOnly))
		}
		back := domain.SolarToLunar(want.Year(), want.Month(), want.Day())
		if back != (domain.LunarDate{Year: y, Month: 1, Day: 1}) {
			t.Errorf("SolarToLunar(%s) = %+v, want 1/1/%d", want.Format(time.DateOnly), back, y)
		}
		// The day before is the last of the previous lunar year's month 12.
		eve := want.AddDate(0, 0, -1)
		if l := domain.SolarToLunar(eve.Year(), eve.Month(), eve.Day()); l.Year != y-1 || l.Month != 12 || l.Leap || l.Day < 29 {
			t.Errorf("SolarToLunar(%s) = %+v, want 29 or 30/12/%d", eve.Format(time.DateOnly), l, y-1)
		}
	}
}

// TestVietnamNotChina: reckoned at UTC+8 the algorithm gives China's Tết in
// the years where the two calendars differ, and Vietnam's at UTC+7. (A
// Chinese table gives 3/2/2030 for Tết 2030; in Vietnam it is 2/2/2030.)
func TestVietnamNotChina(t *testing.T) {
	for _, c := range []struct {
		year      int
		vn, china time.Time
	}{
		{1985, date(1985, 1, 21), date(1985, 2, 20)},
		{2007, date(2007, 2, 17), date(2007, 2, 18)},
		// The new moon is at 16:09 UTC on 2/2/2030: 23:09 in Hanoi, 00:09 on
		// the 3rd in Beijing.
		{2030, date(2030, 2, 2), date(2030, 2, 3)},
	} {
		l := domain.LunarDate{Year: c.year, Month: 1, Day: 1}
		if got, _ := domain.LunarToSolarAt(l, 7); !got.Equal(c.vn) {
			t.Errorf("Tết %d at UTC+7 = %s, want %s", c.year, got.Format(time.DateOnly), c.vn.Format(time.DateOnly))
		}
		if got, _ := domain.LunarToSolarAt(l, 8); !got.Equal(c.china) {
			t.Errorf("Tết %d at UTC+8 = %s, want China's %s", c.year, got.Format(time.DateOnly), c.china.Format(time.DateOnly))
		}
		if got := domain.SolarToLunarAt(c.china.Year(), c.china.Month(), c.china.Day(), 8); got != l {
			t.Errorf("SolarToLunar(%s) at UTC+8 = %+v, want %+v", c.china.Format(time.DateOnly), got, l)
		}
	}
	// In Vietnam, 18/2/2007 was mùng 2.
	if got := domain.SolarToLunar(2007, time.February, 18); got != (domain.LunarDate{Year: 2007, Month: 1, Day: 2}) {
		t.Errorf("SolarToLunar(2007-02-18) = %+v, want 2/1/2007", got)
	}
}

// TestHungKings: Giỗ Tổ Hùng Vương is 10/3 lunar.
func TestHungKings(t *testing.T) {
	for y, want := range map[int]time.Time{
		2020: date(2020, 4, 2), 2021: date(2021, 4, 21), 2022: date(2022, 4, 10), 2023: date(2023, 4, 29),
		2024: date(2024, 4, 18), 2025: date(2025, 4, 7), 2026: date(2026, 4, 26), 2027: date(2027, 4, 16),
		2028: date(2028, 4, 4), 2029: date(2029, 4, 23), 2030: date(2030, 4, 12),
	} {
		got, ok := domain.LunarToSolar(domain.LunarDate{Year: y, Month: 3, Day: 10})
		if !ok || !got.Equal(want) {
			t.Errorf("Giỗ Tổ %d = %s, want %s", y, got.Format(time.DateOnly), want.Format(time.DateOnly))
		}
	}
}

// TestLeapMonths: 2023 repeated month 2, 2025 month 6, 2028 month 5.
func TestLeapMonths(t *testing.T) {
	for _, c := range []struct {
		day  time.Time
		want domain.LunarDate
	}{
		{date(2023, 3, 21), domain.LunarDate{Year: 2023, Month: 2, Day: 30}},
		{date(2023, 3, 22), domain.LunarDate{Year: 2023, Month: 2, Day: 1, Leap: true}},
		{date(2023, 4, 20), domain.LunarDate{Year: 2023, Month: 3, Day: 1}},
		{date(2025, 7, 25), domain.LunarDate{Year: 2025, Month: 6, Day: 1, Leap: true}},
		{date(2025, 8, 19), domain.LunarDate{Year: 2025, Month: 6, Day: 26, Leap: true}},
		{date(2025, 8, 23), domain.LunarDate{Year: 2025, Month: 7, Day: 1}},
		{date(2028, 6, 23), domain.LunarDate{Year: 2028, Month: 5, Day: 1, Leap: true}},
		{date(2024, 12, 31), domain.LunarDate{Year: 2024, Month: 12, Day: 1}},
	} {
		if got := domain.SolarToLunar(c.day.Year(), c.day.Month(), c.day.Day()); got != c.want {
			t.Errorf("SolarToLunar(%s) = %+v, want %+v", c.day.Format(time.DateOnly), got, c.want)
		}
		if got, ok := domain.LunarToSolar(c.want); !ok || !got.Equal(c.day) {
			t.Errorf("LunarToSolar(%+v) = %s, want %s", c.want, got.Format(time.DateOnly), c.day.Format(time.DateOnly))
		}
	}
	if _, ok := domain.LunarToSolar(domain.LunarDate{Year: 2025, Month: 5, Day: 1, Leap: true}); ok {
		t.Error("2025 has no leap month 5")
	}
	if _, ok := domain.LunarToSolar(domain.LunarDate{Year: 2026, Month: 6, Day: 1, Leap: true}); ok {
		t.Error("2026 has no leap month")
	}
}

// TestLunarRoundTrip: every day of 1990–2040 converts to a lunar date and
// back, and consecutive days are consecutive lunar days.
func TestLunarRoundTrip(t *testing.T) {
	prev := domain.SolarToLunar(1989, time.December, 31)
	for day := date(1990, 1, 1); day.Year() <= 2040; day = day.AddDate(0, 0, 1) {
		l := domain.SolarToLunar(day.Year(), day.Month(), day.Day())
		if back, ok := domain.LunarToSolar(l); !ok || !back.Equal(day) {
			t.Fatalf("%s → %+v → %s", day.Format(time.DateOnly), l, back.Format(time.DateOnly))
		}
		if l.Day != prev.Day+1 && (l.Day != 1 || prev.Day < 29) {
			t.Fatalf("%s: lunar day %+v follows %+v", day.Format(time.DateOnly), l, prev)
		}
		prev = l
	}
}
