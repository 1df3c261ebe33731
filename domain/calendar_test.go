package domain_test

// Working days: weekends, the holiday table, working Saturdays, Vietnam's
// civil date, and the holiday file's format.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"tdkt/domain"
)

// vn is a time in Vietnam (+07:00).
func vn(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.FixedZone("+07", 7*3600))
}

// endOf is the end of day y-m-d in Vietnam, as UTC.
func endOf(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 17, 0, 0, 0, time.UTC)
}

// The weekdays off in 2025 and 2026, as announced (holidays.json).
var holidays2025_2026 = []string{
	"2025-01-01",
	"2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", // Tết Ất Tỵ
	"2025-04-07",                             // Giỗ Tổ Hùng Vương
	"2025-04-30", "2025-05-01", "2025-05-02", // 30/4, 1/5 and a bridge day
	"2025-09-01", "2025-09-02", // Quốc khánh
	"2026-01-01", "2026-01-02", // Tết Dương lịch, and Friday 2/1 swapped with Saturday 10/1 (12729/VPCP-KGVX)
	"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", // Tết Bính Ngọ
	"2026-04-27",               // Giỗ Tổ, in lieu of Sunday 26/4
	"2026-04-30", "2026-05-01", // 30/4, 1/5
	"2026-08-31",               // swapped for Quốc khánh (its Saturday worked is not verified)
	"2026-09-01", "2026-09-02", // Quốc khánh
}

// The Saturdays worked in 2025 and 2026.
var workingSaturdays2025_2026 = map[string]bool{"2025-04-26": true, "2026-01-10": true}

func TestHolidays(t *testing.T) {
	c := domain.DefaultCalendar()
	for _, d := range holidays2025_2026 {
		day, err := time.ParseInLocation(time.DateOnly, d, domain.Local)
		if err != nil {
			t.Fatal(err)
		}
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("%s is a %s: the table lists weekdays off", d, wd)
		}
		for _, h := range []int{0, 9, 23} {
			if c.IsWorkingDay(day.Add(time.Duration(h) * time.Hour)) {
				t.Errorf("IsWorkingDay(%s %02d:00) = true, want a holiday", d, h)
			}
		}
	}
	// Every weekday of 2025 and 2026 not in the list is a working day.
	off := map[string]bool{}
	for _, d := range holidays2025_2026 {
		off[d] = true
	}
	for day := vn(2025, 1, 1, 12, 0); day.Year() < 2027; day = day.AddDate(0, 0, 1) {
		ds := day.Format(time.DateOnly)
		want := !off[ds]
		switch day.Weekday() {
		case time.Sunday:
			want = false
		case time.Saturday:
			want = workingSaturdays2025_2026[ds]
		}
		if got := c.IsWorkingDay(day); got != want {
			t.Errorf("IsWorkingDay(%s, %s) = %v, want %v", ds, day.Weekday(), got, want)
		}
	}
}

