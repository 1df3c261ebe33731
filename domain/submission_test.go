package domain_test

// The award catalogue of DOMAIN.md, written out, and ValidateSubmission.

import (
	"reflect"
	"strings"
	"testing"

	"tdkt/domain"
)

type specAward struct {
	code    string
	name    string
	for_    []domain.NomineeType
	auth    domain.Authority
	council string
	notice  bool
}

var (
	both       = []domain.NomineeType{"individual", "collective"}
	individual = []domain.NomineeType{"individual"}
	collective = []domain.NomineeType{"collective"}
)

// specCatalogue is DOMAIN.md's award table, one line per code.
var specCatalogue = []specAward{
	{"HC_SAO_VANG", "Huân chương Sao vàng", both, "president", ">50%", true},
	{"HC_HO_CHI_MINH", "Huân chương Hồ Chí Minh", both, "president", ">50%", true},
	{"HC_DOC_LAP_1", "Huân chương Độc lập hạng Nhất", both, "president", ">50%", true},
	{"HC_DOC_LAP_2", "Huân chương Độc lập hạng Nhì", both, "president", ">50%", true},
	{"HC_DOC_LAP_3", "Huân chương Độc lập hạng Ba", both, "president", ">50%", true},
	{"HC_LAO_DONG_1", "Huân chương Lao động hạng Nhất", both, "president", ">50%", true},
	{"HC_LAO_DONG_2", "Huân chương Lao động hạng Nhì", both, "president", ">50%", true},
	{"HC_LAO_DONG_3", "Huân chương Lao động hạng Ba", both, "president", ">50%", true},
	{"AHLD", "Anh hùng Lao động", both, "president", "90%", true},
	{"CSTD_TOAN_QUOC", "Chiến sĩ thi đua toàn quốc", individual, "pm", "90%", false},
	{"CO_THI_DUA_CP", "Cờ thi đua của Chính phủ", collective, "pm", "80%", false},
	{"BK_TTG", "Bằng khen của Thủ tướng Chính phủ", both, "pm", ">50%", false},
	{"CSTD_TINH", "Chiến sĩ thi đua cấp tỉnh", individual, "province", "90%", false},
	{"CO_THI_DUA_TINH", "Cờ thi đua cấp tỉnh", collective, "province", "80%", false},
	{"BK_UBND_TINH", "Bằng khen của Chủ tịch UBND tỉnh", both, "province", "-", false},
	{"TTLDXS", "Tập thể lao động xuất sắc", collective, "province", "-", false},
}

func specAwardByCode(code string) specAward {
	for _, a := range specCatalogue {
		if a.code == code {
			return a
		}
	}
	panic("no award " + code)
}

// yesNeededSpec is DOMAIN.md's rule by counting: the fewest yes-votes y with
// y > members/2 for ">50%", or y ≥ share × members for "N%".
func yesNeededSpec(code string, members int) int {
	a := specAwardByCode(code)
	for y := 0; y <= members; y++ {
		switch a.council {
		case "-":
			return 0
		case ">50%":
			if 2*y > members {
				return y
			}
		case "80%":
			if 100*y >= 80*members {
				return y
			}
		case "90%":
			if 100*y >= 90*members {
				return y
			}
		}
	}
	return members + 1
}

