package domain

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Authority is who finally decides an award.
type Authority string

const (
	AuthorityProvince  Authority = "province"
	AuthorityPM        Authority = "pm"
	AuthorityPresident Authority = "president"
	// AuthorityUnitHead is the head of a unit (thủ trưởng cơ quan, đơn vị),
	// who decides the lower titles (LowerTitles) outside this engine.
	AuthorityUnitHead Authority = "unit_head"
)

// NomineeType is individual (cá nhân) or collective (tập thể).
type NomineeType string

const (
	Individual NomineeType = "individual"
	Collective NomineeType = "collective"
)

// Award is one entry of the award catalogue.
type Award struct {
	Code         string        `json:"code"`
	Name         string        `json:"name"`
	Gloss        string        `json:"gloss"`
	NomineeTypes []NomineeType `json:"nominee_types"`
	Authority    Authority     `json:"authority"`
	// Council is the share of all council members whose yes-vote is needed:
	// "-" (no council vote), ">50%" (strictly more than half) or "N%".
	Council string `json:"council"`
	// Notice means the candidate list is published before the council meets.
	Notice bool `json:"notice"`
	// Title marks an emulation title (danh hiệu thi đua: Chiến sĩ thi
	// đua, Cờ thi đua, Tập thể lao động xuất sắc, Lao động tiên tiến),
	// which a unit registers for at the start of the year.
	Title bool `json:"title,omitempty"`
}

// Takes reports whether the award may be given to a nominee of type t.
func (a Award) Takes(t NomineeType) bool {
	for _, x := range a.NomineeTypes {
		if x == t {
			return true
		}
	}
	return false
}

// HasCouncil reports whether the award goes through a council vote.
func (a Award) HasCouncil() bool { return a.Council != "-" }

// IsEmulationFighter reports whether the award is a Chiến sĩ thi đua title,
// which needs a certified initiative (xác nhận sáng kiến).
func (a Award) IsEmulationFighter() bool { return strings.HasPrefix(a.Code, "CSTD_") }

// YesNeeded is how many yes-votes out of members pass the award's vote.
func (a Award) YesNeeded(members int) int {
	switch {
	case a.Council == "-":
		return 0
	case a.Council == ">50%":
		return members/2 + 1
	default:
		pct, _ := strconv.Atoi(strings.TrimSuffix(a.Council, "%"))
		return (pct*members + 99) / 100
	}
}

//go:embed awards.json
var awardsJSON []byte

// Catalogue is the award catalogue, in the order of DOMAIN.md.
var Catalogue = mustLoadCatalogue(awardsJSON)

func mustLoadCatalogue(b []byte) []Award {
	var out []Award
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Errorf("domain: award catalogue: %w", err))
	}
	for _, a := range out {
		if a.Council != "-" && a.Council != ">50%" {
			if p, err := strconv.Atoi(strings.TrimSuffix(a.Council, "%")); err != nil || p <= 0 || p > 100 || !strings.HasSuffix(a.Council, "%") {
				panic(fmt.Errorf("domain: award %s: bad council share %q", a.Code, a.Council))
			}
		}
	}
	return out
}

//go:embed lower_titles.json
var lowerTitlesJSON []byte

// LowerTitles are the titles and awards heads of units decide
// (Chiến sĩ thi đua cơ sở, Lao động tiên tiến, Giấy khen): catalogue entries
// for the award registry only, which matter as award history for
// eligibility and can never be submitted (AwardByCode does not find them).
var LowerTitles = mustLoadCatalogue(lowerTitlesJSON)

// RegistryAwards are the awards the registry records: the catalogue, then
// the lower titles.
var RegistryAwards = append(append([]Award(nil), Catalogue...), LowerTitles...)

// RegistryAward finds an award the registry may record.
func RegistryAward(code string) (Award, bool) {
	for _, a := range RegistryAwards {
		if a.Code == code {
			return a, true
		}
	}
	return Award{}, false
}

// AwardByCode finds an award in the catalogue.
func AwardByCode(code string) (Award, bool) {
	for _, a := range Catalogue {
		if a.Code == code {
			return a, true
		}
	}
	return Award{}, false
}

// Kind is the kind of commendation (loại hình, Law art. 8).
type Kind string

const (
	KindMerit      Kind = "merit"
	KindAdhoc      Kind = "adhoc"
	KindCampaign   Kind = "campaign"
	KindDedication Kind = "dedication"
	KindForeign    Kind = "foreign"
)

// Kinds lists every kind.
var Kinds = []Kind{KindMerit, KindAdhoc, KindCampaign, KindDedication, KindForeign}

// Procedure is regular or simplified (thủ tục đơn giản, Law art. 85).
type Procedure string

const (
	ProcedureRegular    Procedure = "regular"
	ProcedureSimplified Procedure = "simplified"
)

// SimplifiedAllowed reports whether the simplified procedure may be used for
// this kind and award: kinds adhoc, dedication and foreign, awards with no
// council vote or a simple majority.
func SimplifiedAllowed(k Kind, a Award) bool {
	kindOK := k == KindAdhoc || k == KindDedication || k == KindForeign
	return kindOK && (a.Council == "-" || a.Council == ">50%")
}
