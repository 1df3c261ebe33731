package domain

import (
	"regexp"
	"strconv"
	"time"
)

// RegistrySource says how an entry reached the award registry.
type RegistrySource string

const (
	// SourceEngine is an award this engine granted (a dossier awarded).
	SourceEngine RegistrySource = "engine"
	// SourceImport came from a spreadsheet of past awards or lower titles.
	SourceImport RegistrySource = "import"
	// SourceManual was recorded by the office one at a time.
	SourceManual RegistrySource = "manual"
)

// RegistryEntry is one award in the award registry (sổ khen thưởng):
// who (a person: name, date of birth, unit, optional citizen id; or a
// collective: a unit or one of its sub-units), which award, for which year
// or period, of which kind, by which decision, decided by whom.
type RegistryEntry struct {
	ID          int64       `json:"id"`
	NomineeType NomineeType `json:"nominee_type"`
	// NomineeKey is PersonKey or CollectiveKey: what eligibility matches.
	NomineeKey string `json:"nominee_key"`
	Name       string `json:"name"`
	// BirthDate is YYYY-MM-DD, or empty when not known.
	BirthDate string `json:"birth_date,omitempty"`
	CitizenID string `json:"citizen_id,omitempty"`
	Unit      string `json:"unit"`
	AwardCode string `json:"award_code"`
	AwardName string `json:"award_name"`
	// Year is the year the achievement counts for; Period the period as
	// written (a year, a school year "2024-2025", a span "2021-2025").
	Year           int            `json:"year"`
	Period         string         `json:"period,omitempty"`
	Kind           Kind           `json:"kind"`
	DecisionNumber string         `json:"decision_number"`
	DecisionDate   string         `json:"decision_date,omitempty"`
	Authority      Authority      `json:"authority"`
	Source         RegistrySource `json:"source"`
	// DossierID is the dossier that granted it, for SourceEngine.
	DossierID  string    `json:"dossier_id,omitempty"`
	RecordedBy string    `json:"recorded_by,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
}

var yearIn = regexp.MustCompile(`(19|20)\d\d`)

// PeriodYear is the year an achievement period counts for: its last year
// ("2024" → 2024, school year "2024-2025" → 2025, "2021-2025" → 2025); 0
// when it names none.
func PeriodYear(period string) int {
	all := yearIn.FindAllString(period, -1)
	if len(all) == 0 {
		return 0
	}
	y, _ := strconv.Atoi(all[len(all)-1])
	return y
}

// GrantedEntry is the registry entry of an awarded dossier: its nominee's
// key (with the date of birth and citizen id when the submission gave them),
// its award, the year of its achievement period (the decision's year when
// the period names none) and the decision that granted it. ok is false for
// a dossier not awarded, or awarded without a decision.
func GrantedEntry(v View) (e RegistryEntry, ok bool) {
	if v.Stage != Awarded || v.Decision == nil || v.Decision.Number == "" {
		return RegistryEntry{}, false
	}
	year := PeriodYear(v.AchievementPeriod)
	if year == 0 {
		if d, err := time.Parse(time.DateOnly, v.Decision.Date); err == nil {
			year = d.Year()
		} else {
			year = v.UpdatedAt.In(Local).Year()
		}
	}
	auth := v.Decision.Authority
	if auth == "" {
		auth = v.Authority
	}
	return RegistryEntry{NomineeType: v.Nominee.Type, NomineeKey: NomineeKey(v.Nominee, v.Unit), Name: v.Nominee.Name,
		BirthDate: v.Nominee.BirthDate, CitizenID: v.Nominee.CitizenID, Unit: v.Unit, AwardCode: v.AwardCode, AwardName: v.AwardName, Year: year, Period: v.AchievementPeriod, Kind: v.Kind,
		DecisionNumber: v.Decision.Number, DecisionDate: v.Decision.Date, Authority: auth, Source: SourceEngine,
		DossierID: v.ID}, true
}
