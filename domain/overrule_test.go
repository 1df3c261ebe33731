package domain_test

import (
	"testing"

	"tdkt/domain"
)

// The officer proceeds against the eligibility advice with a comment: the
// stage stays, the comment lands in the history; without a comment, or by
// another role, it is refused and changes nothing.
func TestOverruleEligibility(t *testing.T) {
	sub := domain.Submission{AwardCode: "CSTD_TINH", Kind: domain.KindMerit, Procedure: domain.ProcedureRegular, AchievementPeriod: "2025",
		Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn A"}}
	p := domain.Policy{CouncilMembers: 9}
	d, _ := domain.NewDossier("HS-2026-000001", sub, unitOwn, t0, p)
	c := domain.Command{Action: domain.ActOverruleEligibility, Actor: officer}
	if err := d.Validate(c); err == nil || err.Kind != domain.ErrInvalid {
		t.Fatalf("no comment: %v", err)
	}
	if err := d.Validate(domain.Command{Action: domain.ActOverruleEligibility, Actor: chairman, Comment: "x"}); err == nil || err.Kind != domain.ErrForbidden {
		t.Fatalf("chairman: %v", err)
	}
	c.Comment = "Năm 2024 có quyết định giấy chưa nhập sổ"
	if err := d.Validate(c); err != nil {
		t.Fatal(err)
	}
	v := d.Version
	out := d.Apply(c, t0, p)
	if len(out) != 1 || out[0].Action != domain.ActOverruleEligibility || out[0].Comment != c.Comment || out[0].From != domain.Reception || out[0].To != domain.Reception {
		t.Fatalf("history: %+v", out)
	}
	if d.Stage != domain.Reception || d.Version != v+1 {
		t.Fatalf("stage %s version %d", d.Stage, d.Version)
	}
	if domain.IsPublicAction(domain.ActOverruleEligibility) {
		t.Fatal("overrule is taken through its own endpoint")
	}
}
