package domain

import "time"

// RuleSet is the legal rules a dossier is judged by (DOMAIN.md "Legal rules
// are versioned data"): those in force on the day it was received, recorded
// on the dossier, so that a later change of the catalogue (a new decree, an
// edited award) never changes a running dossier.
type RuleSet struct {
	// ID and Name say which rules; Effective is the day they came into force.
	ID        string `json:"id"`
	Name      string `json:"name"`
	Effective string `json:"effective"`
	// Award is the catalogue entry the dossier is judged by: authority,
	// council share, public notice.
	Award Award `json:"award"`
	// Documents are the required kinds of document, for its procedure.
	Documents []DocumentKind `json:"documents"`
}

// ruleSets are the rule sets this engine knows, oldest first. The catalogue
// and the document lists of domain/ are those of the newest; an earlier set
// would carry its own.
var ruleSets = []struct{ id, name, effective string }{
	{"nd152-2025", "Nghị định 152/2025/NĐ-CP", "2025-07-01"},
}

// RulesAt is the rule set in force at t (Vietnam time) for an award and a
// procedure. Before the first known set, the first one applies.
func RulesAt(t time.Time, a Award, p Procedure) RuleSet {
	day := t.In(Local).Format(time.DateOnly)
	s := ruleSets[0]
	for _, r := range ruleSets {
		if r.effective <= day {
			s = r
		}
	}
	return RuleSet{ID: s.id, Name: s.name, Effective: s.effective, Award: a, Documents: RequiredDocuments(a, p)}
}

// award is the catalogue entry the dossier is judged by: its rule set's, or
// for a dossier received before rule sets were recorded, the catalogue's.
func (d *Dossier) award() Award {
	if d.Rules != nil {
		return d.Rules.Award
	}
	a, _ := AwardByCode(d.AwardCode)
	return a
}

// requiredDocuments are the kinds the dossier's rules require.
func (d *Dossier) requiredDocuments() []DocumentKind {
	if d.Rules != nil {
		return d.Rules.Documents
	}
	return RequiredDocuments(d.award(), d.Procedure)
}
