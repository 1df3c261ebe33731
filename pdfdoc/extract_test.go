package pdfdoc

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// readText reads a PDF's text back the way a PDF reader does: pdfcpu parses
// and validates the file, and each font's ToUnicode map turns the codes in the
// page content back into text. It returns one string per page; pieces of text
// on one baseline are joined with a space, baselines with a newline.
func readText(t *testing.T, pdf []byte) []string {
	t.Helper()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationStrict
	ctx, err := api.ReadContext(bytes.NewReader(pdf), conf)
	if err != nil {
		t.Fatalf("pdfcpu cannot read the PDF: %v", err)
	}
	if err := api.ValidateContext(ctx); err != nil {
		t.Fatalf("pdfcpu finds the PDF invalid: %v", err)
	}
	pages := make([]string, 0, ctx.PageCount)
	for p := 1; p <= ctx.PageCount; p++ {
		d, _, inh, err := ctx.PageDict(p, false)
		if err != nil {
			t.Fatalf("page %d: %v", p, err)
		}
		maps := fontMaps(t, ctx, inh.Resources)
		content, err := ctx.PageContent(d, p)
		if err != nil {
			t.Fatalf("page %d content: %v", p, err)
		}
		text, err := pageText(content, maps)
		if err != nil {
			t.Fatalf("page %d: %v", p, err)
		}
		pages = append(pages, text)
	}
	return pages
}

// cmap maps 2-byte codes to text, from a ToUnicode CMap.
type cmap struct {
	single map[uint16]string
	ranges []cmapRange
}

type cmapRange struct {
	lo, hi uint16
	dst    []uint16 // UTF-16 of lo's text; the last unit counts up
}

func (m cmap) lookup(code uint16) (string, bool) {
	if s, ok := m.single[code]; ok {
		return s, true
	}
	for _, r := range m.ranges {
		if code >= r.lo && code <= r.hi {
			dst := append([]uint16(nil), r.dst...)
			dst[len(dst)-1] += code - r.lo
			return string(utf16.Decode(dst)), true
		}
	}
	return "", false
}

func fontMaps(t *testing.T, ctx *model.Context, res types.Dict) map[string]cmap {
	t.Helper()
	maps := map[string]cmap{}
	fonts, err := ctx.DereferenceDict(res["Font"])
	if err != nil || fonts == nil {
		t.Fatalf("page resources have no fonts: %v", err)
	}
	for name, ref := range fonts {
		fd, err := ctx.DereferenceDict(ref)
		if err != nil {
			t.Fatalf("font %s: %v", name, err)
		}
		tu, ok := fd["ToUnicode"]
		if !ok {
			t.Fatalf("font %s (%s) has no ToUnicode map: its text cannot be extracted", name, fd["BaseFont"])
		}
		sd, _, err := ctx.DereferenceStreamDict(tu)
		if err != nil || sd == nil {
			t.Fatalf("font %s ToUnicode: %v", name, err)
		}
		if err := sd.Decode(); err != nil {
			t.Fatalf("font %s ToUnicode: %v", name, err)
		}
		m, err := parseCMap(string(sd.Content))
		if err != nil {
			t.Fatalf("font %s ToUnicode: %v", name, err)
		}
		maps[name] = m
	}
	return maps
}

func hexUnits(s string) ([]uint16, error) {
	b, err := hex.DecodeString(strings.Trim(s, "<>"))
	if err != nil || len(b)%2 != 0 {
		return nil, fmt.Errorf("bad hex %q", s)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return u, nil
}

func parseCMap(s string) (cmap, error) {
	m := cmap{single: map[uint16]string{}}
	f := strings.Fields(s)
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case "beginbfchar":
			for i++; i+1 < len(f) && f[i] != "endbfchar"; i += 2 {
				src, err := hexUnits(f[i])
				if err != nil {
					return m, err
				}
				dst, err := hexUnits(f[i+1])
				if err != nil {
					return m, err
				}
				m.single[src[0]] = string(utf16.Decode(dst))
			}
		case "beginbfrange":
			for i++; i+2 < len(f) && f[i] != "endbfrange"; i += 3 {
				lo, err1 := hexUnits(f[i])
				hi, err2 := hexUnits(f[i+1])
				dst, err3 := hexUnits(f[i+2])
				if err1 != nil || err2 != nil || err3 != nil {
					return m, fmt.Errorf("bfrange %v %v %v", f[i], f[i+1], f[i+2])
				}
				m.ranges = append(m.ranges, cmapRange{lo[0], hi[0], dst})
			}
		}
	}
	if len(m.single) == 0 && len(m.ranges) == 0 {
		return m, fmt.Errorf("empty ToUnicode map")
	}
	return m, nil
}

// piece is a string shown at a baseline.
type piece struct {
	y    float64
	text string
}

