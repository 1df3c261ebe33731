package domain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Eligibility (điều kiện khen thưởng, DOMAIN.md "Award registry and
// eligibility"): what the award registry says about a nominee before the
// council does. The rules are data with an effective date, like the rest of
// the legal rules (rules.go): a dossier is judged by the set in force on the
// day it was received. Two findings are hard refusals (a duplicate proposal,
// a nominee under a discipline-review hold); the rest is advice the officer
// may overrule with a comment.

// Rule codes of the findings.
const (
	RulePrerequisite = "prerequisite"       // danh hiệu đã đạt làm căn cứ
	RuleMeritGrounds = "merit_grounds"      // khen thưởng đột xuất, chuyên đề không làm căn cứ
	RuleDuplicate    = "duplicate_proposal" // đề nghị trùng
	RuleHold         = "hold"               // đang xem xét kỷ luật
)

// ruleNames are the Vietnamese names of the rules.
var ruleNames = map[string]string{
	RulePrerequisite: "Danh hiệu đã đạt làm căn cứ đề nghị",
	RuleMeritGrounds: "Khen thưởng đột xuất, theo đợt (chuyên đề) không làm căn cứ (Nghị định 152/2025/NĐ-CP)",
	RuleDuplicate:    "Không đề nghị trùng (cùng đối tượng, hình thức, thời kỳ)",
	RuleHold:         "Không đề nghị người đang bị xem xét kỷ luật",
}

// Prerequisite is one eligibility rule of an award: the nominee must hold
// Needs in each of Years consecutive years ending with the achievement
// period's year, and, when AmongThem is set, one of those awards in one of
// those years as well.
type Prerequisite struct {
	Award       string      `json:"award"`
	NomineeType NomineeType `json:"nominee_type,omitempty"`
	Needs       string      `json:"needs"`
	Years       int         `json:"years"`
	AmongThem   []string    `json:"among_them,omitempty"`
}

// EligibilityRules is one version of the eligibility rules.
type EligibilityRules struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Effective string `json:"effective"`
	// Prerequisites are the registry's say per award (DOMAIN.md's table).
	Prerequisites []Prerequisite `json:"prerequisites"`
	// NotGrounds are the kinds of award that never count as grounds for a
	// merit proposal.
	NotGrounds []Kind `json:"not_grounds"`
}

// eligibilityRuleSets are the versions this engine knows, oldest first.
// The defaults are DOMAIN.md's, to be checked against the law in force.
var eligibilityRuleSets = []EligibilityRules{{
	ID: "nd152-2025", Name: "Nghị định 152/2025/NĐ-CP", Effective: "2025-07-01",
	Prerequisites: []Prerequisite{
		{Award: "CSTD_TINH", Needs: "CSTD_CO_SO", Years: 3},
		{Award: "CSTD_TOAN_QUOC", Needs: "CSTD_TINH", Years: 2},
		{Award: "HC_LAO_DONG_3", NomineeType: Collective, Needs: "TTLDXS", Years: 5, AmongThem: []string{"CO_THI_DUA_TINH", "BK_TTG"}},
	},
	NotGrounds: []Kind{KindAdhoc, KindCampaign},
}}

// EligibilityRulesAt is the version in force at t (Vietnam time); before
// the first known one, the first.
func EligibilityRulesAt(t time.Time) EligibilityRules {
	day := t.In(Local).Format(time.DateOnly)
	out := eligibilityRuleSets[0]
	for _, r := range eligibilityRuleSets {
		if r.Effective <= day {
			out = r
		}
	}
	return out
}