// TestTet2026: DOMAIN.md's example: civil servants' Tết 2026 ran from
// Saturday 14/2 to Sunday 22/2, so Monday 16/2 to Friday 20/2 are not
// working days.
func TestTet2026(t *testing.T) {
	c := domain.DefaultCalendar()
	for d := 14; d <= 22; d++ {
		if c.IsWorkingDay(vn(2026, 2, d, 10, 0)) {
			t.Errorf("%d/2/2026 is a working day, want Tết", d)
		}
	}
	for _, d := range []int{13, 23} {
		if !c.IsWorkingDay(vn(2026, 2, d, 10, 0)) {
			t.Errorf("%d/2/2026 is not a working day", d)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := domain.DefaultCalendar()
	cases := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		// Wed 11, Thu 12, Fri 13; Tết 14–22; Mon 23, Tue 24.
		{"Tết 2026", vn(2026, 2, 10, 9, 0), 5, endOf(2026, 2, 24)},
		{"Tết 2026, given in UTC", time.Date(2026, 2, 10, 2, 0, 0, 0, time.UTC), 5, endOf(2026, 2, 24)},
		{"one day before Tết 2026", vn(2026, 2, 12, 16, 0), 1, endOf(2026, 2, 13)},
		{"one day over Tết 2026", vn(2026, 2, 13, 16, 0), 1, endOf(2026, 2, 23)},
		{"from inside Tết 2026", vn(2026, 2, 18, 10, 0), 1, endOf(2026, 2, 23)},
		{"weekend", vn(2026, 3, 6, 10, 0), 1, endOf(2026, 3, 9)},          // Fri → Mon
		{"from a Saturday", vn(2026, 3, 7, 10, 0), 1, endOf(2026, 3, 9)},  // Sat → Mon
		{"from a Sunday", vn(2026, 3, 8, 10, 0), 5, endOf(2026, 3, 13)},   // Sun → Fri
		{"two weeks", vn(2026, 3, 2, 9, 0), 10, endOf(2026, 3, 16)},       // Mon → Mon
		{"default reception", vn(2026, 3, 2, 9, 0), 5, endOf(2026, 3, 9)}, // Mon → Mon
		{"working Saturday 26/4/2025", vn(2025, 4, 25, 9, 0), 1, endOf(2025, 4, 26)},
		{"over 26/4 and 30/4–2/5/2025", vn(2025, 4, 25, 9, 0), 4, endOf(2025, 5, 5)}, // Sat 26, Mon 28, Tue 29, Mon 5
		{"Hùng Kings 2025", vn(2025, 4, 4, 9, 0), 1, endOf(2025, 4, 8)},
		{"National Day 2025", vn(2025, 8, 29, 9, 0), 1, endOf(2025, 9, 3)},
		// Thursday 1/1 and Friday 2/1/2026 are off; Saturday 10/1 is worked.
		{"New Year 2026", vn(2025, 12, 31, 9, 0), 1, endOf(2026, 1, 5)},
		{"working Saturday 10/1/2026", vn(2026, 1, 9, 9, 0), 1, endOf(2026, 1, 10)},
		{"Tết 2025", vn(2025, 1, 24, 9, 0), 1, endOf(2025, 2, 3)},
		{"Hùng Kings 2026 in lieu", vn(2026, 4, 24, 9, 0), 1, endOf(2026, 4, 28)},
		{"30/4–1/5/2026", vn(2026, 4, 29, 9, 0), 1, endOf(2026, 5, 4)},
		{"National Day 2026", vn(2026, 8, 31, 9, 0), 1, endOf(2026, 9, 3)},
		// 20:00 UTC on Thursday 24/4/2025 is already Friday 25/4 in Vietnam.
		{"late UTC is the next day in Vietnam", time.Date(2025, 4, 24, 20, 0, 0, 0, time.UTC), 1, endOf(2025, 4, 26)},
		// 18:00 UTC on Friday 13/2/2026 is already Saturday 14/2 (Tết) in Vietnam.
		{"late UTC Friday is Tết Saturday", time.Date(2026, 2, 13, 18, 0, 0, 0, time.UTC), 1, endOf(2026, 2, 23)},
		{"just before midnight in Vietnam", time.Date(2026, 3, 2, 16, 59, 59, 0, time.UTC), 1, endOf(2026, 3, 3)},
		{"midnight in Vietnam", time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC), 1, endOf(2026, 3, 4)},
		// n = 0: the end of the starting day.
		{"n=0", vn(2026, 2, 10, 9, 0), 0, endOf(2026, 2, 10)},
		{"n=0 late UTC", time.Date(2026, 2, 10, 20, 0, 0, 0, time.UTC), 0, endOf(2026, 2, 11)},
	}
	for _, c2 := range cases {
		got := c.AddWorkingDays(c2.from, c2.n)
		if !got.Equal(c2.want) || got.Location() != time.UTC {
			t.Errorf("%s: AddWorkingDays(%v, %d) = %v, want %v", c2.name, c2.from, c2.n, got, c2.want)
		}
	}
	if got := c.AddWorkingDays(vn(2026, 2, 10, 9, 0), 5); got.Format(time.RFC3339) != "2026-02-24T17:00:00Z" {
		t.Errorf("DOMAIN.md's Tết example = %s, want 2026-02-24T17:00:00Z", got.Format(time.RFC3339))
	}
	if !c.IsWorkingDay(time.Date(2025, 4, 24, 16, 0, 0, 0, time.UTC)) || c.IsWorkingDay(time.Date(2026, 2, 13, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("IsWorkingDay does not use Vietnam's civil date")
	}
}

func TestParseCalendar(t *testing.T) {
	bad := []string{
		`{"holidays":["2025-02-30"]}`,
		`{"holidays":["2025/01/01"]}`,
		`{"holidays":["01-01-2025"]}`,
		`{"holidays":[""]}`,
		`{"holidays":["2025-1-1"]}`,
		`{"holidays":[],"working_saturdays":["2025-13-01"]}`,
		`{"holidays":"2025-01-01"}`,
		`not json`,
	}
	for _, b := range bad {
		if _, err := domain.ParseCalendar([]byte(b)); err == nil {
			t.Errorf("ParseCalendar(%s) = nil error", b)
		}
	}
	in := `{"holidays":["2026-09-02","2025-01-01","2026-02-16"],"working_saturdays":["2026-01-10","2025-04-26"]}`
	c, err := domain.ParseCalendar([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Holidays, []string{"2025-01-01", "2026-02-16", "2026-09-02"}) || !reflect.DeepEqual(c.WorkingSaturdays, []string{"2025-04-26", "2026-01-10"}) {
		t.Errorf("ParseCalendar did not sort: %+v", c)
	}
	b1, _ := json.Marshal(c)
	c2, err := domain.ParseCalendar(b1)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(c2)
	if string(b1) != string(b2) || !reflect.DeepEqual(c, c2) {
		t.Errorf("round trip not stable:\n%s\n%s", b1, b2)
	}
	want := `{"holidays":["2025-01-01","2026-02-16","2026-09-02"],"working_saturdays":["2025-04-26","2026-01-10"]}`
	if string(b1) != want {
		t.Errorf("JSON = %s, want %s", b1, want)
	}
	// The shipped table round-trips too.
	d := domain.DefaultCalendar()
	bd, _ := json.Marshal(d)
	d2, err := domain.ParseCalendar(bd)
	if err != nil || !reflect.DeepEqual(d, d2) {
		t.Errorf("default calendar round trip: %v", err)
	}
	// A policy carries its calendar through JSON unchanged.
	p := domain.DefaultPolicy()
	bp, _ := json.Marshal(p)
	var p2 domain.Policy
	if err := json.Unmarshal(bp, &p2); err != nil || !reflect.DeepEqual(p, p2) {
		t.Errorf("policy round trip: %v", err)
	}
}

func TestLoadCalendar(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "holidays.json")
	if err := os.WriteFile(path, []byte(`{"holidays":["2027-01-01"],"working_saturdays":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := domain.LoadCalendar(path)
	if err != nil || !reflect.DeepEqual(c.Holidays, []string{"2027-01-01"}) {
		t.Errorf("LoadCalendar = %+v, %v", c, err)
	}
	if _, err := domain.LoadCalendar(filepath.Join(dir, "missing.json")); err == nil {
		t.Errorf("LoadCalendar(missing file) = nil error")
	}
	if err := os.WriteFile(path, []byte(`{"holidays":["2027-02-29"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := domain.LoadCalendar(path); err == nil {
		t.Errorf("LoadCalendar(bad date) = nil error")
	}
}
