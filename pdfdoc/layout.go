package pdfdoc

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Page geometry of Phụ lục I, in millimetres: A4 portrait, top and bottom
// margins 20–25, left 30–35, right 15–20.
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginTop    = 20.0
	marginBottom = 20.0
	marginLeft   = 30.0
	marginRight  = 15.0
	textWidth    = pageWidth - marginLeft - marginRight
	pageBottom   = pageHeight - marginBottom

	// The heading is two columns: the issuer on the left, quốc hiệu and the
	// date on the right; the signature block is centred under the right one.
	leftColumn  = 68.0
	rightX      = marginLeft + leftColumn
	rightColumn = textWidth - leftColumn

	ptToMM = 25.4 / 72
)

// Type sizes in points: body 14, heading lines 13, nơi nhận 12 and 11 (Phụ
// lục I allows 13–14, 12–13 and 11–12).
const (
	bodySize      = 14.0
	headSize      = 13.0
	recipientHead = 12.0
	recipientSize = 11.0
	tableSize     = 13.0
)

// Line heights: a little over single spacing for the body (the decree allows
// single to 1.5 lines) and paragraphs at least 6 pt apart.
const (
	bodyLeading   = 6.3
	headLeading   = 5.6
	recipLeading  = 4.7
	paragraphGap  = 6 * ptToMM
	firstIndent   = 12.7
	signatureRoom = 26.0 // space for the handwritten signature and the seal
)

// style is an fpdf font style: "", "B", "I" or "BI".
type style = string

const (
	regular    style = ""
	bold       style = "B"
	italic     style = "I"
	boldItalic style = "BI"
)

// run is text in one style; a paragraph is a list of runs ("Điều 1." in bold,
// then the article in regular type).
type run struct {
	text  string
	style style
}

type word struct {
	text  string
	style style
	width float64
	space float64 // width of a space after the word, in its style
}

// line is a laid-out line: words and their natural width with single spaces.
type line struct {
	words []word
	width float64
}

// writer lays a document out on fpdf pages; it breaks pages itself, so fpdf's
// automatic page break stays off.
type writer struct {
	pdf *fpdf.Fpdf
	// partPage counts pages within the current part: the document, then each
	// annex, is numbered from 1 and its first page shows no number.
	partPage int
}

func newWriter(title, subject, author string, date time.Time) *writer {
	pdf := fpdf.New("P", "mm", "A4", "")
	for _, ff := range fontFiles {
		pdf.AddUTF8FontFromBytes(family, ff.style, ff.data)
	}
	pdf.SetMargins(marginLeft, marginTop, marginRight)
	pdf.SetAutoPageBreak(false, marginBottom)
	pdf.SetCellMargin(0)
	pdf.SetLineWidth(0.2)
	pdf.SetTitle(title, true)
	pdf.SetSubject(subject, true)
	pdf.SetAuthor(author, true)
	pdf.SetCreator("tdkt", true)
	pdf.SetLang("vi-VN")
	// A fixed creation date keeps the bytes of a document the same from one
	// rendering to the next.
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	return &writer{pdf: pdf}
}

func (w *writer) output(out io.Writer) error {
	if err := w.pdf.Error(); err != nil {
		return fmt.Errorf("pdfdoc: lay out: %w", err)
	}
	if err := w.pdf.Output(out); err != nil {
		return fmt.Errorf("pdfdoc: write: %w", err)
	}
	return nil
}

func (w *writer) y() float64     { return w.pdf.GetY() }
func (w *writer) setY(y float64) { w.pdf.SetY(y) }
func (w *writer) down(h float64) { w.pdf.SetY(w.pdf.GetY() + h) }

func (w *writer) font(s style, size float64) { w.pdf.SetFont(family, s, size) }

func (w *writer) width(s style, size float64, text string) float64 {
	w.font(s, size)
	return w.pdf.GetStringWidth(text)
}

// startPart begins the document or an annex on a new page, numbered from 1.
func (w *writer) startPart() {
	w.partPage = 0
	w.newPage()
}

// newPage adds a page; from the second page of a part on, its number is
// printed centred in the top margin (Phụ lục I: số trang ở giữa, phía trên).
func (w *writer) newPage() {
	w.pdf.AddPage()
	w.partPage++
	if w.partPage > 1 {
		w.font(regular, headSize)
		w.pdf.SetXY(marginLeft, 9)
		w.pdf.CellFormat(textWidth, 6, strconv.Itoa(w.partPage), "", 0, "C", false, 0, "")
	}
	w.setY(marginTop)
}

// ensure starts a new page unless h millimetres fit on this one.
func (w *writer) ensure(h float64) {
	if w.y()+h > pageBottom {
		w.newPage()
	}
}