// pageText interprets the text operators of a content stream: BT/ET, Td, Tm,
// Tf, Tj and TJ, which is all fpdf writes.
func pageText(content []byte, maps map[string]cmap) (string, error) {
	var (
		pieces   []piece
		operands []any
		font     string
		lineY    float64
		inArray  bool
		array    []any
	)
	decode := func(raw []byte) (string, error) {
		m, ok := maps[font]
		if !ok {
			return "", fmt.Errorf("text in unknown font %q", font)
		}
		var b strings.Builder
		for i := 0; i+1 < len(raw); i += 2 {
			code := uint16(raw[i])<<8 | uint16(raw[i+1])
			s, ok := m.lookup(code)
			if !ok {
				return "", fmt.Errorf("code %04X not in the ToUnicode map of %s", code, font)
			}
			b.WriteString(s)
		}
		return b.String(), nil
	}
	num := func(o any) float64 { f, _ := o.(float64); return f }
	push := func(o any) {
		if inArray {
			array = append(array, o)
		} else {
			operands = append(operands, o)
		}
	}
	c := content
	for i := 0; i < len(c); {
		ch := c[i]
		switch {
		case ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '\f' || ch == 0:
			i++
		case ch == '%':
			for i < len(c) && c[i] != '\n' && c[i] != '\r' {
				i++
			}
		case ch == '(':
			var s []byte
			depth := 0
			i++
		literal:
			for i < len(c) {
				ch := c[i]
				switch {
				case ch == '\\' && i+1 < len(c):
					i++
					e := c[i]
					switch e {
					case 'n':
						s = append(s, '\n')
					case 'r':
						s = append(s, '\r')
					case 't':
						s = append(s, '\t')
					case 'b':
						s = append(s, '\b')
					case 'f':
						s = append(s, '\f')
					case '\r', '\n':
					default:
						if e >= '0' && e <= '7' {
							v, n := 0, 0
							for n < 3 && i < len(c) && c[i] >= '0' && c[i] <= '7' {
								v = v*8 + int(c[i]-'0')
								i++
								n++
							}
							s = append(s, byte(v))
							continue literal
						}
						s = append(s, e)
					}
					i++
				case ch == '(':
					depth++
					s = append(s, ch)
					i++
				case ch == ')':
					i++
					if depth == 0 {
						break literal
					}
					depth--
					s = append(s, ch)
				default:
					s = append(s, ch)
					i++
				}
			}
			push(s)
		case ch == '<' && i+1 < len(c) && c[i+1] != '<':
			j := bytes.IndexByte(c[i:], '>')
			if j < 0 {
				return "", fmt.Errorf("unterminated hex string")
			}
			h := strings.Join(strings.Fields(string(c[i+1:i+j])), "")
			if len(h)%2 == 1 {
				h += "0"
			}
			b, err := hex.DecodeString(h)
			if err != nil {
				return "", err
			}
			push(b)
			i += j + 1
		case ch == '[':
			inArray, array = true, nil
			i++
		case ch == ']':
			inArray = false
			operands = append(operands, array)
			i++
		case ch == '/':
			j := i + 1
			for j < len(c) && !strings.ContainsRune(" \t\r\n\f/[]()<>{}%", rune(c[j])) {
				j++
			}
			push("/" + string(c[i+1:j]))
			i = j
		default:
			j := i
			for j < len(c) && !strings.ContainsRune(" \t\r\n\f/[]()<>{}%", rune(c[j])) {
				j++
			}
			if j == i {
				j++
			}
			tok := string(c[i:j])
			i = j
			if f, err := strconv.ParseFloat(tok, 64); err == nil {
				push(f)
				continue
			}
			switch tok {
			case "BT":
				lineY = 0
			case "Td", "TD":
				if len(operands) >= 2 {
					lineY += num(operands[len(operands)-1])
				}
			case "Tm":
				if len(operands) >= 6 {
					lineY = num(operands[5])
				}
			case "Tf":
				if len(operands) >= 2 {
					font, _ = operands[len(operands)-2].(string)
					font = strings.TrimPrefix(font, "/")
				}
			case "Tj", "'", "\"":
				if len(operands) > 0 {
					raw, _ := operands[len(operands)-1].([]byte)
					s, err := decode(raw)
					if err != nil {
						return "", err
					}
					pieces = append(pieces, piece{lineY, s})
				}
			case "TJ":
				if len(operands) > 0 {
					arr, _ := operands[len(operands)-1].([]any)
					var b strings.Builder
					for _, o := range arr {
						if raw, ok := o.([]byte); ok {
							s, err := decode(raw)
							if err != nil {
								return "", err
							}
							b.WriteString(s)
						}
					}
					pieces = append(pieces, piece{lineY, b.String()})
				}
			}
			operands = operands[:0]
		}
	}
	var b strings.Builder
	for i, p := range pieces {
		if i > 0 {
			if math.Abs(p.y-pieces[i-1].y) < 0.5 {
				b.WriteByte(' ')
			} else {
				b.WriteByte('\n')
			}
		}
		b.WriteString(p.text)
	}
	return b.String(), nil
}
