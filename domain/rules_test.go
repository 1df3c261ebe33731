package domain_test

import (
	"testing"

	"tdkt/domain"
)

// A running dossier keeps the rules it was received under: changing the
// live catalogue (a new decree: CSTD_TINH with a public notice and a
// simple majority) changes neither its council share, nor its route after
// appraisal, nor its required documents. A dossier received after the
// change is judged by the new entry.
func TestRunningDossierKeepsItsRuleSet(t *testing.T) {
	old := regular(t, "CSTD_TINH")
	if old.d.Rules == nil || old.d.Rules.ID != "nd152-2025" || old.d.View().RuleSet == "" {
		t.Fatalf("rules not recorded: %+v", old.d.Rules)
	}
	saved := append([]domain.Award(nil), domain.Catalogue...)
	t.Cleanup(func() { copy(domain.Catalogue, saved) })
	for i := range domain.Catalogue {
		if domain.Catalogue[i].Code == "CSTD_TINH" {
			domain.Catalogue[i].Council = ">50%"
			domain.Catalogue[i].Notice = true
		}
	}

	old.driveTo(domain.Appraisal)
	old.do(cApprove())
	old.expectStage("council", "the old rules have no public notice")
	if old.d.Ballot.Needed != 9 {
		t.Errorf("needed %d, want 9 (90%% of 9, the rules it was received under)", old.d.Ballot.Needed)
	}

	fresh := regular(t, "CSTD_TINH")
	fresh.driveTo(domain.Appraisal)
	fresh.do(cApprove())
	fresh.expectStage("public_notice", "the new rules publish first")

	// A dossier from before rule sets were recorded follows the catalogue.
	legacy := regular(t, "CSTD_TINH")
	legacy.d.Rules = nil
	legacy.driveTo(domain.Appraisal)
	legacy.do(cApprove())
	legacy.expectStage("public_notice", "no recorded rules: the catalogue")
}
