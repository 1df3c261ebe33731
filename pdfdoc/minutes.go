package pdfdoc

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

var tallyColumns = []column{
	{"STT", 12, "C"},
	{"Tập thể, cá nhân được đề nghị", 60, "L"},
	{"Đồng ý", 16, "C"},
	{"Không đồng ý", 18, "C"},
	{"Không biểu quyết", 20, "C"},
	{"Số phiếu cần đạt", 19, "C"},
	{"Kết quả", 20, "C"},
}

// RenderMinutes writes the minutes of a council session as PDF, following
// the biên bản form of Decree 30: time, place, chair, secretary and
// attendance, then each dossier's tally in a table, then the signatures of
// the secretary and the chair. Tallies are counts: the minutes cannot say who
// voted how. Incomplete or inconsistent minutes give an error wrapping
// ErrInvalid and write nothing.
func RenderMinutes(out io.Writer, m Minutes) error {
	c := checker{doc: "minutes"}
	c.issuer(&m.Issuer, ProvincialCouncil)
	c.number(&m.Number, "BB")
	c.text("Title", &m.Title, true)
	c.date("Start", m.Start)
	if !m.End.IsZero() && m.End.Before(m.Start) {
		c.addf("End %s is before Start %s", m.End.Format("2006-01-02 15:04"), m.Start.Format("2006-01-02 15:04"))
	}
	c.text("Venue", &m.Venue, true)
	c.member("Chair", &m.Chair, true)
	c.text("ChairTitle", &m.ChairTitle, false)
	if m.ChairTitle == "" {
		m.ChairTitle = "CHỦ TỊCH HỘI ĐỒNG"
	}
	c.member("Secretary", &m.Secretary, true)
	c.members("Present", &m.Present)
	c.members("WrittenOpinions", &m.WrittenOpinions)
	c.members("Absent", &m.Absent)
	if len(m.Present) == 0 {
		c.addf("Present is empty: nobody cast a ballot")
	}
	c.lines("Content", &m.Content, 0)
	c.lines("Recipients", &m.Recipients, 0)
	members := len(m.Present) + len(m.WrittenOpinions) + len(m.Absent)
	voters := len(m.Present) + len(m.WrittenOpinions)
	tallies := make([]Tally, len(m.Dossiers))
	copy(tallies, m.Dossiers)
	m.Dossiers = tallies
	for i := range tallies {
		t := &tallies[i]
		f := fmt.Sprintf("Dossiers[%d]", i)
		c.text(f+".Nominee", &t.Nominee, true)
		c.text(f+".Unit", &t.Unit, false)
		c.text(f+".Award", &t.Award, true)
		switch {
		case t.Yes < 0 || t.No < 0 || t.Abstain < 0:
			c.addf("%s: a count is negative", f)
		case t.Yes+t.No+t.Abstain > voters:
			c.addf("%s: %d votes counted but only %d members voted", f, t.Yes+t.No+t.Abstain, voters)
		}
		if t.Required < 1 || t.Required > members {
			c.addf("%s: %d votes required, not between 1 and the %d members", f, t.Required, members)
		}
		if t.Passed != (t.Yes >= t.Required) {
			c.addf("%s: result %s disagrees with %d yes votes of %d required", f, result(t.Passed), t.Yes, t.Required)
		}
	}
	if len(tallies) == 0 {
		c.addf("Dossiers is empty: the session voted on nothing")
	}
	if err := c.err(); err != nil {
		return err
	}

	w := newWriter("Biên bản số "+m.Number, m.Title, strings.Join(m.Issuer.Name, " "), m.Start)
	w.startPart()
	w.heading(m.Issuer, m.Number, "")
	w.title("BIÊN BẢN", m.Title)

	text := func(s string) { w.paragraph(body(), run{s, regular}) }
	labelled := func(label, s string) { w.paragraph(body(), run{label, bold}, run{s, regular}) }
	who := func(p Member) string {
		if p.Role == "" {
			return p.Name
		}
		return p.Name + ", " + p.Role
	}
	list := func(label string, ms []Member) {
		if len(ms) == 0 {
			return
		}
		text(label)
		items := make([]string, len(ms))
		for i, p := range ms {
			items[i] = strconv.Itoa(i+1) + ". " + who(p)
		}
		for _, it := range punctuate(items, ";", ".") {
			w.paragraph(para{size: bodySize, leading: bodyLeading, indent: firstIndent, align: "J",
				x: marginLeft, width: textWidth}, run{it, regular})
		}
	}

	labelled("Thời gian bắt đầu:", clock(m.Start)+", "+FormatDate(m.Start)+".")
	labelled("Địa điểm:", strings.TrimRight(m.Venue, ".")+".")
	labelled("Chủ trì:", who(m.Chair)+".")
	labelled("Thư ký:", who(m.Secretary)+".")
	labelled("Thành phần tham dự:", fmt.Sprintf(
		"Hội đồng có %s; có mặt và bỏ phiếu: %s; vắng mặt có ý kiến bằng văn bản: %s; vắng mặt không có ý kiến: %s.",
		count(members, "thành viên"), count(len(m.Present), "thành viên"),
		count(len(m.WrittenOpinions), "thành viên"), count(len(m.Absent), "thành viên")))
	list("Thành viên có mặt và bỏ phiếu:", m.Present)
	list("Thành viên vắng mặt có ý kiến bằng văn bản:", m.WrittenOpinions)
	list("Thành viên vắng mặt:", m.Absent)
	if len(m.Content) > 0 {
		labelled("Nội dung:", "")
		for _, p := range m.Content {
			text(p)
		}
	}
	// The sentence that introduces the table stays with its heading and first
	// row.
	w.ensure(paragraphGap + 2*bodyLeading + 40)
	labelled("Kết quả biểu quyết:", fmt.Sprintf(
		"Hội đồng biểu quyết bằng phiếu kín đối với %s đề nghị khen thưởng, kết quả như sau:",
		count(len(tallies), "hồ sơ")))
	w.down(paragraphGap)
	rows := make([]row, len(tallies))
	passed := 0
	for i, t := range tallies {
		if t.Passed {
			passed++
		}
		nominee := []run{{t.Nominee, bold}}
		if t.Unit != "" {
			nominee = append(nominee, run{t.Unit, regular})
		}
		nominee = append(nominee, run{"Đề nghị: " + t.Award, italic})
		rows[i] = row{cells: [][]run{
			{{strconv.Itoa(i + 1), regular}},
			nominee,
			{{strconv.Itoa(t.Yes), regular}},
			{{strconv.Itoa(t.No), regular}},
			{{strconv.Itoa(t.Abstain), regular}},
			{{strconv.Itoa(t.Required), regular}},
			{{result(t.Passed), bold}},
		}}
	}
	w.table(tallyColumns, rows, 12)
	w.down(2)
	summary := fmt.Sprintf("Tổng hợp: %s đạt, %s không đạt.",
		count(passed, "hồ sơ"), count(len(tallies)-passed, "hồ sơ"))
	if m.End.IsZero() {
		text(closing(summary))
	} else {
		text(summary)
		end := "Phiên họp kết thúc vào " + clock(m.End)
		if FormatDate(m.End) == FormatDate(m.Start) {
			end += " cùng ngày"
		} else {
			end += ", " + FormatDate(m.End)
		}
		text(closing(end))
	}

	w.sideBySide(
		w.signature(Signer{Title: []string{"THƯ KÝ"}, Name: m.Secretary.Name}, marginLeft+leftColumn/2, leftColumn),
		w.signature(Signer{Title: []string{m.ChairTitle}, Name: m.Chair.Name}, rightX+rightColumn/2, rightColumn))
	if len(m.Recipients) > 0 {
		w.down(4)
		b := w.recipients(m.Recipients, leftColumn+12)
		w.ensure(b.height)
		b.draw(w.y())
	}
	return w.output(out)
}

func result(passed bool) string {
	if passed {
		return "Đạt"
	}
	return "Không đạt"
}

// MinutesPDF is RenderMinutes into a byte slice.
func MinutesPDF(m Minutes) ([]byte, error) {
	var b bytes.Buffer
	if err := RenderMinutes(&b, m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
