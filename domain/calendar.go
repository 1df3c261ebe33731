package domain

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Local is Vietnam's civil time (UTC+7, no daylight saving). A fixed zone keeps
// workflow code free of the tz database.
var Local = time.FixedZone("ICT", 7*60*60)

// Calendar counts working days: Monday to Friday, minus public holidays
// (ngày nghỉ lễ, tết), plus the Saturdays worked in exchange for a day off.
// Dates are "YYYY-MM-DD", kept sorted so the calendar serialises the same way
// every time.
//
// A calendar with Rules computes the statutory holidays of any year from
// them (the lunar ones with the Vietnamese lunar calendar, lunar.go), and
// adds what the government announces each year: Holidays are then the
// weekdays off besides the statutory ones (a working day swapped for a
// Saturday), WorkingSaturdays the Saturdays worked in exchange, WorkingDays
// weekdays worked although the rules make them holidays (the year's
// announcement placed the day elsewhere), and Announcements says which years
// have been announced.
//
// A calendar without Rules is a plain table, the format dossiers started
// before the rules carry in their input: Holidays are all the weekdays off.
type Calendar struct {
	Holidays         []string       `json:"holidays,omitempty"`
	WorkingSaturdays []string       `json:"working_saturdays,omitempty"`
	WorkingDays      []string       `json:"working_days,omitempty"`
	Rules            []HolidayRules `json:"rules,omitempty"`
	Announcements    []Announcement `json:"announcements,omitempty"`
}

// HolidayRules are the statutory holidays from a date on: one version of
// the law (Bộ luật Lao động 2019, art. 111–112, since 1/1/2021).
type HolidayRules struct {
	From     string    `json:"from"`
	Source   string    `json:"source"`
	Holidays []Holiday `json:"holidays"`
	// Compensate: a holiday falling on a weekly rest day (Saturday or
	// Sunday) gives a day off on the next working day (nghỉ bù).
	Compensate bool `json:"compensate"`
}

// Holiday is one statutory holiday: Days consecutive days around an anchor,
// Before of them before it. The anchor is a solar "MM-DD", or a lunar
// "MM-DD" of the lunar year that begins in the same civil year. When the
// anchor falls on a weekday named in AfterOn, the days start at the anchor
// instead (Quốc khánh: the day before 2/9, or the day after when that joins
// the weekend).
type Holiday struct {
	Name    string   `json:"name"`
	Solar   string   `json:"solar,omitempty"`
	Lunar   string   `json:"lunar,omitempty"`
	Days    int      `json:"days,omitempty"`
	Before  int      `json:"before,omitempty"`
	AfterOn []string `json:"after_on,omitempty"`
}

// Announcement records that a year's days off have been announced (the
// Prime Minister decides Tết and Quốc khánh each year and may swap working
// days), and where that was read.
type Announcement struct {
	Year   int    `json:"year"`
	Source string `json:"source"`
	// Note says what could not be verified.
	Note string `json:"note,omitempty"`
}

//go:embed holidays.json
var holidaysJSON []byte

// DefaultCalendar is the shipped calendar: the statutory rules and the
// announced years (holidays.json).
func DefaultCalendar() Calendar {
	c, err := ParseCalendar(holidaysJSON)
	if err != nil {
		panic(err)
	}
	return c
}

// LoadCalendar reads a calendar in the format of holidays.json.
func LoadCalendar(path string) (Calendar, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Calendar{}, fmt.Errorf("holiday table: %w", err)
	}
	return ParseCalendar(b)
}

