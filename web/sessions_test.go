package web

import (
	"net/url"
	"testing"
)

// A GOV.UK date input's three fields become the YYYY-MM-DD the use case
// takes; what is not a date stays as typed, for it to refuse.
func TestFormDate(t *testing.T) {
	for _, c := range []struct{ day, month, year, want string }{
		{"15", "12", "2026", "2026-12-15"},
		{"3", "1", "2027", "2027-01-03"},
		{" 03 ", " 01 ", " 2027 ", "2027-01-03"},
		{"15", "12", "26", "26-12-15"},
		{"mười", "12", "2026", "2026-12-mười"},
		{"", "", "", ""},
	} {
		f := url.Values{"date-day": {c.day}, "date-month": {c.month}, "date-year": {c.year}}
		if got := formDate(f, "date"); got != c.want {
			t.Errorf("formDate(%q, %q, %q) = %q, want %q", c.day, c.month, c.year, got, c.want)
		}
	}
}
