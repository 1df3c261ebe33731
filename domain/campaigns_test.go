package domain_test

// Campaigns of the yearly plan: what a campaign must say, its window in
// Vietnam's days, the awards it covers, the seed plan; and working days
// spent between two moments.

import (
	"testing"
	"time"

	"tdkt/domain"
)

func TestValidateCampaign(t *testing.T) {
	good := domain.Campaign{Code: "2026-school", Name: "Năm học 2025 - 2026", Year: 2026, Kind: domain.CampaignSchoolYear,
		Opens: "2026-06-01", Closes: "2026-07-31", Awards: []string{"CSTD_TINH", "BK_UBND_TINH"}}
	if err := domain.ValidateCampaign(good); err != nil {
		t.Fatalf("a good campaign refused: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*domain.Campaign)
		field  string
	}{
		{"free text code", func(c *domain.Campaign) { c.Code = "Năm học" }, "code"},
		{"empty code", func(c *domain.Campaign) { c.Code = "" }, "code"},
		{"empty name", func(c *domain.Campaign) { c.Name = "  " }, "name"},
		{"year zero", func(c *domain.Campaign) { c.Year = 0 }, "year"},
		{"unknown kind", func(c *domain.Campaign) { c.Kind = "yearly" }, "kind"},
		{"bad opens", func(c *domain.Campaign) { c.Opens = "01/06/2026" }, "opens"},
		{"opens in another year", func(c *domain.Campaign) { c.Opens, c.Closes = "2025-12-01", "2026-01-31" }, "opens"},
		{"bad closes", func(c *domain.Campaign) { c.Closes = "2026-02-30" }, "closes"},
		{"closes before it opens", func(c *domain.Campaign) { c.Closes = "2026-05-31" }, "closes"},
		{"window too long", func(c *domain.Campaign) { c.Opens, c.Closes = "2026-01-01", "2027-06-01" }, "closes"},
		{"no award", func(c *domain.Campaign) { c.Awards = nil }, "awards"},
		{"unknown award", func(c *domain.Campaign) { c.Awards = []string{"GIAI_NOBEL"} }, "awards"},
		{"award twice", func(c *domain.Campaign) { c.Awards = []string{"TTLDXS", "TTLDXS"} }, "awards"},
	} {
		c := good
		c.Awards = append([]string(nil), good.Awards...)
		tc.change(&c)
		err := domain.ValidateCampaign(c)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if len(err.Fields) != 1 || err.Fields[0].Field != tc.field {
			t.Errorf("%s: fields %+v, want only %s", tc.name, err.Fields, tc.field)
		}
	}
}

func TestCampaignWindowIsVietnamDaysInclusive(t *testing.T) {
	c := domain.Campaign{Code: "2026-annual", Opens: "2026-01-01", Closes: "2026-01-31", Awards: []string{"CSTD_TINH"}}
	sub := domain.Submission{AwardCode: "CSTD_TINH"}
	for _, tc := range []struct {
		at   time.Time
		open bool
	}{
		{vn(2025, 12, 31, 23, 59), false},
		{vn(2026, 1, 1, 0, 0), true},
		// 17:30 UTC on 31 Dec is already 1 Jan in Vietnam.
		{time.Date(2025, 12, 31, 17, 30, 0, 0, time.UTC), true},
		{vn(2026, 1, 31, 23, 59), true},
		// 17:30 UTC on 31 Jan is 1 Feb in Vietnam: closed.
		{time.Date(2026, 1, 31, 17, 30, 0, 0, time.UTC), false},
	} {
		err := domain.CheckCampaignSubmission(c, sub, tc.at)
		if (err == nil) != tc.open {
			t.Errorf("at %s: open %v, refusal %v", tc.at, tc.open, err)
		}
		if err != nil && (len(err.Fields) != 1 || err.Fields[0].Field != "campaign") {
			t.Errorf("at %s: fields %+v, want campaign", tc.at, err.Fields)
		}
	}
	err := domain.CheckCampaignSubmission(c, domain.Submission{AwardCode: "TTLDXS"}, vn(2026, 1, 15, 9, 0))
	if err == nil || len(err.Fields) != 1 || err.Fields[0].Field != "award_code" {
		t.Errorf("an award the campaign does not cover: %v", err)
	}
}

func TestSeedPlan(t *testing.T) {
	plan := domain.SeedPlan(2027)
	kinds := map[domain.CampaignKind]domain.Campaign{}
	for _, c := range plan {
		if err := domain.ValidateCampaign(c); err != nil {
			t.Errorf("seed campaign %s: %v", c.Code, err)
		}
		kinds[c.Kind] = c
	}
	if len(kinds) != 3 {
		t.Fatalf("the seed plan has kinds %v, want the three of the plan", kinds)
	}
	if a := kinds[domain.CampaignAnnual]; a.Code != "2027-annual" || a.Opens != "2027-01-01" || a.Closes != "2027-01-31" {
		t.Errorf("annual review %+v: want its window in January", a)
	}
	if s := kinds[domain.CampaignSchoolYear]; s.Opens != "2027-06-01" || s.Closes != "2027-07-31" || !s.Covers("CSTD_TINH") {
		t.Errorf("school year %+v: want June–July, CSTD_TINH covered", s)
	}
	if e := kinds[domain.CampaignThematic]; e.Covers("CSTD_TINH") || !e.Covers("BK_UBND_TINH") {
		t.Errorf("election round %+v: certificates of merit, not titles", e)
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	cal := domain.DefaultCalendar()
	for _, tc := range []struct {
		from, to time.Time
		want     int
	}{
		{vn(2025, 3, 3, 8, 0), vn(2025, 3, 3, 17, 0), 0},  // same day
		{vn(2025, 3, 3, 8, 0), vn(2025, 3, 4, 8, 0), 1},   // Monday to Tuesday
		{vn(2025, 3, 7, 16, 0), vn(2025, 3, 10, 9, 0), 1}, // Friday to Monday
		{vn(2025, 3, 3, 8, 0), vn(2025, 3, 17, 8, 0), 10}, // two weeks
		// Tết Ất Tỵ: 27–31 January 2025 are off.
		{vn(2025, 1, 24, 8, 0), vn(2025, 2, 3, 8, 0), 1},
		{vn(2025, 3, 4, 8, 0), vn(2025, 3, 3, 8, 0), 0}, // backwards
	} {
		if got := cal.WorkingDaysBetween(tc.from, tc.to); got != tc.want {
			t.Errorf("%s → %s: %d working days, want %d", tc.from, tc.to, got, tc.want)
		}
		if tc.want > 0 {
			// The same count AddWorkingDays gives a deadline by.
			if due := cal.AddWorkingDays(tc.from, tc.want); !tc.to.Before(due) {
				t.Errorf("%s + %d working days ends %s, before %s", tc.from, tc.want, due, tc.to)
			}
		}
	}
}
