package domain_test

import (
	"testing"
	"time"

	"tdkt/domain"
)

func TestPersonAndCollectiveKeys(t *testing.T) {
	born := time.Date(1980, 3, 15, 0, 0, 0, 0, time.UTC)
	a := domain.PersonKey("Đặng Thị  Hồng Nhung", born, "sgddt", "")
	b := domain.PersonKey("DANG THI HONG NHUNG", born, "SGDDT", "")
	if a != b || a != "p:dang thi hong nhung|1980-03-15|SGDDT" {
		t.Errorf("keys %q and %q: the same person, folded (Đ → d)", a, b)
	}
	if domain.PersonKey("Đặng Thị Hồng Nhung", born.AddDate(0, 0, 1), "SGDDT", "") == a {
		t.Error("another date of birth is another person")
	}
	if domain.PersonKey("Đặng Thị Hồng Nhung", born, "SYT", "") == a {
		t.Error("another unit is another person without a citizen id")
	}
	// A citizen id identifies the person whatever the unit or spelling.
	c1 := domain.PersonKey("Đặng Thị Hồng Nhung", born, "SGDDT", "012180000123")
	c2 := domain.PersonKey("Dang Thi Nhung", time.Time{}, "SYT", " 012180000123 ")
	if c1 != c2 || c1 != "cccd:012180000123" {
		t.Errorf("citizen id keys %q, %q", c1, c2)
	}
	if got := domain.PersonKey("Lò Văn A", time.Time{}, "SGDDT", ""); got != "p:lo van a||SGDDT" {
		t.Errorf("no date of birth: %q", got)
	}
	if got := domain.CollectiveKey("x-sinho", "Trường Tiểu học Sìn Hồ"); got != "t:X-SINHO|truong tieu hoc sin ho" {
		t.Errorf("collective key %q", got)
	}
	n := domain.Nominee{Type: domain.Collective, Name: "Trường Tiểu học Sìn Hồ"}
	if domain.NomineeKey(n, "X-SINHO") != domain.CollectiveKey("X-SINHO", "Trường Tiểu học Sìn Hồ") {
		t.Error("a collective nominee's key is its collective key")
	}
}

func TestPeriodYearAndGrantedEntry(t *testing.T) {
	for p, want := range map[string]int{"2024": 2024, "2024-2025": 2025, "2021–2025": 2025, "năm học 2023 - 2024": 2024, "": 0, "đột xuất": 0} {
		if got := domain.PeriodYear(p); got != want {
			t.Errorf("PeriodYear(%q) = %d, want %d", p, got, want)
		}
	}
	v := domain.View{ID: "HS-2026-000001", Unit: "SGDDT", AwardCode: "CSTD_TINH", Authority: domain.AuthorityProvince,
		Kind: domain.KindMerit, AchievementPeriod: "2026", Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn A"},
		Stage: domain.Decision}
	if _, ok := domain.GrantedEntry(v); ok {
		t.Error("a dossier in decision is not granted")
	}
	v.Stage = domain.Awarded
	v.Decision = &domain.Issued{Number: "3/QĐ-UBND", Date: "2027-01-20", Authority: domain.AuthorityProvince}
	e, ok := domain.GrantedEntry(v)
	if !ok || e.Year != 2026 || e.DecisionNumber != "3/QĐ-UBND" || e.NomineeKey != "p:lo van a||SGDDT" || e.Source != domain.SourceEngine || e.DossierID != v.ID {
		t.Errorf("granted entry %+v", e)
	}
	v.AchievementPeriod = "đột xuất"
	if e, _ := domain.GrantedEntry(v); e.Year != 2027 {
		t.Errorf("a period without a year counts for the decision's year: %d", e.Year)
	}
}

func TestLowerTitlesAreRegistryOnly(t *testing.T) {
	for _, code := range []string{"CSTD_CO_SO", "LDTT", "GIAY_KHEN"} {
		a, ok := domain.RegistryAward(code)
		if !ok || a.Authority != domain.AuthorityUnitHead {
			t.Errorf("RegistryAward(%s) = %+v, %v", code, a, ok)
		}
		if _, ok := domain.AwardByCode(code); ok {
			t.Errorf("%s can be submitted", code)
		}
	}
	if _, ok := domain.RegistryAward("CSTD_TINH"); !ok {
		t.Error("the registry records catalogue awards too")
	}
}

func TestUnitCheck(t *testing.T) {
	ok := domain.Unit{Code: "P-TANPHONG", Name: "Phường Tân Phong", Kind: domain.UnitWard, Block: "Cụm 1"}
	if fe := ok.Check(); len(fe) != 0 {
		t.Errorf("%v", fe)
	}
	bad := domain.Unit{Code: "p tân phong", Name: " ", Kind: "huyen"}
	if fe := bad.Check(); len(fe) != 3 {
		t.Errorf("want code, name and kind refused: %v", fe)
	}
}

func TestSubmissionBirthDateAndCitizenID(t *testing.T) {
	sub := domain.Submission{AwardCode: "CSTD_TINH", Kind: domain.KindMerit, AchievementPeriod: "2026",
		Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn A", BirthDate: "1980-03-15", CitizenID: "012080001234"}}
	if err := domain.ValidateSubmission(sub); err != nil {
		t.Fatalf("%v", err)
	}
	v := domain.View{ID: "HS-2026-000009", Unit: "SGDDT", AwardCode: "CSTD_TINH", AchievementPeriod: "2026", Nominee: sub.Nominee,
		Stage: domain.Awarded, Decision: &domain.Issued{Number: "9/QĐ-UBND", Date: "2026-12-01"}}
	if e, _ := domain.GrantedEntry(v); e.NomineeKey != "cccd:012080001234" || e.BirthDate != "1980-03-15" {
		t.Errorf("granted entry %+v", e)
	}
	v.Nominee.CitizenID = ""
	if e, _ := domain.GrantedEntry(v); e.NomineeKey != "p:lo van a|1980-03-15|SGDDT" {
		t.Errorf("key without a citizen id: %q", e.NomineeKey)
	}
	bad := sub
	bad.Nominee.BirthDate, bad.Nominee.CitizenID = "15/03/1980", "12080001234"
	err := domain.ValidateSubmission(bad)
	if err == nil || len(err.Fields) != 2 || err.Fields[0].Field != "nominee.birth_date" || err.Fields[1].Field != "nominee.citizen_id" {
		t.Errorf("want birth date and citizen id refused: %v", err)
	}
	coll := domain.Submission{AwardCode: "TTLDXS", Kind: domain.KindMerit, AchievementPeriod: "2026",
		Nominee: domain.Nominee{Type: domain.Collective, Name: "Trường A", BirthDate: "1980-03-15"}}
	if err := domain.ValidateSubmission(coll); err == nil || err.Fields[0].Message != "is only for an individual" {
		t.Errorf("a collective has no date of birth: %v", err)
	}
}