// ParseCalendar parses and checks a calendar.
func ParseCalendar(b []byte) (Calendar, error) {
	var c Calendar
	if err := json.Unmarshal(b, &c); err != nil {
		return Calendar{}, fmt.Errorf("holiday table: %w", err)
	}
	for _, list := range [][]string{c.Holidays, c.WorkingSaturdays, c.WorkingDays} {
		for _, d := range list {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return Calendar{}, fmt.Errorf("holiday table: bad date %q", d)
			}
		}
	}
	sort.Strings(c.Holidays)
	sort.Strings(c.WorkingSaturdays)
	sort.Strings(c.WorkingDays)
	for i, r := range c.Rules {
		if err := r.check(); err != nil {
			return Calendar{}, fmt.Errorf("holiday table: rules from %q: %w", r.From, err)
		}
		if i > 0 && r.From <= c.Rules[i-1].From {
			return Calendar{}, fmt.Errorf("holiday table: rules must be in order of their from dates, each once")
		}
	}
	for i, a := range c.Announcements {
		if a.Year < 1900 || a.Year > 2199 {
			return Calendar{}, fmt.Errorf("holiday table: announcement for year %d", a.Year)
		}
		if i > 0 && a.Year <= c.Announcements[i-1].Year {
			return Calendar{}, fmt.Errorf("holiday table: announcements must be in order of years, each once")
		}
	}
	return c, nil
}

func (r HolidayRules) check() error {
	if _, err := time.Parse(time.DateOnly, r.From); err != nil {
		return fmt.Errorf("bad from date")
	}
	for _, h := range r.Holidays {
		if (h.Solar == "") == (h.Lunar == "") {
			return fmt.Errorf("%s: give either solar or lunar", h.Name)
		}
		if _, _, ok := h.anchorMonthDay(); !ok {
			return fmt.Errorf("%s: bad anchor %q%q (MM-DD)", h.Name, h.Solar, h.Lunar)
		}
		if h.Days < 0 || h.Days > 10 || h.Before < 0 || h.Before >= max(h.Days, 1) {
			return fmt.Errorf("%s: days %d, before %d", h.Name, h.Days, h.Before)
		}
		for _, w := range h.AfterOn {
			if _, ok := weekdays[w]; !ok {
				return fmt.Errorf("%s: %q is not a weekday (Monday … Sunday)", h.Name, w)
			}
		}
	}
	return nil
}

var weekdays = map[string]time.Weekday{}

func init() {
	for d := time.Sunday; d <= time.Saturday; d++ {
		weekdays[d.String()] = d
	}
}

