package domain_test

// Tests written to DOMAIN.md's rule where domain/ disagrees with it at the
// time of writing. See the report that accompanies the commit.

import (
	"reflect"
	"testing"

	"tdkt/domain"
)

// TestOtherUnitNeverLearnsTheStage: DOMAIN.md, Roles: "a unit user never sees
// or touches another unit's dossier (answer 404, so existence does not
// leak)". A unit user of another unit who resubmits or withdraws must get
// ErrNotFound in every stage; a 409 ("not allowed while the dossier is in
// stage decision", "the dossier is awarded") tells them the dossier exists
// and where it is.
func TestOtherUnitNeverLearnsTheStage(t *testing.T) {
	n := 0
	for _, mc := range matrixCases() {
		if !mc.want.leak {
			continue
		}
		n++
		t.Run(mc.name(), func(t *testing.T) { runMatrixCase(t, mc) })
	}
	t.Logf("%d cases", n)
}

// TestViewAllowedForInSupplement: View.AllowedFor must offer what
// Dossier.AllowedActions offers. DOMAIN.md: in supplement the unit may
// resubmit and withdraw (until the dossier has reached decision). A dossier
// returned from reception, appraisal or public_notice is withdrawable, so its
// view must offer withdraw to its unit.
func TestViewAllowedForInSupplement(t *testing.T) {
	for _, from := range []domain.Stage{"reception", "appraisal", "public_notice"} {
		h := regular(t, "HC_LAO_DONG_3")
		if from != "reception" {
			h.driveTo(from)
		}
		h.do(cReturn(officer))
		h.expectStage("supplement", "return from "+string(from))
		want := []string{"resubmit", "withdraw"}
		if got := sortedActions(h.d.AllowedActions(unitOwn)); !reflect.DeepEqual(got, want) {
			t.Errorf("returned from %s: AllowedActions(unit) = %v, want %v", from, got, want)
		}
		if got := sortedActions(h.d.View().AllowedFor(unitOwn, false)); !reflect.DeepEqual(got, want) {
			t.Errorf("returned from %s: View().AllowedFor(unit) = %v, want %v (Dossier.AllowedActions gives %v)",
				from, got, want, h.d.AllowedActions(unitOwn))
		}
	}
}

// TestOtherUnitWithdrawAfterDecisionReturn: a unit user of another unit gets
// 404 for a dossier in supplement, also when the dossier was returned from
// decision (where its own unit may no longer withdraw: 409).
func TestOtherUnitWithdrawAfterDecisionReturn(t *testing.T) {
	h := regular(t, "BK_UBND_TINH")
	h.driveTo("decision")
	h.do(cReturn(chairman))
	refusedUnchanged(t, h.d, cWithdraw(unitOther), domain.ErrNotFound)
}
