package pdfdoc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

var (
	decisionDate = time.Date(2027, time.January, 15, 0, 0, 0, 0, vietnam)
	proposalDate = time.Date(2027, time.January, 20, 0, 0, 0, 0, vietnam)
	sessionStart = time.Date(2027, time.January, 8, 8, 0, 0, 0, vietnam)
)

// awardees is a batch of the kind a January session passes: collectives of
// the 2025 reorganised province (two wards and communes, merged departments)
// and individuals with names of Lai Châu's peoples.
func awardees() []Awardee {
	const award = "Bằng khen của Chủ tịch UBND tỉnh"
	return []Awardee{
		{Name: "Trường THPT Phong Thổ", Position: "Sở Giáo dục và Đào tạo", Award: award, Collective: true},
		{Name: "Ủy ban nhân dân phường Tân Phong", Position: "tỉnh Lai Châu", Award: award, Collective: true},
		{Name: "Phòng Văn hóa - Xã hội xã Sìn Hồ", Position: "Ủy ban nhân dân xã Sìn Hồ", Award: award, Collective: true},
		{Name: "Lò Văn Thắng", Position: "Giáo viên Trường THPT Phong Thổ, Sở Giáo dục và Đào tạo", Award: award},
		// Typed with combining marks, as some keyboards send it: printed and
		// read back in NFC.
		{Name: norm.NFD.String("Nguyễn Thị Hương"), Position: "Chuyên viên Phòng Kinh tế xã Tam Đường", Award: award},
		{Name: "Đặng Thị Ngọc Ánh", Position: "Phó Trưởng phòng Phòng Thi đua - Khen thưởng, Sở Nội vụ", Award: award},
		{Name: "Giàng A Phử", Position: "Chủ tịch Ủy ban nhân dân xã Mường Tè", Award: award},
		{Name: "Tẩn Láo Xoang", Position: "Trưởng bản Sì Choang, xã Khun Há", Award: award},
		{Name: "Vàng Thị Mỷ", Position: "Bác sĩ Trung tâm Y tế khu vực Than Uyên, Sở Y tế", Award: award},
		{Name: "Lường Văn Ngọc", Position: "Phó Giám đốc Sở Nông nghiệp và Môi trường", Award: award},
	}
}

func decision() Decision {
	as := awardees()
	return Decision{
		Number:    "12/QĐ-UBND",
		Date:      decisionDate,
		Summary:   "Về việc tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
		Authority: "Chủ tịch Ủy ban nhân dân tỉnh Lai Châu",
		Bases: []string{
			"Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
			"Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022",
			"Căn cứ Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
			"Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 25/TTr-SNV ngày 12 tháng 01 năm 2027",
		},
		Articles: []string{
			"Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh cho " + CountAwardees(as) +
				" (có danh sách kèm theo) đã có thành tích xuất sắc trong thực hiện nhiệm vụ năm 2026, góp phần vào sự nghiệp xây dựng chủ nghĩa xã hội và bảo vệ Tổ quốc.",
			"Quyết định này có hiệu lực kể từ ngày ký.",
			"Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ, Thủ trưởng các cơ quan, đơn vị có liên quan và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
		},
		Recipients: []string{"Như Điều 3", "Chủ tịch, các Phó Chủ tịch UBND tỉnh", "Sở Nội vụ (Ban TĐKT)", "Lưu: VT, TĐKT"},
		Signer:     Signer{Title: []string{"KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"}, Name: "Hà Trọng Hải"},
		AnnexTitle: "Tập thể, cá nhân được tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
		Awardees:   as,
	}
}

