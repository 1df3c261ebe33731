package pdfdoc

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// RenderProposal writes the proposal (tờ trình) as PDF, with its annexed list
// of nominees on a new page. An incomplete proposal gives an error wrapping
// ErrInvalid and writes nothing.
func RenderProposal(out io.Writer, p Proposal) error {
	c := checker{doc: "proposal"}
	c.issuer(&p.Issuer, ProvincialCommittee)
	c.text("Place", &p.Place, false)
	if p.Place == "" {
		p.Place = DefaultPlace
	}
	c.number(&p.Number, "TTr")
	c.date("Date", p.Date)
	c.text("Summary", &p.Summary, true)
	c.lines("To", &p.To, 1)
	c.lines("Body", &p.Body, 1)
	c.lines("Recipients", &p.Recipients, 1)
	c.signer("Signer", &p.Signer)
	c.text("AnnexTitle", &p.AnnexTitle, false)
	if p.AnnexTitle == "" {
		p.AnnexTitle = "Tập thể, cá nhân được đề nghị khen thưởng"
	}
	c.text("IssuedBy", &p.IssuedBy, false)
	if p.IssuedBy == "" {
		p.IssuedBy = "UBND tỉnh"
	}
	c.awardees("Nominees", &p.Nominees)
	if err := c.err(); err != nil {
		return err
	}

	w := newWriter("Tờ trình số "+p.Number, p.Summary, strings.Join(p.Issuer.Name, " "), p.Date)
	w.startPart()
	w.heading(p.Issuer, p.Number, p.Place+", "+FormatDate(p.Date))
	w.title("TỜ TRÌNH", p.Summary)
	w.addressees(p.To)
	w.down(2)
	for i, b := range p.Body {
		if i == len(p.Body)-1 {
			b = closing(b)
		}
		w.paragraph(body(), run{b, regular})
	}
	w.closingBlocks(p.Recipients, p.Signer)

	w.annex(p.AnnexTitle,
		fmt.Sprintf("Kèm theo Tờ trình số %s ngày %s của %s", p.Number, shortDate(p.Date), p.IssuedBy),
		p.Nominees)
	return w.output(out)
}

// ProposalPDF is RenderProposal into a byte slice.
func ProposalPDF(p Proposal) ([]byte, error) {
	var b bytes.Buffer
	if err := RenderProposal(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