func TestCatalogue(t *testing.T) {
	if len(domain.Catalogue) != 16 {
		t.Errorf("catalogue has %d awards, want 16", len(domain.Catalogue))
	}
	var codes, want []string
	for _, a := range domain.Catalogue {
		codes = append(codes, a.Code)
	}
	for _, a := range specCatalogue {
		want = append(want, a.code)
	}
	if !reflect.DeepEqual(codes, want) {
		t.Errorf("catalogue codes = %v, want %v (DOMAIN.md's order)", codes, want)
	}
	for _, s := range specCatalogue {
		a, ok := domain.AwardByCode(s.code)
		if !ok {
			t.Errorf("AwardByCode(%s) not found", s.code)
			continue
		}
		if a.Name != s.name || a.Authority != s.auth || a.Council != s.council || a.Notice != s.notice || !reflect.DeepEqual(a.NomineeTypes, s.for_) {
			t.Errorf("%s = %+v, want name %q for %v authority %s council %s notice %v", s.code, a, s.name, s.for_, s.auth, s.council, s.notice)
		}
		if a.HasCouncil() != (s.council != "-") {
			t.Errorf("%s: HasCouncil() = %v", s.code, a.HasCouncil())
		}
		for _, typ := range []domain.NomineeType{"individual", "collective"} {
			takes := false
			for _, x := range s.for_ {
				takes = takes || x == typ
			}
			if a.Takes(typ) != takes {
				t.Errorf("%s: Takes(%s) = %v, want %v", s.code, typ, a.Takes(typ), takes)
			}
		}
		if a.IsEmulationFighter() != (s.code == "CSTD_TINH" || s.code == "CSTD_TOAN_QUOC") {
			t.Errorf("%s: IsEmulationFighter() = %v", s.code, a.IsEmulationFighter())
		}
		for _, n := range []int{7, 9, 10, 15} {
			if got, want := a.YesNeeded(n), yesNeededSpec(s.code, n); got != want {
				t.Errorf("%s: YesNeeded(%d) = %d, want %d", s.code, n, got, want)
			}
		}
	}
	if _, ok := domain.AwardByCode("GIAY_KHEN"); ok {
		t.Errorf("AwardByCode finds an award outside the catalogue")
	}
}

// TestSimplifiedAllowed: kinds adhoc, dedication and foreign; council "-" or ">50%".
func TestSimplifiedAllowed(t *testing.T) {
	for _, s := range specCatalogue {
		a, _ := domain.AwardByCode(s.code)
		for _, k := range []domain.Kind{"merit", "adhoc", "campaign", "dedication", "foreign"} {
			want := (k == "adhoc" || k == "dedication" || k == "foreign") && (s.council == "-" || s.council == ">50%")
			if got := domain.SimplifiedAllowed(k, a); got != want {
				t.Errorf("SimplifiedAllowed(%s, %s) = %v, want %v", k, s.code, got, want)
			}
		}
	}
}

