package pdfdoc

import (
	"strings"
)

const (
	nationalName  = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	nationalMotto = "Độc lập - Tự do - Hạnh phúc"
)

// heading sets the top of the first page (ô 1 to 4): the issuer and the
// number on the left; quốc hiệu, tiêu ngữ and, when dateLine is not empty,
// the place and date on the right, on the line of the number.
func (w *writer) heading(is Issuer, number, dateLine string) {
	top := marginTop
	leftCX := marginLeft + leftColumn/2
	rightCX := rightX + rightColumn/2

	// Left: the parent body in regular capitals, the issuer in bold, a short
	// rule under it (a third to a half of the name's width).
	w.setY(top)
	var nameWidth float64
	if is.Parent != "" {
		w.paragraph(para{size: headSize, leading: headLeading, align: "C", x: marginLeft, width: leftColumn},
			run{is.Parent, regular})
	}
	for _, n := range is.Name {
		nameWidth = max(nameWidth, w.paragraph(
			para{size: headSize, leading: headLeading, align: "C", x: marginLeft, width: leftColumn},
			run{n, bold}))
	}
	leftEnd := w.y()
	w.rule(leftCX, nameWidth*0.4, leftEnd+1.2)

	// Right: quốc hiệu in bold capitals, tiêu ngữ in bold under it with a rule
	// as long as the motto.
	w.setY(top)
	size := headSize
	if w.width(bold, size, nationalName) > rightColumn {
		size = 12
	}
	w.paragraph(para{size: size, leading: headLeading, align: "C", x: rightX, width: rightColumn},
		run{nationalName, bold})
	mottoWidth := w.paragraph(para{size: bodySize, leading: headLeading, align: "C", x: rightX, width: rightColumn},
		run{nationalMotto, bold})
	rightEnd := w.y()
	w.rule(rightCX, mottoWidth, rightEnd+1.2)

	// The number and the date share a line below both rules.
	row := max(leftEnd, rightEnd) + 4.5
	w.setY(row)
	w.paragraph(para{size: headSize, leading: bodyLeading, align: "C", x: marginLeft, width: leftColumn},
		run{"Số: " + number, regular})
	end := w.y()
	if dateLine != "" {
		w.setY(row)
		w.paragraph(para{size: bodySize, leading: bodyLeading, align: "C", x: rightX, width: rightColumn},
			run{dateLine, italic})
		end = max(end, w.y())
	}
	w.setY(end + 8)
}

// title sets the document type (tên loại, ô 5a) and its summary (trích yếu,
// ô 5b) centred in bold, with a short rule under them.
func (w *writer) title(kind, summary string) {
	w.paragraph(centred(bodySize), run{kind, bold})
	widest := w.paragraph(para{size: bodySize, leading: bodyLeading, align: "C",
		x: marginLeft + 10, width: textWidth - 20}, run{summary, bold})
	length := max(25, widest/3)
	w.rule(marginLeft+textWidth/2, length, w.y()+1.2)
	w.down(6)
}

// addressees sets the "Kính gửi:" line of a proposal: one addressee on a
// centred line; several as a dashed list beside the label.
func (w *writer) addressees(to []string) {
	label := "Kính gửi:"
	w.down(paragraphGap)
	if len(to) == 1 {
		w.paragraph(centred(bodySize), run{label + " " + punctuate(to, ";", ".")[0], regular})
		return
	}
	items := punctuate(to, ";", ".")
	labelWidth := w.width(regular, bodySize, label) + 3
	listWidth := 0.0
	for _, it := range items {
		listWidth = max(listWidth, w.width(regular, bodySize, "- "+it))
	}
	listWidth = min(listWidth+1, textWidth-labelWidth-20)
	x := marginLeft + (textWidth-labelWidth-listWidth)/2
	w.ensure(bodyLeading * float64(len(items)))
	y := w.y()
	w.drawLine(w.wrap([]run{{label, regular}}, bodySize, labelWidth, labelWidth)[0],
		x, y, labelWidth, bodySize, bodyLeading, "L")
	for _, it := range items {
		w.paragraph(para{size: bodySize, leading: bodyLeading, align: "L",
			x: x + labelWidth, width: listWidth}, run{"- " + it, regular})
	}
}