func proposal() Proposal {
	return Proposal{
		Number:  "45/TTr-UBND",
		Date:    proposalDate,
		Summary: "Về việc đề nghị tặng Huân chương Lao động và Bằng khen của Thủ tướng Chính phủ",
		To:      []string{"Thủ tướng Chính phủ", "Ban Thi đua - Khen thưởng Trung ương"},
		Body: []string{
			"Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022; Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng.",
			"Xét đề nghị của Hội đồng Thi đua - Khen thưởng tỉnh tại phiên họp ngày 08 tháng 01 năm 2027, Ủy ban nhân dân tỉnh Lai Châu kính đề nghị Thủ tướng Chính phủ xem xét, trình Chủ tịch nước tặng Huân chương Lao động hạng Ba và tặng Bằng khen của Thủ tướng Chính phủ cho " + CountAwardees(nominees()) + " (có danh sách kèm theo), đã có thành tích xuất sắc trong công tác từ năm 2022 đến năm 2026.",
			"Ủy ban nhân dân tỉnh Lai Châu kính trình Thủ tướng Chính phủ xem xét, quyết định.",
		},
		Recipients: []string{"Như trên", "Thường trực Tỉnh ủy", "Chủ tịch, các PCT UBND tỉnh", "Sở Nội vụ", "Lưu: VT, TĐKT"},
		Signer:     Signer{Title: []string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"}, Name: "Lê Văn Lương"},
		AnnexTitle: "Tập thể, cá nhân đề nghị Thủ tướng Chính phủ, Chủ tịch nước khen thưởng",
		Nominees:   nominees(),
	}
}

func nominees() []Awardee {
	return []Awardee{
		{Name: "Trường Phổ thông Dân tộc nội trú THPT tỉnh Lai Châu", Position: "Sở Giáo dục và Đào tạo", Award: "Huân chương Lao động hạng Ba", Collective: true},
		{Name: "Lò Văn Thắng", Position: "Hiệu trưởng Trường THPT Phong Thổ", Award: "Bằng khen của Thủ tướng Chính phủ"},
		{Name: "Đặng Thị Ngọc Ánh", Position: "Trưởng phòng Phòng Thi đua - Khen thưởng, Sở Nội vụ", Award: "Bằng khen của Thủ tướng Chính phủ"},
	}
}

func minutes() Minutes {
	return Minutes{
		Number:    "3/BB-HĐTĐKT",
		Title:     "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh xét khen thưởng tổng kết năm 2026",
		Start:     sessionStart,
		End:       sessionStart.Add(3*time.Hour + 30*time.Minute),
		Venue:     "Phòng họp số 1, trụ sở Ủy ban nhân dân tỉnh Lai Châu",
		Chair:     Member{"Lê Văn Lương", "Chủ tịch UBND tỉnh, Chủ tịch Hội đồng"},
		Secretary: Member{"Nguyễn Thị Hương", "Trưởng ban Ban Thi đua - Khen thưởng, Sở Nội vụ"},
		Present: []Member{
			{"Lê Văn Lương", "Chủ tịch UBND tỉnh, Chủ tịch Hội đồng"},
			{"Hà Trọng Hải", "Phó Chủ tịch UBND tỉnh, Phó Chủ tịch Hội đồng"},
			{"Lường Văn Ngọc", "Giám đốc Sở Nội vụ, Phó Chủ tịch Hội đồng"},
			{"Giàng A Phử", "Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh, ủy viên"},
			{"Vàng Thị Mỷ", "Chủ tịch Liên đoàn Lao động tỉnh, ủy viên"},
			{"Tẩn Láo Xoang", "Giám đốc Sở Tài chính, ủy viên"},
			{"Phạm Thị Thu Trang", "Giám đốc Sở Giáo dục và Đào tạo, ủy viên"},
		},
		WrittenOpinions: []Member{{"Hoàng Văn Quyết", "Giám đốc Sở Nông nghiệp và Môi trường, ủy viên"}},
		Absent:          []Member{{"Trần Đức Mạnh", "Giám đốc Sở Y tế, ủy viên"}},
		Content: []string{
			"Đồng chí Chủ tịch Hội đồng khai mạc phiên họp; Thư ký Hội đồng báo cáo kết quả thẩm định hồ sơ của Sở Nội vụ. Hội đồng thảo luận và biểu quyết bằng phiếu kín từng hồ sơ.",
		},
		Dossiers: []Tally{
			{Nominee: "Trường THPT Phong Thổ", Unit: "Sở Giáo dục và Đào tạo", Award: "Bằng khen của Chủ tịch UBND tỉnh", Yes: 8, No: 0, Abstain: 0, Required: 7, Passed: true},
			{Nominee: "Lò Văn Thắng", Unit: "Giáo viên Trường THPT Phong Thổ", Award: "Bằng khen của Chủ tịch UBND tỉnh", Yes: 7, No: 1, Abstain: 0, Required: 7, Passed: true},
			{Nominee: "Đặng Thị Ngọc Ánh", Unit: "Phó Trưởng phòng, Sở Nội vụ", Award: "Bằng khen của Thủ tướng Chính phủ", Yes: 8, No: 0, Abstain: 0, Required: 8, Passed: true},
			{Nominee: "Tẩn Láo Xoang", Unit: "Trưởng bản Sì Choang, xã Khun Há", Award: "Chiến sĩ thi đua cấp tỉnh", Yes: 5, No: 2, Abstain: 1, Required: 8, Passed: false},
		},
		Recipients: []string{"Thành viên Hội đồng", "Sở Nội vụ", "Lưu: VT, TĐKT"},
	}
}

// flat is the text of all pages with runs of whitespace made single spaces,
// so that a name wrapped onto two lines still reads as one.
func flat(pages []string) string { return strings.Join(strings.Fields(strings.Join(pages, " ")), " ") }

func mustContain(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, norm.NFC.String(want)) {
			t.Errorf("text does not contain %q", want)
		}
	}
}

