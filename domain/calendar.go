package domain

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"
)

// Local is Vietnam's civil time (UTC+7, no daylight saving). A fixed zone keeps
// workflow code free of the tz database.
var Local = time.FixedZone("ICT", 7*60*60)

// Calendar counts working days: Monday to Friday, minus public holidays, plus
// the Saturdays worked in exchange for a bridge day. Dates are "YYYY-MM-DD",
// kept sorted so the calendar serialises the same way every time.
type Calendar struct {
	Holidays         []string `json:"holidays"`
	WorkingSaturdays []string `json:"working_saturdays"`
}

//go:embed holidays.json
var holidaysJSON []byte

// DefaultCalendar is the shipped holiday table (2025–2027).
func DefaultCalendar() Calendar {
	c, err := ParseCalendar(holidaysJSON)
	if err != nil {
		panic(err)
	}
	return c
}

// LoadCalendar reads a holiday table in the format of holidays.json.
func LoadCalendar(path string) (Calendar, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Calendar{}, fmt.Errorf("holiday table: %w", err)
	}
	return ParseCalendar(b)
}

// ParseCalendar parses and checks a holiday table.
func ParseCalendar(b []byte) (Calendar, error) {
	var c Calendar
	if err := json.Unmarshal(b, &c); err != nil {
		return Calendar{}, fmt.Errorf("holiday table: %w", err)
	}
	for _, list := range [][]string{c.Holidays, c.WorkingSaturdays} {
		for _, d := range list {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return Calendar{}, fmt.Errorf("holiday table: bad date %q", d)
			}
		}
	}
	sort.Strings(c.Holidays)
	sort.Strings(c.WorkingSaturdays)
	return c, nil
}

func contains(sorted []string, s string) bool {
	i := sort.SearchStrings(sorted, s)
	return i < len(sorted) && sorted[i] == s
}

// IsWorkingDay reports whether the civil date of t (in Vietnam) is a working day.
func (c Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(Local)
	d := t.Format(time.DateOnly)
	switch t.Weekday() {
	case time.Saturday:
		return contains(c.WorkingSaturdays, d)
	case time.Sunday:
		return false
	}
	return !contains(c.Holidays, d)
}

// AddWorkingDays gives the deadline for something that starts at from and is
// allowed n working days: the end (midnight, Vietnam time) of the n-th working
// day after from's date. The starting day itself is not counted.
func (c Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	l := from.In(Local)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Local)
	for counted := 0; counted < n; {
		day = day.AddDate(0, 0, 1)
		if c.IsWorkingDay(day) {
			counted++
		}
	}
	return day.AddDate(0, 0, 1).UTC()
}