// anchorMonthDay is the holiday's anchor month and day.
func (h Holiday) anchorMonthDay() (int, int, bool) {
	s := h.Solar + h.Lunar
	var m, d int
	if len(s) != 5 || s[2] != '-' {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d-%02d", &m, &d); err != nil || m < 1 || m > 12 || d < 1 {
		return 0, 0, false
	}
	if h.Lunar != "" {
		return m, d, d <= 30
	}
	// 2001 is no leap year: 29 February is refused, as it is not yearly.
	return m, d, time.Date(2001, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() == d
}

// anchor is the civil date of the holiday's anchor in year y (false if it
// has none that year).
func (h Holiday) anchor(y int) (time.Time, bool) {
	m, d, ok := h.anchorMonthDay()
	if !ok {
		return time.Time{}, false
	}
	if h.Lunar != "" {
		return LunarToSolar(LunarDate{Year: y, Month: m, Day: d})
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// days are the civil dates of the holiday whose anchor is a.
func (h Holiday) days(a time.Time) []time.Time {
	n, before := max(h.Days, 1), h.Before
	for _, w := range h.AfterOn {
		if weekdays[w] == a.Weekday() {
			before = 0
		}
	}
	out := make([]time.Time, 0, n)
	for i := range n {
		out = append(out, a.AddDate(0, 0, i-before))
	}
	return out
}

func contains(sorted []string, s string) bool {
	i := sort.SearchStrings(sorted, s)
	return i < len(sorted) && sorted[i] == s
}

func weekend(d time.Time) bool { return d.Weekday() == time.Saturday || d.Weekday() == time.Sunday }

// statutory is the statutory days off around civil year y, by date: the
// holidays in force and the days given in lieu of those on a weekend.
func (c Calendar) statutory(y int) map[string]bool {
	var days []time.Time
	// A holiday of the year before may give a day in lieu in this one.
	for ay := y - 1; ay <= y+1; ay++ {
		for i, r := range c.Rules {
			for _, h := range r.Holidays {
				a, ok := h.anchor(ay)
				// A holiday follows the rules in force on its anchor day.
				if !ok || a.Format(time.DateOnly) < r.From || (i+1 < len(c.Rules) && a.Format(time.DateOnly) >= c.Rules[i+1].From) {
					continue
				}
				days = append(days, h.days(a)...)
			}
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	off := map[string]bool{}
	for _, d := range days {
		off[d.Format(time.DateOnly)] = true
	}
	for _, d := range days {
		if !weekend(d) || !c.compensates(d) {
			continue
		}
		// Bộ luật Lao động art. 111(3): in lieu, the next working day.
		next := d.AddDate(0, 0, 1)
		for weekend(next) || off[next.Format(time.DateOnly)] {
			next = next.AddDate(0, 0, 1)
		}
		off[next.Format(time.DateOnly)] = true
	}
	return off
}

// compensates reports whether the rules in force on day d give days in lieu.
func (c Calendar) compensates(d time.Time) bool {
	ds := d.Format(time.DateOnly)
	for i := len(c.Rules) - 1; i >= 0; i-- {
		if c.Rules[i].From <= ds {
			return c.Rules[i].Compensate
		}
	}
	return false
}

// IsWorkingDay reports whether the civil date of t (in Vietnam) is a working day.
func (c Calendar) IsWorkingDay(t time.Time) bool { return c.isWorkingDay(t, nil) }

// isWorkingDay is IsWorkingDay with the statutory days off of each year
// kept in years, when not nil, for the next call.
func (c Calendar) isWorkingDay(t time.Time, years map[int]map[string]bool) bool {
	t = t.In(Local)
	d := t.Format(time.DateOnly)
	if len(c.Rules) == 0 {
		// A plain table, exactly as before the rules: dossiers started then
		// replay with it.
		switch t.Weekday() {
		case time.Saturday:
			return contains(c.WorkingSaturdays, d)
		case time.Sunday:
			return false
		}
		return !contains(c.Holidays, d)
	}
	if contains(c.WorkingDays, d) || contains(c.WorkingSaturdays, d) {
		return true
	}
	if weekend(t) || contains(c.Holidays, d) {
		return false
	}
	off := years[t.Year()]
	if off == nil {
		off = c.statutory(t.Year())
		if years != nil {
			years[t.Year()] = off
		}
	}
	return !off[d]
}

// AddWorkingDays gives the deadline for something that starts at from and is
// allowed n working days: the end (midnight, Vietnam time) of the n-th working
// day after from's date. The starting day itself is not counted.
func (c Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	l := from.In(Local)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Local)
	years := map[int]map[string]bool{}
	for counted := 0; counted < n; {
		day = day.AddDate(0, 0, 1)
		if c.isWorkingDay(day, years) {
			counted++
		}
	}
	return day.AddDate(0, 0, 1).UTC()
}

// WorkingDaysBetween counts the working days spent from from to to: the
// working days after from's date up to and including to's date, the way
// AddWorkingDays counts a deadline (a stage entered and left the same day
// took 0 days; one left on the day its n-day deadline ends took n).
func (c Calendar) WorkingDaysBetween(from, to time.Time) int {
	f, t := from.In(Local), to.In(Local)
	day := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, Local)
	end := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Local)
	years := map[int]map[string]bool{}
	n := 0
	for day.Before(end) {
		day = day.AddDate(0, 0, 1)
		if c.isWorkingDay(day, years) {
			n++
		}
	}
	return n
}

// Announced reports whether year y's days off have been announced: listed
// in Announcements, or, for a plain table, any holiday of y listed.
func (c Calendar) Announced(y int) bool {
	for _, a := range c.Announcements {
		if a.Year == y {
			return true
		}
	}
	if len(c.Rules) > 0 {
		return false
	}
	prefix := fmt.Sprintf("%04d-", y)
	i := sort.SearchStrings(c.Holidays, prefix)
	return i < len(c.Holidays) && strings.HasPrefix(c.Holidays[i], prefix)
}