// sample writes a rendered document to testdata/ when TDKT_PDF_SAMPLES is set,
// to be looked at.
func sample(t *testing.T, name string, pdf []byte) {
	if os.Getenv("TDKT_PDF_SAMPLES") == "" {
		return
	}
	path := filepath.Join("testdata", name)
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(pdf))
}

func TestDecision(t *testing.T) {
	d := decision()
	pdf, err := DecisionPDF(d)
	if err != nil {
		t.Fatal(err)
	}
	sample(t, "decision.pdf", pdf)
	pages := readText(t, pdf)
	text := flat(pages)
	if !norm.NFC.IsNormalString(text) {
		t.Error("extracted text is not NFC")
	}
	mustContain(t, text,
		"ỦY BAN NHÂN DÂN", "TỈNH LAI CHÂU",
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"Số: 12/QĐ-UBND", "Lai Châu, ngày 15 tháng 01 năm 2027",
		"QUYẾT ĐỊNH", "Về việc tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
		"CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LAI CHÂU",
		"Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
		"Tờ trình số 25/TTr-SNV ngày 12 tháng 01 năm 2027.",
		"QUYẾT ĐỊNH:", "Điều 1. Tặng Bằng khen", "03 tập thể và 07 cá nhân", "Điều 2.",
		"chịu trách nhiệm thi hành Quyết định này./.",
		"Nơi nhận:", "- Như Điều 3;", "- Lưu: VT, TĐKT.",
		"KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Hà Trọng Hải",
		"DANH SÁCH", "(Kèm theo Quyết định số 12/QĐ-UBND ngày 15/01/2027 của Chủ tịch UBND tỉnh)",
		"STT", "Họ và tên / Tên tập thể", "Chức vụ, đơn vị", "Hình thức khen thưởng",
		"I. TẬP THỂ (03 tập thể)", "II. CÁ NHÂN (07 cá nhân)",
		"1 Trường THPT Phong Thổ", "1 Lò Văn Thắng", "2 Nguyễn Thị Hương", "3 Đặng Thị Ngọc Ánh",
		"Tẩn Láo Xoang", "Vàng Thị Mỷ", "phường Tân Phong",
	)
	if len(pages) != 2 {
		t.Errorf("%d pages, want the decision on 1 and the list on 2", len(pages))
	}
	if strings.Contains(pages[1], "QUYẾT ĐỊNH:") || !strings.HasPrefix(pages[1], "DANH SÁCH") {
		t.Errorf("the list does not start a page of its own: %.80q", pages[1])
	}
	// Rendering is deterministic: one input, one file.
	again, err := DecisionPDF(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pdf, again) {
		t.Error("two renderings of one decision differ")
	}
}

