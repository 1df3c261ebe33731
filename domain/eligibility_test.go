package domain

import (
	"strings"
	"testing"
	"time"
)

func coSo(id int64, year int, kind Kind) RegistryEntry {
	return RegistryEntry{ID: id, AwardCode: "CSTD_CO_SO", AwardName: "Chiến sĩ thi đua cơ sở", Year: year, Period: "",
		Kind: kind, DecisionNumber: "12/QĐ-SGDĐT", DecisionDate: "2024-12-20", Unit: "SGDDT"}
}

func find(t *testing.T, e Eligibility, code string) Finding {
	t.Helper()
	for _, f := range e.Findings {
		if f.Rule.Code == code {
			return f
		}
	}
	t.Fatalf("no finding %s in %+v", code, e.Findings)
	return Finding{}
}

var rules2026 = EligibilityRulesAt(time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC))

func TestEligibilityRulesAtIsVersioned(t *testing.T) {
	if rules2026.ID != "nd152-2025" {
		t.Fatalf("rules in 2026: %s", rules2026.ID)
	}
	// Before the first known set, the first applies.
	if r := EligibilityRulesAt(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); r.ID != "nd152-2025" {
		t.Fatalf("rules in 2020: %s", r.ID)
	}
}

func TestPrerequisiteThreeYearsOfCSTDCoSo(t *testing.T) {
	in := EligibilityInput{AwardCode: "CSTD_TINH", NomineeType: Individual, Kind: KindMerit, Period: "2025",
		Registry: []RegistryEntry{coSo(3, 2025, KindMerit), coSo(1, 2023, KindMerit), coSo(2, 2024, KindMerit), coSo(9, 2021, KindMerit)}}
	e := Evaluate(rules2026, in)
	f := find(t, e, RulePrerequisite)
	if !f.OK || e.Hard || len(f.Evidence) != 3 {
		t.Fatalf("three years: %+v", f)
	}
	for i, y := range []int{2023, 2024, 2025} {
		if f.Evidence[i].Year != y || f.Evidence[i].RegistryID == 0 || f.Evidence[i].DecisionNumber == "" || f.Evidence[i].Unit != "SGDDT" {
			t.Fatalf("evidence %d: %+v", i, f.Evidence[i])
		}
	}
	if !strings.Contains(f.Rule.Name, "2023–2025") {
		t.Fatalf("rule name: %s", f.Rule.Name)
	}

	in.Registry = []RegistryEntry{coSo(1, 2023, KindMerit), coSo(3, 2025, KindMerit)}
	f = find(t, Evaluate(rules2026, in), RulePrerequisite)
	if f.OK || len(f.MissingYears) != 1 || f.MissingYears[0] != 2024 || !strings.Contains(f.Message, "2024") {
		t.Fatalf("a missing year: %+v", f)
	}
}

func TestAdhocAwardsAreNoGroundsForMerit(t *testing.T) {
	in := EligibilityInput{AwardCode: "CSTD_TINH", NomineeType: Individual, Kind: KindMerit, Period: "2025",
		Registry: []RegistryEntry{coSo(1, 2023, KindMerit), coSo(2, 2024, KindAdhoc), coSo(3, 2025, KindMerit)}}
	e := Evaluate(rules2026, in)
	if f := find(t, e, RulePrerequisite); f.OK || f.MissingYears[0] != 2024 {
		t.Fatalf("an ad-hoc award counted: %+v", f)
	}
	if f := find(t, e, RuleMeritGrounds); len(f.Evidence) != 1 || f.Evidence[0].RegistryID != 2 {
		t.Fatalf("excluded grounds: %+v", f)
	}
	// An ad-hoc proposal is not a merit one: the rule does not apply.
	in.Kind = KindAdhoc
	if f := find(t, Evaluate(rules2026, in), RulePrerequisite); !f.OK {
		t.Fatalf("ad-hoc proposal: %+v", f)
	}
}