// wrap breaks runs into lines: the first line at most first wide (less the
// first-line indent), the others at most rest wide. A word wider than a line
// is cut where it must be.
func (w *writer) wrap(runs []run, size, first, rest float64) []line {
	var words []word
	for _, r := range runs {
		space := w.width(r.style, size, " ")
		for _, t := range strings.Fields(r.text) {
			words = append(words, word{t, r.style, w.width(r.style, size, t), space})
		}
	}
	var lines []line
	var cur line
	limit := first
	const eps = 0.01
	for i := 0; i < len(words); i++ {
		wd := words[i]
		add := wd.width
		if n := len(cur.words); n > 0 {
			add += cur.words[n-1].space
		}
		if cur.width+add <= limit+eps {
			cur.words = append(cur.words, wd)
			cur.width += add
			continue
		}
		if len(cur.words) > 0 {
			lines = append(lines, cur)
			cur, limit = line{}, rest
			i--
			continue
		}
		// A word alone that does not fit: cut it at the last rune that fits.
		head, tail := w.cut(wd, size, limit)
		lines = append(lines, line{words: []word{head}, width: head.width})
		limit = rest
		words[i] = tail
		i--
	}
	if len(cur.words) > 0 {
		lines = append(lines, cur)
	}
	return lines
}

func (w *writer) cut(wd word, size, limit float64) (head, tail word) {
	rs := []rune(wd.text)
	n := 1
	for n < len(rs) && w.width(wd.style, size, string(rs[:n+1])) <= limit {
		n++
	}
	head = wd
	head.text = string(rs[:n])
	head.width = w.width(wd.style, size, head.text)
	tail = wd
	tail.text = string(rs[n:])
	tail.width = w.width(wd.style, size, tail.text)
	return head, tail
}

// drawLine sets one line at (x, y) within width avail. align is "L", "C", "R"
// or "J" (justified: the spaces stretch so that the line fills avail).
// Consecutive words in one style are set as one piece of text, so that the
// text reads back as written.
func (w *writer) drawLine(ln line, x, y, avail, size, leading float64, align string) {
	extra := 0.0
	switch align {
	case "C":
		x += (avail - ln.width) / 2
	case "R":
		x += avail - ln.width
	case "J":
		if len(ln.words) > 1 {
			extra = (avail - ln.width) / float64(len(ln.words)-1)
		}
	}
	for i := 0; i < len(ln.words); {
		j := i + 1
		for j < len(ln.words) && ln.words[j].style == ln.words[i].style {
			j++
		}
		seg := ln.words[i:j]
		texts := make([]string, len(seg))
		natural := 0.0
		for k, wd := range seg {
			texts[k] = wd.text
			natural += wd.width
			if k > 0 {
				natural += seg[k-1].space
			}
		}
		segWidth := natural + float64(len(seg)-1)*extra
		cellAlign := "L"
		if extra != 0 && len(seg) > 1 {
			cellAlign = "J"
		}
		w.font(seg[0].style, size)
		w.pdf.SetXY(x, y)
		w.pdf.CellFormat(segWidth, leading, strings.Join(texts, " "), "", 0, cellAlign, false, 0, "")
		x += segWidth
		if j < len(ln.words) {
			x += seg[len(seg)-1].space + extra
		}
		i = j
	}
}

// para describes how a paragraph is set.
type para struct {
	size    float64
	leading float64
	indent  float64 // first-line indent
	align   string  // "J" justifies all lines but the last, which is set left
	x       float64
	width   float64
	before  float64 // space above
}

// body is a justified body paragraph with its first line indented.
func body() para {
	return para{size: bodySize, leading: bodyLeading, indent: firstIndent, align: "J",
		x: marginLeft, width: textWidth, before: paragraphGap}
}

// centred is a centred block of lines across the text width.
func centred(size float64) para {
	return para{size: size, leading: bodyLeading, align: "C", x: marginLeft, width: textWidth}
}

// paragraph sets runs as one paragraph from the current position down,
// breaking pages between lines, and returns the widest line's width.
func (w *writer) paragraph(p para, runs ...run) float64 {
	if w.partPage > 0 && w.y() > marginTop {
		w.down(p.before)
	}
	lines := w.wrap(runs, p.size, p.width-p.indent, p.width)
	if p.align == "C" && len(lines) > 1 {
		lines = w.balance(runs, p.size, p.width, len(lines))
	}
	widest := 0.0
	for i, ln := range lines {
		w.ensure(p.leading)
		x, avail := p.x, p.width
		if i == 0 {
			x += p.indent
			avail -= p.indent
		}
		align := p.align
		if align == "J" && i == len(lines)-1 {
			align = "L"
		}
		w.drawLine(ln, x, w.y(), avail, p.size, p.leading, align)
		w.down(p.leading)
		widest = max(widest, ln.width)
	}
	return widest
}

// balance wraps a centred paragraph into n lines of even length, the way a
// typist breaks a title, rather than leaving one word alone on the last line.
func (w *writer) balance(runs []run, size, width float64, n int) []line {
	lo, hi := width/float64(n)*0.8, width
	for range 16 {
		mid := (lo + hi) / 2
		if len(w.wrap(runs, size, mid, mid)) <= n {
			hi = mid
		} else {
			lo = mid
		}
	}
	return w.wrap(runs, size, hi, hi)
}

// rule draws a horizontal line of the given length centred on cx, just below
// the current position.
func (w *writer) rule(cx, length, y float64) {
	w.pdf.SetLineWidth(0.3)
	w.pdf.Line(cx-length/2, y, cx+length/2, y)
	w.pdf.SetLineWidth(0.2)
}
