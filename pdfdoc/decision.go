package pdfdoc

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// RenderDecision writes the decision as PDF: the decision itself, then its
// annexed list on a new page. It returns an error wrapping ErrInvalid, naming
// every problem, when the decision is incomplete; nothing is written then.
func RenderDecision(out io.Writer, d Decision) error {
	c := checker{doc: "decision"}
	c.issuer(&d.Issuer, ProvincialCommittee)
	c.text("Place", &d.Place, false)
	if d.Place == "" {
		d.Place = DefaultPlace
	}
	c.number(&d.Number, "QĐ")
	c.date("Date", d.Date)
	c.text("Summary", &d.Summary, true)
	c.text("Authority", &d.Authority, true)
	c.lines("Bases", &d.Bases, 1)
	c.lines("Articles", &d.Articles, 1)
	c.lines("Recipients", &d.Recipients, 1)
	c.signer("Signer", &d.Signer)
	c.text("AnnexTitle", &d.AnnexTitle, false)
	if d.AnnexTitle == "" {
		d.AnnexTitle = "Tập thể, cá nhân được khen thưởng"
	}
	c.text("IssuedBy", &d.IssuedBy, false)
	if d.IssuedBy == "" {
		d.IssuedBy = "Chủ tịch UBND tỉnh"
	}
	c.awardees("Awardees", &d.Awardees)
	if err := c.err(); err != nil {
		return err
	}

	w := newWriter("Quyết định số "+d.Number, d.Summary, strings.Join(d.Issuer.Name, " "), d.Date)
	w.startPart()
	w.heading(d.Issuer, d.Number, d.Place+", "+FormatDate(d.Date))
	w.title("QUYẾT ĐỊNH", d.Summary)
	w.paragraph(centred(bodySize), run{strings.ToUpper(d.Authority), bold})
	w.down(2)
	for _, b := range punctuate(d.Bases, ";", ".") {
		w.paragraph(body(), run{b, italic})
	}
	w.down(paragraphGap)
	w.ensure(3 * bodyLeading) // "QUYẾT ĐỊNH:" keeps with Điều 1
	w.paragraph(centred(bodySize), run{"QUYẾT ĐỊNH:", bold})
	for i, a := range d.Articles {
		if i == len(d.Articles)-1 {
			a = closing(a)
		}
		w.paragraph(body(), run{fmt.Sprintf("Điều %d.", i+1), bold}, run{a, regular})
	}
	w.closingBlocks(d.Recipients, d.Signer)

	w.annex(d.AnnexTitle,
		fmt.Sprintf("Kèm theo Quyết định số %s ngày %s của %s", d.Number, shortDate(d.Date), d.IssuedBy),
		d.Awardees)
	return w.output(out)
}

// DecisionPDF is RenderDecision into a byte slice.
func DecisionPDF(d Decision) ([]byte, error) {
	var b bytes.Buffer
	if err := RenderDecision(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
