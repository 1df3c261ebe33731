package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Registration is an emulation registration (đăng ký thi đua): at the
// start of the year a unit registers the titles its collectives and
// people aim for, by the plan's deadline.
type Registration struct {
	ID        int64   `json:"id"`
	Year      int     `json:"year"`
	Unit      string  `json:"unit"`
	Nominee   Nominee `json:"nominee"`
	AwardCode string  `json:"award_code"`
	AwardName string  `json:"award_name,omitempty"`
	// NomineeKey is what a title dossier of the year is matched by:
	// RegistrationKey of the nominee.
	NomineeKey string    `json:"nominee_key"`
	CreatedBy  string    `json:"created_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// TitleAward finds an emulation title a unit may register for: a title of
// the catalogue or one of the lower titles.
func TitleAward(code string) (Award, bool) {
	a, ok := RegistryAward(code)
	if !ok || !a.Title {
		return Award{}, false
	}
	return a, true
}

// TitleAwards are the titles a unit may register for, in catalogue order.
func TitleAwards() []Award {
	var out []Award
	for _, a := range RegistryAwards {
		if a.Title {
			out = append(out, a)
		}
	}
	return out
}

// RegistrationKey is how a registration and a title dossier find each
// other: a collective by its unit and folded name, a person by the folded
// name and the unit only. A registration names the year's targets before
// the dossier gives a date of birth or a citizen id, so those cannot be
// part of the match.
func RegistrationKey(n Nominee, unit string) string {
	if n.Type == Collective {
		return CollectiveKey(unit, n.Name)
	}
	return PersonKey(n.Name, time.Time{}, unit, "")
}

// DefaultRegistrationDeadline is the plan's deadline when the officer set
// none for the year: the last day of February, the month the seed's plan
// (50/KH-UBND) gives to registering the year's emulation targets.
func DefaultRegistrationDeadline(year int) string {
	return time.Date(year, time.March, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1).Format(time.DateOnly)
}

// ValidateRegistration checks a registration made on the civil day today
// (Vietnam, YYYY-MM-DD) against the year's deadline; nil means it may be
// stored.
func ValidateRegistration(r Registration, today, deadline string) *Error {
	var fe []FieldError
	if e := YearError(r.Year); e != nil {
		fe = append(fe, *e)
	} else if today > deadline {
		fe = append(fe, FieldError{"year", fmt.Sprintf("registration for %d closed on %s", r.Year, deadline)})
	}
	a, ok := TitleAward(r.AwardCode)
	if !ok {
		fe = append(fe, FieldError{"award_code", "must be an emulation title (an award marked title in the catalogue)"})
	}
	if r.Nominee.Type != Individual && r.Nominee.Type != Collective {
		fe = append(fe, FieldError{"nominee.type", "must be individual or collective"})
	} else if ok && !a.Takes(r.Nominee.Type) {
		fe = append(fe, FieldError{"nominee.type", "title " + a.Code + " is not given to a " + string(r.Nominee.Type)})
	}
	name := strings.TrimSpace(r.Nominee.Name)
	switch {
	case name == "":
		fe = append(fe, FieldError{"nominee.name", "must not be empty"})
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		fe = append(fe, FieldError{"nominee.name", "must not hold control characters"})
	case utf8.RuneCountInString(name) > MaxUnitName:
		fe = append(fe, FieldError{"nominee.name", "must be at most 200 characters"})
	}
	if p := r.Nominee.Position; !utf8.ValidString(p) || strings.ContainsFunc(p, isControl) || utf8.RuneCountInString(p) > MaxUnitName {
		fe = append(fe, FieldError{"nominee.position", "must be at most 200 characters without control characters"})
	}
	if len(fe) > 0 {
		return Invalid(fe...)
	}
	return nil
}
