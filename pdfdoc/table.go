package pdfdoc

import (
	"strconv"
)

// column is a table column: its heading, width in millimetres and alignment.
type column struct {
	heading string
	width   float64
	align   string // "L", "C" or "R"
}

// row is a table row: a cell per column, each cell one or more paragraphs; or,
// when section is set, a heading row that spans every column.
type row struct {
	cells   [][]run
	section string
}

const (
	cellPadX = 1.5
	cellPadY = 1.2
)

var awardeeColumns = []column{
	{"STT", 12, "C"},
	{"Họ và tên / Tên tập thể", 50, "L"},
	{"Chức vụ, đơn vị", 63, "L"},
	{"Hình thức khen thưởng", 40, "L"},
}

// awardeeRows lists collectives, then individuals, each group under its own
// heading and numbered from 1, when the list has both; otherwise one run of
// numbered rows.
func awardeeRows(list []Awardee) []row {
	var collectives, individuals []Awardee
	for _, a := range list {
		if a.Collective {
			collectives = append(collectives, a)
		} else {
			individuals = append(individuals, a)
		}
	}
	numbered := func(as []Awardee) []row {
		rows := make([]row, len(as))
		for i, a := range as {
			rows[i] = row{cells: [][]run{
				{{strconv.Itoa(i + 1), regular}},
				{{a.Name, regular}},
				{{a.Position, regular}},
				{{a.Award, regular}},
			}}
		}
		return rows
	}
	if len(collectives) == 0 || len(individuals) == 0 {
		return numbered(list)
	}
	rows := []row{{section: "I. TẬP THỂ (" + count(len(collectives), "tập thể") + ")"}}
	rows = append(rows, numbered(collectives)...)
	rows = append(rows, row{section: "II. CÁ NHÂN (" + count(len(individuals), "cá nhân") + ")"})
	return append(rows, numbered(individuals)...)
}

// table sets a ruled table from the current position. Cell text wraps within
// its column; a row that does not fit on the page moves to the next one, and
// the heading row is repeated on every page the table reaches. A row taller
// than a whole page is split between pages.
func (w *writer) table(cols []column, rows []row, size float64) {
	leading := size * ptToMM * 1.2
	var total float64
	for _, c := range cols {
		total += c.width
	}
	x0 := marginLeft + (textWidth-total)/2

	wrapCell := func(c column, cell []run) [][]line {
		// Each run of a cell is its own paragraph.
		var out [][]line
		for _, r := range cell {
			out = append(out, w.wrap([]run{r}, size, c.width-2*cellPadX, c.width-2*cellPadX))
		}
		return out
	}
	flatten := func(pp [][]line) []line {
		var out []line
		for _, p := range pp {
			out = append(out, p...)
		}
		return out
	}

	heading := make([][]line, len(cols))
	headingLines := 0
	for i, c := range cols {
		heading[i] = w.wrap([]run{{c.heading, bold}}, size, c.width-2*cellPadX, c.width-2*cellPadX)
		headingLines = max(headingLines, len(heading[i]))
	}
	headingHeight := float64(headingLines)*leading + 2*cellPadY

	// drawCells draws one band of a row: lines [from, to) of each cell,
	// vertically centred in a band of n lines.
	drawCells := func(cells [][]line, from, to int, bandLines int, aligns []string) {
		y := w.y()
		h := float64(bandLines)*leading + 2*cellPadY
		x := x0
		for i, c := range cols {
			w.pdf.Rect(x, y, c.width, h, "D")
			var part []line
			if from < len(cells[i]) {
				part = cells[i][from:min(to, len(cells[i]))]
			}
			ty := y + cellPadY + (float64(bandLines-len(part))*leading)/2
			for _, ln := range part {
				w.drawLine(ln, x+cellPadX, ty, c.width-2*cellPadX, size, leading, aligns[i])
				ty += leading
			}
			x += c.width
		}
		w.setY(y + h)
	}
	headAligns := make([]string, len(cols))
	aligns := make([]string, len(cols))
	for i, c := range cols {
		headAligns[i] = "C"
		aligns[i] = c.align
	}
	drawHeading := func() {
		drawCells(heading, 0, headingLines, headingLines, headAligns)
	}
	// fits says how many lines of a band fit between here and the bottom.
	fits := func() int { return int((pageBottom - w.y() - 2*cellPadY) / leading) }
	pageCapacity := int((pageBottom - marginTop - headingHeight - 2*cellPadY) / leading)
	newPage := func() {
		w.newPage()
		drawHeading()
	}

	// The heading row must not be alone at the bottom of a page.
	if w.y()+headingHeight+leading+2*cellPadY > pageBottom {
		w.newPage()
	}
	drawHeading()
	topOfPage := w.y()

	for _, r := range rows {
		if r.section != "" {
			// A section heading keeps with the first line of the next row.
			if fits() < 2 {
				newPage()
				topOfPage = w.y()
			}
			y := w.y()
			h := leading + 2*cellPadY
			w.pdf.Rect(x0, y, total, h, "D")
			ln := w.wrap([]run{{r.section, bold}}, size, total-2*cellPadX, total-2*cellPadX)
			w.drawLine(ln[0], x0+cellPadX, y+cellPadY, total-2*cellPadX, size, leading, "L")
			w.setY(y + h)
			continue
		}
		cells := make([][]line, len(cols))
		n := 0
		for i, c := range cols {
			cells[i] = flatten(wrapCell(c, r.cells[i]))
			n = max(n, len(cells[i]))
		}
		n = max(n, 1)
		for from := 0; from < n; {
			left := n - from
			fit := fits()
			if fit >= left {
				drawCells(cells, from, n, left, aligns)
				break
			}
			atTop := w.y() <= topOfPage+0.01
			if !atTop && (fit < 1 || (from == 0 && left <= pageCapacity)) {
				newPage()
				topOfPage = w.y()
				continue
			}
			fit = max(fit, 1) // a page that holds no line still takes one, so the loop ends
			drawCells(cells, from, from+fit, fit, aligns)
			from += fit
			newPage()
			topOfPage = w.y()
		}
	}
}
