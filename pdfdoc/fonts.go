package pdfdoc

import (
	_ "embed"
	"fmt"
	"sync"

	"golang.org/x/image/font/sfnt"
)

// Liberation Serif has the metrics of Times New Roman, which Decree 30 asks
// for; see fonts/README.md and fonts/LICENSE.
var (
	//go:embed fonts/LiberationSerif-Regular.ttf
	serifRegular []byte
	//go:embed fonts/LiberationSerif-Bold.ttf
	serifBold []byte
	//go:embed fonts/LiberationSerif-Italic.ttf
	serifItalic []byte
	//go:embed fonts/LiberationSerif-BoldItalic.ttf
	serifBoldItalic []byte
)

const family = "Times"

// fontFiles maps an fpdf style to its font file.
var fontFiles = []struct {
	style string
	data  []byte
}{
	{"", serifRegular},
	{"B", serifBold},
	{"I", serifItalic},
	{"BI", serifBoldItalic},
}

// printable reports, for each rune of the Basic Multilingual Plane, whether all
// four styles have a glyph for it. fpdf writes text as 16-bit codes, so runes
// outside the BMP cannot be printed at all.
var printable = sync.OnceValues(func() (*[1 << 16 / 64]uint64, error) {
	var set [1 << 16 / 64]uint64
	for r := range 1 << 16 {
		set[r/64] |= 1 << (r % 64)
	}
	var buf sfnt.Buffer
	for _, ff := range fontFiles {
		f, err := sfnt.Parse(ff.data)
		if err != nil {
			return nil, fmt.Errorf("pdfdoc: embedded font %q: %w", ff.style, err)
		}
		for r := range 1 << 16 {
			if set[r/64]&(1<<(r%64)) == 0 {
				continue
			}
			if gi, err := f.GlyphIndex(&buf, rune(r)); err != nil || gi == 0 {
				set[r/64] &^= 1 << (r % 64)
			}
		}
	}
	return &set, nil
})

// canPrint reports whether r can be set in every style of the embedded fonts.
func canPrint(r rune) bool {
	set, err := printable()
	if err != nil || r < 0 || r >= 1<<16 {
		return false
	}
	return set[r/64]&(1<<(r%64)) != 0
}