// RuleRef names a rule: its code and Vietnamese name.
type RuleRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Evidence is what a finding rests on: a registry row (ID, award, year,
// decision, unit), another dossier (DossierID), or a hold.
type Evidence struct {
	RegistryID     int64  `json:"registry_id,omitempty"`
	DossierID      string `json:"dossier_id,omitempty"`
	AwardCode      string `json:"award_code,omitempty"`
	AwardName      string `json:"award_name,omitempty"`
	Year           int    `json:"year,omitempty"`
	Period         string `json:"period,omitempty"`
	Kind           Kind   `json:"kind,omitempty"`
	DecisionNumber string `json:"decision_number,omitempty"`
	DecisionDate   string `json:"decision_date,omitempty"`
	Unit           string `json:"unit,omitempty"`
	Stage          Stage  `json:"stage,omitempty"`
	// Hold is the reason of a discipline-review hold.
	Hold *Hold `json:"hold,omitempty"`
}

// Finding is one rule's verdict on a nominee.
type Finding struct {
	Rule     RuleRef    `json:"rule"`
	OK       bool       `json:"ok"`
	Hard     bool       `json:"hard"`
	Evidence []Evidence `json:"evidence"`
	Message  string     `json:"message"`
	// MissingYears are the years a prerequisite lacks.
	MissingYears []int `json:"missing_years,omitempty"`
}

// Eligibility is every finding, and whether one is a hard refusal.
type Eligibility struct {
	Rules    string    `json:"rules"`
	Findings []Finding `json:"findings"`
	Hard     bool      `json:"hard"`
}

// Hold is a discipline-review hold (đang xem xét kỷ luật) on a nominee's
// key, set and lifted by the emulation office with a reason.
type Hold struct {
	PersonKey string    `json:"person_key"`
	Reason    string    `json:"reason"`
	SetBy     string    `json:"set_by"`
	SetByName string    `json:"set_by_name,omitempty"`
	SetAt     time.Time `json:"set_at"`
}

// Proposal is another dossier of the same nominee for the same award: its
// id, stage and period.
type Proposal struct {
	DossierID string
	Stage     Stage
	Period    string
}

// EligibilityInput is what the rules look at: the proposal, the nominee's
// registry rows, the nominee's other dossiers for the award (running or
// awarded), and the nominee's hold.
type EligibilityInput struct {
	AwardCode   string
	NomineeType NomineeType
	Kind        Kind
	Period      string
	Registry    []RegistryEntry
	Proposals   []Proposal
	Hold        *Hold
}

// SamePeriod reports whether two achievement periods are one: the same
// text, or naming the same last year.
func SamePeriod(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == b {
		return true
	}
	ya, yb := PeriodYear(a), PeriodYear(b)
	return ya != 0 && ya == yb
}

func rule(code string) RuleRef { return RuleRef{Code: code, Name: ruleNames[code]} }

func registryEvidence(e RegistryEntry) Evidence {
	return Evidence{RegistryID: e.ID, DossierID: e.DossierID, AwardCode: e.AwardCode, AwardName: e.AwardName, Year: e.Year,
		Period: e.Period, Kind: e.Kind, DecisionNumber: e.DecisionNumber, DecisionDate: e.DecisionDate, Unit: e.Unit}
}

func awardName(code string) string {
	if a, ok := RegistryAward(code); ok {
		return a.Name
	}
	return code
}

// Evaluate judges a proposal by rules r. Findings come in a fixed order:
// hold, duplicate, the award's prerequisites, the grounds excluded.
func Evaluate(r EligibilityRules, in EligibilityInput) Eligibility {
	eff := r.Effective
	if t, err := time.Parse(time.DateOnly, eff); err == nil {
		eff = t.Format("02/01/2006")
	}
	out := Eligibility{Rules: r.Name + " (hiệu lực từ " + eff + ")", Findings: []Finding{}}
	add := func(f Finding) {
		if f.Evidence == nil {
			f.Evidence = []Evidence{}
		}
		out.Findings = append(out.Findings, f)
		out.Hard = out.Hard || (f.Hard && !f.OK)
	}

	if h := in.Hold; h != nil {
		add(Finding{Rule: rule(RuleHold), Hard: true, Evidence: []Evidence{{Hold: h}},
			Message: fmt.Sprintf("Người được đề nghị đang bị xem xét kỷ luật (từ %s): %s. Không được đề nghị, quyết định khen thưởng cho đến khi gỡ.", h.SetAt.In(Local).Format("02/01/2006"), h.Reason)})
	} else {
		add(Finding{Rule: rule(RuleHold), OK: true, Hard: true, Message: "Không có ghi nhận đang xem xét kỷ luật."})
	}

	var dup []Evidence
	for _, p := range in.Proposals {
		if SamePeriod(p.Period, in.Period) {
			dup = append(dup, Evidence{DossierID: p.DossierID, AwardCode: in.AwardCode, AwardName: awardName(in.AwardCode), Period: p.Period, Stage: p.Stage})
		}
	}
	seen := map[string]bool{}
	for _, e := range dup {
		seen[e.DossierID] = true
	}
	for _, e := range in.Registry {
		if e.AwardCode == in.AwardCode && SamePeriod(e.Period, in.Period) && (e.DossierID == "" || !seen[e.DossierID]) {
			dup = append(dup, registryEvidence(e))
		}
	}
	if len(dup) > 0 {
		var where []string
		for _, e := range dup {
			if e.RegistryID != 0 {
				where = append(where, fmt.Sprintf("sổ khen thưởng: quyết định %s", e.DecisionNumber))
			} else {
				where = append(where, "hồ sơ "+e.DossierID)
			}
		}
		add(Finding{Rule: rule(RuleDuplicate), Hard: true, Evidence: dup,
			Message: fmt.Sprintf("Đối tượng này đã được đề nghị hoặc đã được tặng «%s» cho thời kỳ %s (%s).", awardName(in.AwardCode), in.Period, strings.Join(where, "; "))})
	} else {
		add(Finding{Rule: rule(RuleDuplicate), OK: true, Hard: true,
			Message: fmt.Sprintf("Chưa có đề nghị hay quyết định «%s» nào khác cho đối tượng này, thời kỳ %s.", awardName(in.AwardCode), in.Period)})
	}

	merit := in.Kind == KindMerit
	var excluded []Evidence
	counts := func(e RegistryEntry) bool {
		if merit && slices.Contains(r.NotGrounds, e.Kind) {
			excluded = append(excluded, registryEvidence(e))
			return false
		}
		return true
	}
	end := PeriodYear(in.Period)
	applied := false
	for _, p := range r.Prerequisites {
		if p.Award != in.AwardCode || (p.NomineeType != "" && p.NomineeType != in.NomineeType) {
			continue
		}
		applied = true
		add(prerequisite(p, end, in.Registry, counts))
	}
	if !applied {
		add(Finding{Rule: rule(RulePrerequisite), OK: true,
			Message: fmt.Sprintf("«%s» không đòi hỏi danh hiệu, hình thức khen thưởng nào đã đạt trước (Nghị định 152/2025/NĐ-CP).", awardName(in.AwardCode))})
	}
	if len(excluded) > 0 {
		slices.SortStableFunc(excluded, func(a, b Evidence) int { return a.Year - b.Year })
		add(Finding{Rule: rule(RuleMeritGrounds), OK: true, Evidence: excluded,
			Message: fmt.Sprintf("%d khen thưởng đột xuất hoặc theo đợt (chuyên đề) trong sổ không được tính làm căn cứ cho đề nghị khen thưởng công trạng.", len(excluded))})
	}
	return out
}

// prerequisite checks one prerequisite for the years ending with end.
func prerequisite(p Prerequisite, end int, reg []RegistryEntry, counts func(RegistryEntry) bool) Finding {
	f := Finding{Rule: rule(RulePrerequisite)}
	name := awardName(p.Needs)
	if end == 0 {
		f.Message = fmt.Sprintf("Thời kỳ thành tích không ghi năm: không xác định được %d năm liên tục cần có «%s».", p.Years, name)
		return f
	}
	first := end - p.Years + 1
	f.Rule.Name = fmt.Sprintf("%s: «%s» %d năm liên tục (%d–%d)", ruleNames[RulePrerequisite], name, p.Years, first, end)
	have := map[int]bool{}
	among := false
	// Oldest first, then as the registry lists them.
	rows := slices.Clone(reg)
	slices.SortStableFunc(rows, func(a, b RegistryEntry) int { return a.Year - b.Year })
	for _, e := range rows {
		if e.Year < first || e.Year > end {
			continue
		}
		switch {
		case e.AwardCode == p.Needs:
			if counts(e) {
				have[e.Year] = true
				f.Evidence = append(f.Evidence, registryEvidence(e))
			}
		case slices.Contains(p.AmongThem, e.AwardCode):
			if counts(e) {
				among = true
				f.Evidence = append(f.Evidence, registryEvidence(e))
			}
		}
	}
	for y := first; y <= end; y++ {
		if !have[y] {
			f.MissingYears = append(f.MissingYears, y)
		}
	}
	var msgs []string
	if len(f.MissingYears) > 0 {
		ys := make([]string, len(f.MissingYears))
		for i, y := range f.MissingYears {
			ys[i] = strconv.Itoa(y)
		}
		msgs = append(msgs, fmt.Sprintf("Sổ khen thưởng không có «%s» năm %s.", name, strings.Join(ys, ", ")))
	}
	if len(p.AmongThem) > 0 && !among {
		names := make([]string, len(p.AmongThem))
		for i, c := range p.AmongThem {
			names[i] = "«" + awardName(c) + "»"
		}
		msgs = append(msgs, fmt.Sprintf("Trong các năm %d–%d chưa có %s.", first, end, strings.Join(names, " hoặc ")))
	}
	if len(msgs) == 0 {
		f.OK = true
		f.Message = fmt.Sprintf("Đạt: có «%s» đủ %d năm liên tục %d–%d.", name, p.Years, first, end)
		return f
	}
	f.Message = strings.Join(msgs, " ")
	return f
}
