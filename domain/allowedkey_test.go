package domain_test

import (
	"slices"
	"testing"
	"time"

	"tdkt/domain"
)

// TestAllowedKeyHoldsWhatAllowedForReads: views that differ only outside
// their AllowedKey get the same actions from every actor, in every stage,
// with and without votes, returns and missing documents.
func TestAllowedKeyHoldsWhatAllowedForReads(t *testing.T) {
	actors := []domain.Actor{unitOwn, unitOther, officer, secretary, chairman, admin, member(1)}
	due := t0.Add(48 * time.Hour)
	rf := domain.Reception
	for _, code := range []string{"CSTD_TINH", "BK_TTG", "HC_LAO_DONG_3"} {
		for _, st := range domain.Stages {
			for variant := range 4 {
				v := domain.View{ID: "HS-2026-000001", Unit: ownUnit, AwardCode: code, Authority: domain.AuthorityProvince,
					Procedure: domain.ProcedureRegular, Stage: st.Stage, Status: domain.StatusOf(st.Stage), Version: 3,
					MissingDocuments: []domain.DocumentKind{}}
				if a, ok := domain.AwardByCode(code); ok {
					v.Authority = a.Authority
				}
				switch variant {
				case 1:
					v.MissingDocuments = []domain.DocumentKind{"to_trinh"}
				case 2:
					v.ReturnedFrom = &rf
				case 3:
					v.Votes = &domain.VotesView{Cast: 6, Members: 9, Needed: 6, Quorum: 6}
				}
				other := v
				other.ID, other.Version, other.Summary, other.DueAt, other.Overdue = "HS-2026-999999", 42, "khác", &due, true
				other.Documents = []domain.Document{{ID: "d", Kind: "to_trinh"}}
				other.Nominee = domain.Nominee{Type: domain.Individual, Name: "Lò Văn B"}
				for _, voted := range []bool{false, true} {
					for _, a := range actors {
						// Another unit's dossier, to an actor of neither.
						if a.Unit != ownUnit && a.Unit != otherUnit {
							other.Unit = otherUnit
						} else {
							other.Unit = v.Unit
						}
						if v.AllowedKey(a, voted) != other.AllowedKey(a, voted) {
							t.Fatalf("%s %s: the keys differ", code, st.Stage)
						}
						got, want := other.AllowedFor(a, voted), v.AllowedFor(a, voted)
						if !slices.Equal(got, want) {
							t.Errorf("%s %s variant %d voted %v as %s: %v, want %v", code, st.Stage, variant, voted, a.ID, got, want)
						}
					}
				}
				if v.AllowedKey(officer, false) == v.AllowedKey(officer, true) {
					t.Error("whether the actor voted is in the key")
				}
			}
		}
	}
}
