package app

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"path"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Accepted document types, judged by content (API.md: PDF, DOC, DOCX, ODT,
// JPEG, PNG).
const (
	TypePDF  = "application/pdf"
	TypeDOC  = "application/msword"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeODT  = "application/vnd.oasis.opendocument.text"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

// SniffLen is how many leading bytes sniff looks at.
const SniffLen = 8 << 10

var (
	magicPDF  = []byte("%PDF-")
	magicOLE  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicZIP  = []byte("PK\x03\x04")
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}
	// An ODT package's first entry is the uncompressed "mimetype" file, so
	// its name and content sit right after the 30-byte local file header.
	odtMimetype = []byte("mimetypeapplication/vnd.oasis.opendocument.text")
)

// Why a document that looks like Word is refused.
const (
	notWord     = "an OLE compound file is accepted only as a Word 97-2003 document (.doc); this one is not"
	wordMacros  = "Word documents with macros (DOCM, or a .doc with a Macros storage) are not accepted"
	notAccepted = "accepted documents are PDF, DOC, DOCX, ODT, JPEG and PNG (judged by content)"
)

// Sniff gives the content type of a whole document held in memory, or ""
// when it is not an accepted type (Detect on b).
func Sniff(b []byte) string {
	ct, _ := Detect(bytes.NewReader(b), int64(len(b)))
	return ct
}

// Detect gives the content type of a document of size bytes, judged by its
// content, or "" and why it is not accepted. A plain zip, a spreadsheet, a
// presentation or a macro-enabled Word document is not a DOCX; an OLE
// compound file is a DOC only if its root holds a WordDocument stream and
// no Macros storage.
func Detect(r io.ReaderAt, size int64) (contentType, refused string) {
	head := make([]byte, min(size, SniffLen))
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, magicPDF):
		return TypePDF, ""
	case bytes.HasPrefix(head, magicJPEG):
		return TypeJPEG, ""
	case bytes.HasPrefix(head, magicPNG):
		return TypePNG, ""
	case bytes.HasPrefix(head, magicOLE):
		word, macros := wordCompound(r, size)
		switch {
		case !word:
			return "", notWord
		case macros:
			return "", wordMacros
		}
		return TypeDOC, ""
	case bytes.HasPrefix(head, magicZIP):
		if len(head) >= 30+len(odtMimetype) && bytes.Equal(head[30:30+len(odtMimetype)], odtMimetype) {
			return TypeODT, ""
		}
		return detectOOXML(r, size)
	}
	return "", notAccepted
}

// detectOOXML tells a Word document (DOCX) among zip files: a content
// types part and the main document part word/document.xml, and nothing that
// carries macros: no macro-enabled content type, no VBA project part, no
// relationship to one.
func detectOOXML(r io.ReaderAt, size int64) (string, string) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return "", notAccepted
	}
	var types, main bool
	for _, f := range zr.File {
		name := strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))
		switch {
		case path.Base(name) == "vbaproject.bin":
			return "", wordMacros
		case name == "[content_types].xml":
			types = true
			if partMentions(f, "macroenabled", "vbaproject") {
				return "", wordMacros
			}
		case name == "word/document.xml":
			main = true
		case strings.HasSuffix(name, ".rels"):
			if partMentions(f, "vbaproject") {
				return "", wordMacros
			}
		}
	}
	if !types || !main {
		return "", notAccepted
	}
	return TypeDOCX, ""
}

// maxPartScan is how much of a package part partMentions reads (a content
// types or relationships part is a few KB; a zip bomb is not read whole).
const maxPartScan = 4 << 20

// partMentions reports whether a zip entry's text holds any of words
// (lower case), ignoring case; an entry that cannot be read counts as
// holding them (refused rather than let through).
func partMentions(f *zip.File, words ...string) bool {
	rc, err := f.Open()
	if err != nil {
		return true
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxPartScan))
	if err != nil {
		return true
	}
	lower := bytes.ToLower(b)
	for _, w := range words {
		if bytes.Contains(lower, []byte(w)) {
			return true
		}
	}
	return false
}

// The compound file (MS-CFB) constants wordCompound uses.
const (
	cfbHeaderLen  = 512
	cfbDirEntry   = 128
	cfbEndOfChain = 0xFFFFFFFE
	cfbNoStream   = 0xFFFFFFFF
	cfbMaxRegSect = 0xFFFFFFFA
	cfbStorage    = 1
	cfbStream     = 2
	cfbRoot       = 5
	// cfbMaxEntries bounds the directory read (a Word document has a few
	// dozen entries).
	cfbMaxEntries = 1 << 16
)