func TestCollectiveLabourOrderNeedsFiveYearsAndAFlag(t *testing.T) {
	var reg []RegistryEntry
	for y := 2021; y <= 2025; y++ {
		reg = append(reg, RegistryEntry{ID: int64(y), AwardCode: "TTLDXS", Year: y, Kind: KindMerit})
	}
	in := EligibilityInput{AwardCode: "HC_LAO_DONG_3", NomineeType: Collective, Kind: KindMerit, Period: "2025", Registry: reg}
	f := find(t, Evaluate(rules2026, in), RulePrerequisite)
	if f.OK || !strings.Contains(f.Message, "Cờ thi đua cấp tỉnh") {
		t.Fatalf("no flag among them: %+v", f)
	}
	in.Registry = append(reg, RegistryEntry{ID: 99, AwardCode: "BK_TTG", Year: 2023, Kind: KindMerit})
	if f := find(t, Evaluate(rules2026, in), RulePrerequisite); !f.OK || len(f.Evidence) != 6 {
		t.Fatalf("with a PM's certificate: %+v", f)
	}
	// An individual's Labour Order has no such rule.
	in.NomineeType, in.Registry = Individual, nil
	if f := find(t, Evaluate(rules2026, in), RulePrerequisite); !f.OK {
		t.Fatalf("individual: %+v", f)
	}
}

func TestNationalFighterNeedsTwoProvincialYears(t *testing.T) {
	in := EligibilityInput{AwardCode: "CSTD_TOAN_QUOC", NomineeType: Individual, Kind: KindMerit, Period: "2025",
		Registry: []RegistryEntry{{ID: 1, AwardCode: "CSTD_TINH", Year: 2025, Kind: KindMerit}}}
	if f := find(t, Evaluate(rules2026, in), RulePrerequisite); f.OK || f.MissingYears[0] != 2024 {
		t.Fatalf("one year: %+v", f)
	}
}

func TestDuplicateProposalIsHard(t *testing.T) {
	in := EligibilityInput{AwardCode: "BK_UBND_TINH", NomineeType: Individual, Kind: KindMerit, Period: "2025",
		Proposals: []Proposal{{DossierID: "HS-2026-000001", Stage: Appraisal, Period: "2025"}, {DossierID: "HS-2025-000009", Stage: Awarded, Period: "2024"}}}
	e := Evaluate(rules2026, in)
	f := find(t, e, RuleDuplicate)
	if f.OK || !e.Hard || len(f.Evidence) != 1 || f.Evidence[0].DossierID != "HS-2026-000001" || !strings.Contains(f.Message, "HS-2026-000001") {
		t.Fatalf("duplicate: %+v", f)
	}
	// An award of the same period already in the registry is one too.
	in.Proposals = nil
	in.Registry = []RegistryEntry{{ID: 5, AwardCode: "BK_UBND_TINH", Year: 2025, Period: "2025", DecisionNumber: "7/QĐ-UBND"}}
	if e := Evaluate(rules2026, in); !e.Hard || find(t, e, RuleDuplicate).Evidence[0].RegistryID != 5 {
		t.Fatalf("registry duplicate: %+v", e)
	}
	in.Period = "2026"
	if e := Evaluate(rules2026, in); e.Hard || !find(t, e, RuleDuplicate).OK {
		t.Fatalf("another period: %+v", e)
	}
}

func TestHoldIsHard(t *testing.T) {
	h := &Hold{PersonKey: "p:lo van a|1980-03-15|SGDDT", Reason: "Đang xem xét kỷ luật", SetAt: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)}
	e := Evaluate(rules2026, EligibilityInput{AwardCode: "BK_UBND_TINH", Kind: KindMerit, Period: "2025", Hold: h})
	f := find(t, e, RuleHold)
	if f.OK || !e.Hard || f.Evidence[0].Hold != h || !strings.Contains(f.Message, "01/03/2026") {
		t.Fatalf("hold: %+v", f)
	}
	if e := Evaluate(rules2026, EligibilityInput{AwardCode: "BK_UBND_TINH", Kind: KindMerit, Period: "2025"}); e.Hard || !find(t, e, RuleHold).OK {
		t.Fatalf("no hold: %+v", e)
	}
}

func TestSamePeriod(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{{"2025", "2025", true}, {"2024-2025", "2025", true}, {"2024", "2025", false}, {"", "", true}, {"x", "y", false}} {
		if SamePeriod(c.a, c.b) != c.same {
			t.Errorf("SamePeriod(%q, %q) != %v", c.a, c.b, c.same)
		}
	}
}
