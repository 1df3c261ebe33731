package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// CampaignKind is the kind of a campaign (đợt xét khen thưởng) in the
// province's yearly plan (kế hoạch, like 50/KH-UBND).
type CampaignKind string

const (
	// CampaignAnnual is the year's merit review (tổng kết năm): submissions
	// in January, council in January, decisions in February.
	CampaignAnnual CampaignKind = "annual"
	// CampaignSchoolYear is the school year's round for education (năm
	// học): June–July.
	CampaignSchoolYear CampaignKind = "school_year"
	// CampaignThematic is an ad-hoc or thematic round (theo đợt, chuyên
	// đề), such as the one after an election.
	CampaignThematic CampaignKind = "thematic"
)

// CampaignKinds lists every kind of campaign.
var CampaignKinds = []CampaignKind{CampaignAnnual, CampaignSchoolYear, CampaignThematic}

// Valid reports whether k is a known kind.
func (k CampaignKind) Valid() bool { return slices.Contains(CampaignKinds, k) }

// Campaign is one campaign of the yearly plan: submissions naming it are
// taken from Opens to Closes, both days included, in Vietnam's time, and
// only for the awards it covers.
type Campaign struct {
	Code   string       `json:"code"`
	Name   string       `json:"name"`
	Year   int          `json:"year"`
	Kind   CampaignKind `json:"kind"`
	Opens  string       `json:"opens"`  // YYYY-MM-DD
	Closes string       `json:"closes"` // YYYY-MM-DD
	Awards []string     `json:"awards"`
}

// MaxCampaignWindow is the longest submission window: a year and a day.
const MaxCampaignWindow = 366

// ValidateCampaign checks a campaign; nil means it may be created.
func ValidateCampaign(c Campaign) *Error {
	var fe []FieldError
	if !ValidCampaignCode(c.Code) {
		fe = append(fe, FieldError{"code", "must be a campaign code: 1 to 64 letters A-Z, digits, '.', '_' or '-'"})
	}
	if strings.TrimSpace(c.Name) == "" {
		fe = append(fe, FieldError{"name", "must not be empty"})
	}
	if e := YearError(c.Year); e != nil {
		fe = append(fe, *e)
	}
	if !c.Kind.Valid() {
		fe = append(fe, FieldError{"kind", "must be one of annual, school_year, thematic"})
	}
	opens, errO := time.Parse(time.DateOnly, c.Opens)
	closes, errC := time.Parse(time.DateOnly, c.Closes)
	if errO != nil {
		fe = append(fe, FieldError{"opens", "must be a date YYYY-MM-DD"})
	} else if c.Year != 0 && opens.Year() != c.Year {
		fe = append(fe, FieldError{"opens", "the window must open in the campaign's year"})
	}
	if errC != nil {
		fe = append(fe, FieldError{"closes", "must be a date YYYY-MM-DD"})
	} else if errO == nil && closes.Before(opens) {
		fe = append(fe, FieldError{"closes", "the window must not close before it opens"})
	} else if errO == nil && closes.Sub(opens) > MaxCampaignWindow*24*time.Hour {
		fe = append(fe, FieldError{"closes", fmt.Sprintf("the window must be at most %d days long", MaxCampaignWindow)})
	}
	if len(c.Awards) == 0 {
		fe = append(fe, FieldError{"awards", "must list at least one award"})
	}
	seen := map[string]bool{}
	for _, a := range c.Awards {
		if _, ok := AwardByCode(a); !ok {
			fe = append(fe, FieldError{"awards", "unknown award code " + a})
		} else if seen[a] {
			fe = append(fe, FieldError{"awards", "names award " + a + " twice"})
		}
		seen[a] = true
	}
	if len(fe) > 0 {
		return Invalid(fe...)
	}
	return nil
}

// OpenOn reports whether the campaign takes submissions on the civil day
// of t in Vietnam: its window includes both its first and its last day.
func (c Campaign) OpenOn(t time.Time) bool {
	d := t.In(Local).Format(time.DateOnly)
	return c.Opens <= d && d <= c.Closes
}

// Covers reports whether the campaign takes dossiers for award.
func (c Campaign) Covers(award string) bool { return slices.Contains(c.Awards, award) }

// CheckCampaignSubmission is the campaign's say on a submission made at
// t: the campaign must be open that day and cover the award. The refusal
// names the field ("campaign", or "award_code" for an award it does not
// cover).
func CheckCampaignSubmission(c Campaign, s Submission, t time.Time) *Error {
	var fe []FieldError
	if !c.OpenOn(t) {
		fe = append(fe, FieldError{"campaign", fmt.Sprintf("is not open for submissions on %s: campaign %s takes them from %s to %s",
			t.In(Local).Format(time.DateOnly), c.Code, c.Opens, c.Closes)})
	}
	if !c.Covers(s.AwardCode) {
		fe = append(fe, FieldError{"award_code", fmt.Sprintf("is not covered by campaign %s (award %s)", c.Code, s.AwardCode)})
	}
	if len(fe) > 0 {
		return Invalid(fe...)
	}
	return nil
}

// SeedPlan is the yearly plan of the seed (50/KH-UBND) for year y: the
// merit review in January, the school year's round for education in June
// and July, and the thematic round rewarding the work on the elections
// (hồ sơ khen thưởng bầu cử) in April to June.
func SeedPlan(y int) []Campaign {
	var all, school, election []string
	for _, a := range Catalogue {
		all = append(all, a.Code)
	}
	school = []string{"CSTD_TINH", "CO_THI_DUA_TINH", "BK_UBND_TINH", "TTLDXS", "CSTD_TOAN_QUOC", "CO_THI_DUA_CP", "BK_TTG", "HC_LAO_DONG_3"}
	election = []string{"BK_UBND_TINH", "BK_TTG"}
	return []Campaign{
		{Code: fmt.Sprintf("%d-annual", y), Name: fmt.Sprintf("Khen thưởng tổng kết năm %d", y-1), Year: y, Kind: CampaignAnnual,
			Opens: fmt.Sprintf("%d-01-01", y), Closes: fmt.Sprintf("%d-01-31", y), Awards: all},
		{Code: fmt.Sprintf("%d-election", y), Name: "Khen thưởng thành tích tổ chức bầu cử đại biểu Quốc hội và Hội đồng nhân dân các cấp", Year: y, Kind: CampaignThematic,
			Opens: fmt.Sprintf("%d-04-01", y), Closes: fmt.Sprintf("%d-06-30", y), Awards: election},
		{Code: fmt.Sprintf("%d-school", y), Name: fmt.Sprintf("Khen thưởng năm học %d - %d ngành Giáo dục", y-1, y), Year: y, Kind: CampaignSchoolYear,
			Opens: fmt.Sprintf("%d-06-01", y), Closes: fmt.Sprintf("%d-07-31", y), Awards: school},
	}
}

// YearError refuses a year of the plan (a campaign's, a registration's, a
// report's) outside 2000 to 2100; nil when it is one.
func YearError(y int) *FieldError {
	if y < 2000 || y > 2100 {
		return &FieldError{"year", "must be a year from 2000 to 2100"}
	}
	return nil
}