func TestValidateSubmission(t *testing.T) {
	ok := func() domain.Submission { return submission("BK_UBND_TINH", "merit", "regular") }
	cases := []struct {
		name  string
		edit  func(s *domain.Submission)
		field string // "" means accepted
	}{
		{"valid regular", func(s *domain.Submission) {}, ""},
		{"empty procedure is regular", func(s *domain.Submission) { s.Procedure = "" }, ""},
		{"collective BK_UBND_TINH", func(s *domain.Submission) { s.Nominee.Type = "collective" }, ""},
		{"unknown award", func(s *domain.Submission) { s.AwardCode = "GIAY_KHEN" }, "award_code"},
		{"empty award", func(s *domain.Submission) { s.AwardCode = "" }, "award_code"},
		{"CSTD_TINH for a collective", func(s *domain.Submission) { s.AwardCode = "CSTD_TINH"; s.Nominee.Type = "collective" }, "nominee.type"},
		{"CSTD_TOAN_QUOC for a collective", func(s *domain.Submission) { s.AwardCode = "CSTD_TOAN_QUOC"; s.Nominee.Type = "collective" }, "nominee.type"},
		{"TTLDXS for an individual", func(s *domain.Submission) { s.AwardCode = "TTLDXS"; s.Nominee.Type = "individual" }, "nominee.type"},
		{"CO_THI_DUA_TINH for an individual", func(s *domain.Submission) { s.AwardCode = "CO_THI_DUA_TINH"; s.Nominee.Type = "individual" }, "nominee.type"},
		{"unknown nominee type", func(s *domain.Submission) { s.Nominee.Type = "family" }, "nominee.type"},
		{"empty nominee name", func(s *domain.Submission) { s.Nominee.Name = "" }, "nominee.name"},
		{"blank nominee name", func(s *domain.Submission) { s.Nominee.Name = " \t\n " }, "nominee.name"},
		{"unknown kind", func(s *domain.Submission) { s.Kind = "yearly" }, "kind"},
		{"empty kind", func(s *domain.Submission) { s.Kind = "" }, "kind"},
		{"simplified for merit", func(s *domain.Submission) { s.Procedure = "simplified" }, "procedure"},
		{"simplified for campaign", func(s *domain.Submission) { s.Kind = "campaign"; s.Procedure = "simplified" }, "procedure"},
		{"simplified adhoc BK_TTG (>50%)", func(s *domain.Submission) { s.AwardCode = "BK_TTG"; s.Kind = "adhoc"; s.Procedure = "simplified" }, ""},
		{"simplified dedication HC_LAO_DONG_3 (>50%)", func(s *domain.Submission) {
			s.AwardCode = "HC_LAO_DONG_3"
			s.Kind = "dedication"
			s.Procedure = "simplified"
		}, ""},
		{"simplified foreign BK_UBND_TINH (-)", func(s *domain.Submission) { s.Kind = "foreign"; s.Procedure = "simplified" }, ""},
		{"simplified adhoc CSTD_TINH (90%)", func(s *domain.Submission) { s.AwardCode = "CSTD_TINH"; s.Kind = "adhoc"; s.Procedure = "simplified" }, "procedure"},
		{"simplified adhoc CO_THI_DUA_TINH (80%)", func(s *domain.Submission) {
			s.AwardCode = "CO_THI_DUA_TINH"
			s.Nominee.Type = "collective"
			s.Kind = "adhoc"
			s.Procedure = "simplified"
		}, "procedure"},
		{"simplified adhoc AHLD (90%)", func(s *domain.Submission) { s.AwardCode = "AHLD"; s.Kind = "adhoc"; s.Procedure = "simplified" }, "procedure"},
		{"bad procedure", func(s *domain.Submission) { s.Procedure = "fast" }, "procedure"},
		{"procedure in capitals", func(s *domain.Submission) { s.Procedure = "Regular" }, "procedure"},
		{"campaign code", func(s *domain.Submission) { s.Campaign = "2026-annual_v1.2" }, ""},
		{"no campaign", func(s *domain.Submission) { s.Campaign = "" }, ""},
		// The campaign lands in a plaintext search attribute: a code only.
		{"campaign as free text", func(s *domain.Submission) { s.Campaign = "Đợt khen Lò Văn A" }, "campaign"},
		{"campaign with a space", func(s *domain.Submission) { s.Campaign = "2026 annual" }, "campaign"},
		{"campaign with a quote", func(s *domain.Submission) { s.Campaign = `a"b` }, "campaign"},
		{"campaign too long", func(s *domain.Submission) { s.Campaign = strings.Repeat("a", 65) }, "campaign"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ok()
			c.edit(&s)
			err := domain.ValidateSubmission(s)
			if c.field == "" {
				if err != nil {
					t.Errorf("ValidateSubmission = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateSubmission = nil, want 422 on %s", c.field)
			}
			if err.Kind != domain.ErrInvalid {
				t.Errorf("kind = %s, want invalid", err.Kind)
			}
			if got := fieldNames(err); !reflect.DeepEqual(got, []string{c.field}) {
				t.Errorf("fields = %v, want [%s] (%v)", got, c.field, err)
			}
		})
	}
	// Several wrong fields are all named.
	s := ok()
	s.AwardCode, s.Nominee.Name, s.Kind = "X", "", "y"
	if got := fieldNames(domain.ValidateSubmission(s)); !reflect.DeepEqual(got, []string{"award_code", "nominee.name", "kind"}) {
		t.Errorf("several wrong fields: %v", got)
	}
}
