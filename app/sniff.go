package app

import "bytes"

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
	ooxmlTypes  = []byte("[Content_Types].xml")
	ooxmlWord   = []byte("word/")
)

// Sniff gives the content type of a document from its first bytes, or ""
// when it is not an accepted type. A plain zip, a spreadsheet or a
// presentation is not a DOCX.
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, magicPDF):
		return TypePDF
	case bytes.HasPrefix(head, magicOLE):
		return TypeDOC
	case bytes.HasPrefix(head, magicJPEG):
		return TypeJPEG
	case bytes.HasPrefix(head, magicPNG):
		return TypePNG
	case bytes.HasPrefix(head, magicZIP):
		if len(head) >= 30+len(odtMimetype) && bytes.Equal(head[30:30+len(odtMimetype)], odtMimetype) {
			return TypeODT
		}
		if bytes.Contains(head, ooxmlTypes) && bytes.Contains(head, ooxmlWord) {
			return TypeDOCX
		}
	}
	return ""
}