func TestDecisionWithFiveHundredAwardees(t *testing.T) {
	families := []string{"Lò", "Nguyễn", "Đặng", "Giàng", "Tẩn", "Vàng", "Lường", "Hoàng", "Phạm", "Sùng"}
	middles := []string{"Văn", "Thị", "A", "Thị Ngọc", "Đức", "Láo", "Thu", "Quang", "Seo", "Minh"}
	givens := []string{"Thắng", "Hương", "Ánh", "Phử", "Xoang", "Mỷ", "Ngọc", "Quyết", "Dũng", "Hà"}
	units := []string{
		"Giáo viên Trường THPT Phong Thổ, Sở Giáo dục và Đào tạo",
		"Chuyên viên Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã Tân Uyên",
		"Bác sĩ Trung tâm Y tế khu vực Sìn Hồ",
		"Công chức Văn phòng - Thống kê phường Đoàn Kết",
		"Kỹ sư Ban Quản lý dự án đầu tư xây dựng các công trình giao thông và nông nghiệp tỉnh",
	}
	d := decision()
	d.Awardees = nil
	for i := range 500 {
		a := Awardee{
			Name:     families[i%10] + " " + middles[i/10%10] + " " + givens[i/100%10],
			Position: units[i%len(units)],
			Award:    "Bằng khen của Chủ tịch UBND tỉnh",
		}
		if i < 20 {
			a = Awardee{Name: fmt.Sprintf("Tổ Giáo dục công dân số %d, Trường THPT Phong Thổ", i+1),
				Position: "Sở Giáo dục và Đào tạo", Award: a.Award, Collective: true}
		}
		d.Awardees = append(d.Awardees, a)
	}
	d.Articles[0] = "Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh cho " + CountAwardees(d.Awardees) +
		" (có danh sách kèm theo) đã có thành tích xuất sắc trong thực hiện nhiệm vụ năm 2026."
	start := time.Now()
	pdf, err := DecisionPDF(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("500 awardees: %d bytes in %v", len(pdf), time.Since(start))
	pages := readText(t, pdf)
	if len(pages) < 10 {
		t.Fatalf("%d pages for 500 rows", len(pages))
	}
	mustContain(t, flat(pages), "20 tập thể và 480 cá nhân", "I. TẬP THỂ (20 tập thể)", "II. CÁ NHÂN (480 cá nhân)")
	// Every page of the list repeats the heading row and, from its second
	// page on, shows its number; the decision's own page shows none.
	for i, p := range pages[1:] {
		if !strings.Contains(p, "Họ và tên / Tên tập thể") {
			t.Errorf("list page %d has no heading row", i+1)
		}
		if i > 0 && !strings.HasPrefix(p, fmt.Sprint(i+1)+"\n") {
			t.Errorf("list page %d does not start with its number: %.20q", i+1, p)
		}
	}
	// Every row: its number and name, once.
	text := flat(pages)
	for i, a := range d.Awardees {
		n := i + 1
		if !a.Collective {
			n = i - 19
		}
		row := fmt.Sprintf(" %d %s ", n, a.Name)
		if got := strings.Count(text, row); got != 1 {
			t.Errorf("row %q found %d times", row, got)
		}
	}
	if last := pages[len(pages)-1]; !strings.Contains(flat([]string{last}), "480 Sùng Minh Xoang") {
		t.Errorf("the last page does not end the list: %.200q", last)
	}
}

func TestProposal(t *testing.T) {
	pdf, err := ProposalPDF(proposal())
	if err != nil {
		t.Fatal(err)
	}
	sample(t, "proposal.pdf", pdf)
	pages := readText(t, pdf)
	text := flat(pages)
	mustContain(t, text,
		"Số: 45/TTr-UBND", "Lai Châu, ngày 20 tháng 01 năm 2027", "TỜ TRÌNH",
		"Về việc đề nghị tặng Huân chương Lao động",
		"Kính gửi:", "- Thủ tướng Chính phủ;", "- Ban Thi đua - Khen thưởng Trung ương.",
		"01 tập thể và 02 cá nhân", "xem xét, quyết định./.",
		"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lê Văn Lương",
		"(Kèm theo Tờ trình số 45/TTr-UBND ngày 20/01/2027 của UBND tỉnh)",
		"Trường Phổ thông Dân tộc nội trú THPT tỉnh Lai Châu", "Huân chương Lao động hạng Ba",
		"1 Lò Văn Thắng", "2 Đặng Thị Ngọc Ánh",
	)
}

func TestMinutes(t *testing.T) {
	pdf, err := MinutesPDF(minutes())
	if err != nil {
		t.Fatal(err)
	}
	sample(t, "minutes.pdf", pdf)
	text := flat(readText(t, pdf))
	mustContain(t, text,
		"UBND TỈNH LAI CHÂU", "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG",
		"Số: 03/BB-HĐTĐKT", "BIÊN BẢN",
		"Thời gian bắt đầu: 08 giờ 00 phút, ngày 08 tháng 01 năm 2027.",
		"Địa điểm: Phòng họp số 1",
		"Hội đồng có 09 thành viên; có mặt và bỏ phiếu: 07 thành viên; vắng mặt có ý kiến bằng văn bản: 01 thành viên; vắng mặt không có ý kiến: 01 thành viên.",
		"1. Lê Văn Lương, Chủ tịch UBND tỉnh, Chủ tịch Hội đồng;",
		"Hoàng Văn Quyết", "Trần Đức Mạnh",
		"Đồng ý", "Không đồng ý", "Không biểu quyết", "Số phiếu cần đạt", "Kết quả",
		"Lò Văn Thắng", "Đặng Thị Ngọc Ánh", "Đề nghị: Chiến sĩ thi đua cấp tỉnh",
		"5 2 1 8 Không đạt", "7 1 0 7 Đạt",
		"Tổng hợp: 03 hồ sơ đạt, 01 hồ sơ không đạt.",
		"Phiên họp kết thúc vào 11 giờ 30 phút cùng ngày./.",
		"THƯ KÝ", "CHỦ TỊCH HỘI ĐỒNG", "Nguyễn Thị Hương",
	)
	if strings.Contains(text, "Lai Châu, ngày") {
		t.Error("the minutes carry a place and date line, which the biên bản form does not")
	}
}

func TestInvalidInput(t *testing.T) {
	cases := []struct {
		name  string
		err   func() error
		wants []string
	}{
		{"decision without number or awardees", func() error {
			d := decision()
			d.Number, d.Awardees = " ", nil
			return RenderDecision(new(bytes.Buffer), d)
		}, []string{"number is empty", "Awardees is empty"}},
		{"decision numbered as a proposal", func() error {
			d := decision()
			d.Number = "12/TTr-UBND"
			return RenderDecision(new(bytes.Buffer), d)
		}, []string{`number "12/TTr-UBND": the symbol of a decision starts with QĐ-`}},
		{"decision number without symbol", func() error {
			d := decision()
			d.Number = "mười hai"
			return RenderDecision(new(bytes.Buffer), d)
		}, []string{"is not of the form N/QĐ-…"}},
		{"decision without date, signer or articles", func() error {
			d := decision()
			d.Date, d.Signer.Name, d.Articles = time.Time{}, "", []string{" "}
			return RenderDecision(new(bytes.Buffer), d)
		}, []string{"Date is not set", "Signer.Name is empty", "Articles is empty"}},
		{"awardee who cannot be printed", func() error {
			d := decision()
			d.Awardees[4].Name = "Nguyễn Thị Hương 🏅"
			d.Awardees[5].Award = ""
			return RenderDecision(new(bytes.Buffer), d)
		}, []string{"Awardees[4].Name: character '🏅' (U+1F3C5) cannot be printed", "Awardees[5].Award is empty"}},
		{"proposal without addressee", func() error {
			p := proposal()
			p.To = nil
			return RenderProposal(new(bytes.Buffer), p)
		}, []string{"To is empty"}},
		{"minutes whose tally disagrees", func() error {
			m := minutes()
			m.Dossiers[1].Passed = false
			m.Dossiers[2].Yes = 9
			return RenderMinutes(new(bytes.Buffer), m)
		}, []string{"Dossiers[1]: result Không đạt disagrees with 7 yes votes of 7 required",
			"Dossiers[2]: 9 votes counted but only 8 members voted"}},
		{"minutes without ballots", func() error {
			m := minutes()
			m.Present, m.Dossiers = nil, nil
			return RenderMinutes(new(bytes.Buffer), m)
		}, []string{"Present is empty", "Dossiers is empty"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			for _, want := range c.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
	// Nothing is written for an invalid document.
	var out bytes.Buffer
	d := decision()
	d.Number = ""
	if err := RenderDecision(&out, d); err == nil || out.Len() > 0 {
		t.Errorf("err = %v, %d bytes written", err, out.Len())
	}
}

func TestInputIsNotModified(t *testing.T) {
	d := decision()
	nfd := d.Awardees[4].Name
	d.Bases[0] = "  Căn cứ   Luật Tổ chức chính quyền địa phương  "
	if _, err := DecisionPDF(d); err != nil {
		t.Fatal(err)
	}
	if d.Awardees[4].Name != nfd || d.Bases[0] != "  Căn cứ   Luật Tổ chức chính quyền địa phương  " {
		t.Error("rendering changed the caller's slices")
	}
}

func TestNumberGainsLeadingZero(t *testing.T) {
	d := decision()
	d.Number = "5/QĐ-UBND"
	pdf, err := DecisionPDF(d)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, flat(readText(t, pdf)), "Số: 05/QĐ-UBND", "Quyết định số 05/QĐ-UBND ngày 15/01/2027")
}

func TestFormatDate(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2027, 1, 5, 0, 0, 0, 0, vietnam), "ngày 05 tháng 01 năm 2027"},
		{time.Date(2027, 2, 28, 0, 0, 0, 0, vietnam), "ngày 28 tháng 02 năm 2027"},
		{time.Date(2027, 3, 9, 0, 0, 0, 0, vietnam), "ngày 09 tháng 3 năm 2027"},
		{time.Date(2027, 12, 25, 0, 0, 0, 0, vietnam), "ngày 25 tháng 12 năm 2027"},
		// An instant is dated in Vietnam time.
		{time.Date(2027, 1, 14, 20, 0, 0, 0, time.UTC), "ngày 15 tháng 01 năm 2027"},
	} {
		if got := FormatDate(c.t); got != c.want {
			t.Errorf("FormatDate(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestCountAwardees(t *testing.T) {
	as := awardees()
	if got := CountAwardees(as); got != "03 tập thể và 07 cá nhân" {
		t.Errorf("CountAwardees = %q", got)
	}
	if got := CountAwardees(as[3:]); got != "07 cá nhân" {
		t.Errorf("CountAwardees(individuals) = %q", got)
	}
	if got := CountAwardees(as[:3]); got != "03 tập thể" {
		t.Errorf("CountAwardees(collectives) = %q", got)
	}
}

func TestLongDecisionIsNumberedFromItsSecondPage(t *testing.T) {
	d := decision()
	for i := range 25 {
		d.Bases = append(d.Bases, fmt.Sprintf("Căn cứ Quyết định số %d/QĐ-UBND của Ủy ban nhân dân tỉnh Lai Châu về việc ban hành Quy chế thi đua, khen thưởng", i+100))
	}
	pdf, err := DecisionPDF(d)
	if err != nil {
		t.Fatal(err)
	}
	pages := readText(t, pdf)
	list := len(pages) - 1
	if list < 2 || !strings.HasPrefix(pages[list], "DANH SÁCH") {
		t.Fatalf("%d pages, the last not the list", len(pages))
	}
	if strings.HasPrefix(pages[0], "1\n") {
		t.Error("the first page shows its number")
	}
	for i := 1; i < list; i++ {
		if want := fmt.Sprintf("%d\n", i+1); !strings.HasPrefix(pages[i], want) {
			t.Errorf("page %d starts %.10q", i+1, pages[i])
		}
	}
	mustContain(t, flat(pages[list-1:list]), "Hà Trọng Hải", "Nơi nhận:")
}

func TestOneAddressee(t *testing.T) {
	p := proposal()
	p.To = []string{"Thủ tướng Chính phủ."}
	pdf, err := ProposalPDF(p)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, flat(readText(t, pdf)), "Kính gửi: Thủ tướng Chính phủ.")
}

// A cell taller than a page is split across pages rather than lost, and a
// word wider than its column is cut.
func TestRowTallerThanAPage(t *testing.T) {
	d := decision()
	long := strings.Repeat("Chuyên viên Phòng Văn hóa - Xã hội xã Bum Nưa, ", 120) + "hết."
	d.Awardees[3].Position = long
	d.Awardees[4].Name = "Nguyễn​Thị​Hương​Giàng​A​Phử​Lò​Văn​Thắng" // zero-width spaces only
	pdf, err := DecisionPDF(d)
	if err != nil {
		t.Fatal(err)
	}
	pages := readText(t, pdf)
	if len(pages) < 4 {
		t.Fatalf("%d pages", len(pages))
	}
	text := flat(pages)
	// A page break inside the row puts the page number and the heading row
	// between two of its lines, which may split one repetition.
	if n := strings.Count(text, "xã Bum Nưa,"); n < 120-(len(pages)-2) {
		t.Errorf("the long cell reads back %d of 120 repetitions", n)
	}
	mustContain(t, text, "hết.", "Lường Văn Ngọc", "NguyễnThịHương")
}

func TestConcurrentRendering(t *testing.T) {
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := DecisionPDF(decision())
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