// wordCompound reads the directory of a compound file (MS-CFB) and reports
// whether its root storage holds a WordDocument stream, and a Macros
// storage (Word 97-2003's VBA project). Only the header, the FAT sectors on
// the directory's chain and the directory itself are read; anything
// malformed (out of range, a loop) is "not Word".
func wordCompound(r io.ReaderAt, size int64) (word, macros bool) {
	le := binary.LittleEndian
	h := make([]byte, cfbHeaderLen)
	if _, err := r.ReadAt(h, 0); err != nil {
		return false, false
	}
	if le.Uint16(h[28:]) != 0xFFFE {
		return false, false
	}
	var shift uint
	switch le.Uint16(h[26:]) {
	case 3:
		shift = 9
	case 4:
		shift = 12
	default:
		return false, false
	}
	if uint(le.Uint16(h[30:])) != shift {
		return false, false
	}
	sectorSize := int64(1) << shift
	// Sectors after the header, a short last one included.
	sectors := (size - sectorSize + sectorSize - 1) / sectorSize
	if sectors <= 0 {
		return false, false
	}
	sector := func(s uint32) ([]byte, bool) {
		if s > cfbMaxRegSect || int64(s) >= sectors {
			return nil, false
		}
		b := make([]byte, sectorSize)
		n, err := r.ReadAt(b, (int64(s)+1)*sectorSize)
		return b, err == nil || (err == io.EOF && n > 0)
	}

	// The FAT's sectors: 109 in the header, the rest on the DIFAT chain.
	numFAT := int64(le.Uint32(h[44:]))
	if numFAT <= 0 || numFAT > sectors {
		return false, false
	}
	fatSectors := make([]uint32, 0, numFAT)
	for i := 0; i < 109 && int64(len(fatSectors)) < numFAT; i++ {
		fatSectors = append(fatSectors, le.Uint32(h[76+4*i:]))
	}
	perSector := sectorSize / 4
	for next, hops := le.Uint32(h[68:]), int64(0); int64(len(fatSectors)) < numFAT; hops++ {
		b, ok := sector(next)
		if !ok || hops > sectors {
			return false, false
		}
		for i := int64(0); i < perSector-1 && int64(len(fatSectors)) < numFAT; i++ {
			fatSectors = append(fatSectors, le.Uint32(b[4*i:]))
		}
		next = le.Uint32(b[4*(perSector-1):])
	}
	fatCache := map[uint32][]byte{}
	nextSector := func(s uint32) (uint32, bool) {
		i := int64(s) / perSector
		if i >= int64(len(fatSectors)) {
			return 0, false
		}
		b, ok := fatCache[uint32(i)]
		if !ok {
			if b, ok = sector(fatSectors[i]); !ok {
				return 0, false
			}
			fatCache[uint32(i)] = b
		}
		return le.Uint32(b[4*(int64(s)%perSector):]), true
	}

	// The directory: a chain of sectors of 128-byte entries.
	var dir []byte
	for s, hops := le.Uint32(h[48:]), int64(0); s != cfbEndOfChain; hops++ {
		if hops > sectors || int64(len(dir))/cfbDirEntry >= cfbMaxEntries {
			return false, false
		}
		b, ok := sector(s)
		if !ok {
			return false, false
		}
		dir = append(dir, b...)
		if s, ok = nextSector(s); !ok {
			return false, false
		}
	}
	entries := uint32(len(dir) / cfbDirEntry)
	if entries == 0 || dir[66] != cfbRoot {
		return false, false
	}
	entry := func(id uint32) []byte { return dir[int(id)*cfbDirEntry : int(id+1)*cfbDirEntry] }

	// The root's children: the tree under its child, by left and right
	// siblings.
	seen := map[uint32]bool{}
	stack := []uint32{le.Uint32(entry(0)[76:])}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == cfbNoStream {
			continue
		}
		if id >= entries || seen[id] {
			return false, false
		}
		seen[id] = true
		e := entry(id)
		switch name := entryName(e); {
		case e[66] == cfbStream && strings.EqualFold(name, "WordDocument"):
			word = true
		case e[66] == cfbStorage && strings.EqualFold(name, "Macros"):
			macros = true
		}
		stack = append(stack, le.Uint32(e[68:]), le.Uint32(e[72:]))
	}
	return word, macros
}

// entryName decodes a directory entry's UTF-16 name.
func entryName(e []byte) string {
	n := int(binary.LittleEndian.Uint16(e[64:]))
	if n < 2 || n > 64 || n%2 != 0 {
		return ""
	}
	u := make([]uint16, n/2-1) // without the terminating NUL
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(e[2*i:])
	}
	return string(utf16.Decode(u))
}

// extensions are each accepted type's file name extensions, the usual one
// first.
var extensions = map[string][]string{
	TypePDF:  {".pdf"},
	TypeDOC:  {".doc"},
	TypeDOCX: {".docx"},
	TypeODT:  {".odt"},
	TypeJPEG: {".jpg", ".jpeg"},
	TypePNG:  {".png"},
}

// FilenameFor is name (already clean) with the extension of contentType: a
// PDF sent as "Tờ trình.docx" is kept as "Tờ trình.pdf", one sent without
// an extension gets one. An extension the type has is kept as written
// ("ẢNH.JPEG"). What follows the last dot counts as an extension only when
// it is 1 to 8 ASCII letters and digits with a letter ("v1.2" and
// "12.QĐ" have none).
func FilenameFor(name, contentType string) string {
	exts, ok := extensions[contentType]
	if !ok {
		return name
	}
	base := name
	if i := strings.LastIndexByte(name, '.'); i >= 0 && isExtension(name[i+1:]) {
		for _, e := range exts {
			if strings.EqualFold(name[i:], e) {
				return name
			}
		}
		base = name[:i]
	}
	base = strings.TrimRight(base, ". ")
	if base == "" {
		base = "document"
	}
	for len(base)+len(exts[0]) > maxFilename {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	return base + exts[0]
}

func isExtension(s string) bool {
	letter := false
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter && len(s) <= 8
}