// block is something laid out beside another block: measured first, so that
// the pair can be kept on one page, then drawn.
type block struct {
	height float64
	draw   func(top float64)
}

// signature lays out a signature block (ô 7) centred on cx: title lines in
// bold capitals, room for the signature and seal, the name in bold.
func (w *writer) signature(s Signer, cx, width float64) block {
	p := para{size: bodySize, leading: bodyLeading, align: "C", x: cx - width/2, width: width}
	lines := 0
	for _, t := range s.Title {
		lines += len(w.wrap([]run{{strings.ToUpper(t), bold}}, bodySize, width, width))
	}
	nameLines := len(w.wrap([]run{{s.Name, bold}}, bodySize, width, width))
	return block{
		height: float64(lines+nameLines)*bodyLeading + signatureRoom,
		draw: func(top float64) {
			w.setY(top)
			for _, t := range s.Title {
				w.paragraph(p, run{strings.ToUpper(t), bold})
			}
			w.down(signatureRoom)
			w.paragraph(p, run{s.Name, bold})
		},
	}
}

// recipients lays out the nơi nhận list (ô 9): "Nơi nhận:" in bold italic,
// then one dashed line each, the last ending with a full stop.
func (w *writer) recipients(list []string, width float64) block {
	items := make([]string, len(list))
	for i, r := range list {
		items[i] = strings.TrimLeft(r, "-+• ")
	}
	items = punctuate(items, ";", ".")
	p := para{size: recipientSize, leading: recipLeading, align: "L", x: marginLeft, width: width}
	lines := 0
	for _, it := range items {
		lines += len(w.wrap([]run{{"- " + it, regular}}, recipientSize, width, width))
	}
	return block{
		height: float64(lines)*recipLeading + bodyLeading,
		draw: func(top float64) {
			w.setY(top)
			w.paragraph(para{size: recipientHead, leading: bodyLeading, align: "L", x: marginLeft, width: width},
				run{"Nơi nhận:", boldItalic})
			for _, it := range items {
				w.paragraph(p, run{"- " + it, regular})
			}
		},
	}
}

// side by side sets two blocks next to each other from the current position,
// on a new page if they do not fit on this one, and moves below both.
func (w *writer) sideBySide(left, right block) {
	w.down(4)
	w.ensure(max(left.height, right.height))
	top := w.y()
	left.draw(top)
	end := w.y()
	right.draw(top)
	w.setY(max(end, w.y()))
}

// closingBlocks sets the nơi nhận on the left and the signature on the right.
func (w *writer) closingBlocks(recipients []string, s Signer) {
	w.sideBySide(w.recipients(recipients, leftColumn+12), w.signature(s, rightX+rightColumn/2, rightColumn))
}

// annex starts the annexed list on a new page: "DANH SÁCH", its title, the
// "(Kèm theo …)" line in italics, a short rule, then the table.
func (w *writer) annex(title, attachedTo string, list []Awardee) {
	w.startPart()
	w.paragraph(centred(bodySize), run{"DANH SÁCH", bold})
	w.paragraph(para{size: bodySize, leading: bodyLeading, align: "C", x: marginLeft + 5, width: textWidth - 10},
		run{title, bold})
	widest := w.paragraph(para{size: bodySize, leading: bodyLeading, align: "C", x: marginLeft, width: textWidth},
		run{"(" + attachedTo + ")", italic})
	w.rule(marginLeft+textWidth/2, max(25, widest/4), w.y()+0.8)
	w.down(6)
	w.table(awardeeColumns, awardeeRows(list), tableSize)
}
