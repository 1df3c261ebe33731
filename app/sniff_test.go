package app

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"tdkt/domain"
	"tdkt/store"
)

// A compound file (MS-CFB) for the tests.

const (
	none     = 0xFFFFFFFF
	endChain = 0xFFFFFFFE
	fatSect  = 0xFFFFFFFD
	difSect  = 0xFFFFFFFC
)

type dirEntry struct {
	name               string
	typ                byte // 1 storage, 2 stream, 5 root
	left, right, child uint32
}

type cfbLayout struct {
	v4       bool
	fats     int  // FAT sectors (1 unless set); over 109 needs a DIFAT sector
	loopDir  bool // the directory chain's last sector points back to its first
	truncate int  // bytes cut from the end
}

// buildCFB lays out the FAT sectors, then a DIFAT sector when needed, then
// the directory; streams have no data.
func buildCFB(l cfbLayout, entries ...dirEntry) []byte {
	le := binary.LittleEndian
	shift, ss := 9, 512
	if l.v4 {
		shift, ss = 12, 4096
	}
	fats := max(l.fats, 1)
	difats := 0
	if fats > 109 {
		difats = 1 // enough for these tests: ss/4-1 more FAT sectors
	}
	perDir := ss / 128
	dirs := (len(entries) + perDir - 1) / perDir
	total := fats + difats + dirs
	out := make([]byte, ss*(1+total))
	copy(out, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(out[24:], 0x3E)
	le.PutUint16(out[26:], uint16(3+boolInt(l.v4)))
	le.PutUint16(out[28:], 0xFFFE)
	le.PutUint16(out[30:], uint16(shift))
	le.PutUint16(out[32:], 6)
	if l.v4 {
		le.PutUint32(out[40:], uint32(dirs))
	}
	le.PutUint32(out[44:], uint32(fats))
	firstDir := fats + difats
	le.PutUint32(out[48:], uint32(firstDir))
	le.PutUint32(out[56:], 4096)
	le.PutUint32(out[60:], endChain)
	le.PutUint32(out[68:], endChain)
	for i := 0; i < 109; i++ {
		v := uint32(none)
		if i < fats {
			v = uint32(i)
		}
		le.PutUint32(out[76+4*i:], v)
	}
	sector := func(n int) []byte { return out[ss*(n+1) : ss*(n+2)] }
	if difats == 1 {
		le.PutUint32(out[68:], uint32(fats))
		le.PutUint32(out[72:], 1)
		d := sector(fats)
		for i := 0; i < ss/4; i++ {
			le.PutUint32(d[4*i:], none)
		}
		for i := 109; i < fats; i++ {
			le.PutUint32(d[4*(i-109):], uint32(i))
		}
		le.PutUint32(d[ss-4:], endChain)
	}
	// The FAT: every entry free, then the marks and the directory's chain.
	perFAT := ss / 4
	setFAT := func(s, v int) { le.PutUint32(sector(s / perFAT)[4*(s%perFAT):], uint32(v)) }
	for f := 0; f < fats; f++ {
		for i := 0; i < perFAT; i++ {
			le.PutUint32(sector(f)[4*i:], none)
		}
	}
	for f := 0; f < fats; f++ {
		setFAT(f, fatSect)
	}
	if difats == 1 {
		setFAT(fats, difSect)
	}
	for d := 0; d < dirs; d++ {
		next := firstDir + d + 1
		if d == dirs-1 {
			next = endChain
			if l.loopDir {
				next = firstDir
			}
		}
		setFAT(firstDir+d, next)
	}
	for i, e := range entries {
		d := out[ss*(firstDir+1)+128*i : ss*(firstDir+1)+128*(i+1)]
		u := utf16.Encode([]rune(e.name))
		for j, c := range u {
			le.PutUint16(d[2*j:], c)
		}
		le.PutUint16(d[64:], uint16(2*len(u)+2))
		d[66], d[67] = e.typ, 1
		le.PutUint32(d[68:], e.left)
		le.PutUint32(d[72:], e.right)
		le.PutUint32(d[76:], e.child)
		le.PutUint32(d[116:], endChain)
	}
	return out[:len(out)-l.truncate]
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func root(child uint32) dirEntry {
	return dirEntry{name: "Root Entry", typ: 5, left: none, right: none, child: child}
}

func stream(name string, left, right uint32) dirEntry {
	return dirEntry{name: name, typ: 2, left: left, right: right, child: none}
}

// word is a Word 97-2003 document's root: 1Table, WordDocument and the
// summary streams as a small red-black tree.
var word = []dirEntry{
	root(2),
	stream("1Table", none, none),
	stream("WordDocument", 1, 3),
	stream("\x05SummaryInformation", none, none),
}

func zipOf(t testing.TB, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, e := range entries {
		f, err := w.Create(e[0])
		if err == nil {
			_, err = f.Write([]byte(e[1]))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const (
	typesDOCX = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	typesDOCM = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`
	typesDOTM = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.template.macroEnabledTemplate.main+xml"/></Types>`
	typesXLSX = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`
	vbaRels   = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="macros.bin"/></Relationships>`
	docBody   = `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>`
)

func TestDetect(t *testing.T) {
	many := []dirEntry{root(1)}
	// Eleven streams in a right-leaning chain, WordDocument last: the
	// directory takes three sectors.
	for i := 1; i <= 11; i++ {
		right := uint32(i + 1)
		name := fmt.Sprintf("Data%d", i)
		if i == 11 {
			right, name = none, "WordDocument"
		}
		many = append(many, stream(name, none, right))
	}
	nested := []dirEntry{root(1), {name: "ObjectPool", typ: 1, left: none, right: none, child: 2}, stream("WordDocument", none, none)}
	withMacros := append(append([]dirEntry{}, word...), dirEntry{name: "Macros", typ: 1, left: none, right: none, child: none})
	withMacros[3].right = 4
	nestedMacros := []dirEntry{root(1), stream("WordDocument", none, 2), {name: "ObjectPool", typ: 1, left: none, right: none, child: 3},
		{name: "Macros", typ: 1, left: none, right: none, child: none}}
	siblingLoop := []dirEntry{root(1), stream("1Table", none, 2), stream("Data", 1, none)}
	badChild := []dirEntry{root(9), stream("WordDocument", none, none)}
	lower := []dirEntry{root(1), stream("worddocument", none, none)}

	for name, c := range map[string]struct {
		b       []byte
		want    string
		refusal string
	}{
		"Word, version 3":                     {buildCFB(cfbLayout{}, word...), TypeDOC, ""},
		"Word, version 4 (4096-byte sectors)": {buildCFB(cfbLayout{v4: true}, word...), TypeDOC, ""},
		"Word, FAT past the header (DIFAT)":   {buildCFB(cfbLayout{fats: 110}, word...), TypeDOC, ""},
		"Word, a three-sector directory":      {buildCFB(cfbLayout{}, many...), TypeDOC, ""},
		"Word, name in lower case":            {buildCFB(cfbLayout{}, lower...), TypeDOC, ""},
		"Word, Macros in a sub-storage only":  {buildCFB(cfbLayout{}, nestedMacros...), TypeDOC, ""},
		"Word with a Macros storage":          {buildCFB(cfbLayout{}, withMacros...), "", wordMacros},
		"WordDocument in a sub-storage":       {buildCFB(cfbLayout{}, nested...), "", notWord},
		"Excel workbook":                      {buildCFB(cfbLayout{}, root(1), stream("Workbook", none, none)), "", notWord},
		"directory chain in a loop":           {buildCFB(cfbLayout{loopDir: true}, many...), "", notWord},
		"siblings in a loop":                  {buildCFB(cfbLayout{}, siblingLoop...), "", notWord},
		"child out of range":                  {buildCFB(cfbLayout{}, badChild...), "", notWord},
		"directory cut off":                   {buildCFB(cfbLayout{}, word...)[:1024+100], "", notWord},
		"short last sector":                   {buildCFB(cfbLayout{truncate: 200}, root(1), stream("WordDocument", none, none)), TypeDOC, ""},
		"bare OLE header":                     {append(append([]byte{}, magicOLE...), make([]byte, 600)...), "", notWord},
		"DOCX":                                {zipOf(t, [2]string{"[Content_Types].xml", typesDOCX}, [2]string{"word/document.xml", docBody}), TypeDOCX, ""},
		"DOCM":                                {zipOf(t, [2]string{"[Content_Types].xml", typesDOCM}, [2]string{"word/document.xml", docBody}), "", wordMacros},
		"DOTM":                                {zipOf(t, [2]string{"[Content_Types].xml", typesDOTM}, [2]string{"word/document.xml", docBody}), "", wordMacros},
		"DOCX with word/vbaProject.bin": {zipOf(t, [2]string{"[Content_Types].xml", typesDOCX}, [2]string{"word/document.xml", docBody},
			[2]string{"word/vbaProject.bin", "x"}), "", wordMacros},
		"DOCX with a VBA part under another name": {zipOf(t, [2]string{"[Content_Types].xml", typesDOCX}, [2]string{"word/document.xml", docBody},
			[2]string{"word/_rels/document.xml.rels", vbaRels}, [2]string{"word/macros.bin", "x"}), "", wordMacros},
		"XLSX":                {zipOf(t, [2]string{"[Content_Types].xml", typesXLSX}, [2]string{"xl/workbook.xml", "<x/>"}), "", notAccepted},
		"zip without types":   {zipOf(t, [2]string{"word/document.xml", docBody}), "", notAccepted},
		"not a zip after all": {[]byte("PK\x03\x04 and then nothing"), "", notAccepted},
		"PDF":                 {[]byte("%PDF-1.7\n"), TypePDF, ""},
		"text":                {[]byte("hello"), "", notAccepted},
	} {
		got, why := Detect(bytes.NewReader(c.b), int64(len(c.b)))
		if got != c.want || why != c.refusal {
			t.Errorf("%s: %q %q, want %q %q", name, got, why, c.want, c.refusal)
		}
	}
}

// Whatever the bytes, Detect answers (no panic, no endless loop).
func FuzzDetect(f *testing.F) {
	f.Add(buildCFB(cfbLayout{}, word...))
	f.Add(buildCFB(cfbLayout{v4: true}, word...))
	f.Add(buildCFB(cfbLayout{loopDir: true}, word...))
	f.Add(zipOf(f, [2]string{"[Content_Types].xml", typesDOCX}, [2]string{"word/document.xml", docBody}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, why := Detect(bytes.NewReader(b), int64(len(b)))
		if (ct == "") == (why == "") {
			t.Fatalf("%q %q", ct, why)
		}
	})
}

func TestFilenameFor(t *testing.T) {
	for _, c := range []struct{ name, ct, want string }{
		{"Tờ trình.docx", TypePDF, "Tờ trình.pdf"},
		{"Tờ trình.PDF", TypePDF, "Tờ trình.PDF"},
		{"Biên bản.doc", TypeDOCX, "Biên bản.docx"},
		{"Biên bản.docx", TypeDOC, "Biên bản.doc"},
		{"ảnh.jpeg", TypeJPEG, "ảnh.jpeg"},
		{"ảnh.JPG", TypeJPEG, "ảnh.JPG"},
		{"ảnh.png", TypeJPEG, "ảnh.jpg"},
		{"scan.jpg", TypePNG, "scan.png"},
		{"Báo cáo v1.2", TypePDF, "Báo cáo v1.2.pdf"},
		{"Quyết định 12.QĐ", TypeODT, "Quyết định 12.QĐ.odt"},
		{"a.tar.gz", TypePDF, "a.tar.pdf"},
		{"document", TypeDOC, "document.doc"},
		{".docx", TypePDF, "document.pdf"},
		{"x.", TypePDF, "x.pdf"},
		{"x.exe", TypePDF, "x.pdf"},
		{"x.pdf", "text/plain", "x.pdf"},
	} {
		if got := FilenameFor(c.name, c.ct); got != c.want {
			t.Errorf("FilenameFor(%q, %s) = %q, want %q", c.name, c.ct, got, c.want)
		}
	}
	long := strings.Repeat("ả", 85) // 255 bytes, the most CleanFilename keeps
	got := FilenameFor(long, TypePDF)
	if len(got) > maxFilename || !utf8.ValidString(got) || !strings.HasSuffix(got, "ả.pdf") {
		t.Errorf("long name: %q (%d bytes)", got, len(got))
	}
}

// fakeStore is the read model for the use cases here: what they read, and
// every document stored.
type fakeStore struct {
	ReadModel // not used: calls panic
	view      domain.View
	puts      []string // file names stored
	capped    bool     // answers PutDocumentAtMost with ErrTooManyDocuments
}

func (f *fakeStore) GetDossier(ctx context.Context, id string) (domain.View, error) {
	if id != f.view.ID {
		return domain.View{}, store.ErrNotFound
	}
	return f.view, nil
}

func (f *fakeStore) PutDocument(ctx context.Context, dossierID string, kind domain.DocumentKind, filename, contentType string, r io.Reader, maxBytes int64) (domain.Document, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return domain.Document{}, err
	}
	f.puts = append(f.puts, filename)
	return domain.Document{ID: fmt.Sprint(len(f.puts)), Kind: kind, Filename: filename, ContentType: contentType, Size: int64(len(b))}, nil
}

// cappedStore is a fakeStore that counts documents itself, as
// *store.Store does.
type cappedStore struct{ *fakeStore }

func (c cappedStore) PutDocumentAtMost(ctx context.Context, dossierID string, kind domain.DocumentKind, filename, contentType string, r io.Reader, maxBytes int64, maxDocs int) (domain.Document, error) {
	if c.capped {
		return domain.Document{}, store.ErrTooManyDocuments
	}
	return c.PutDocument(ctx, dossierID, kind, filename, contentType, r, maxBytes)
}

var unit = domain.Actor{ID: "u", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}

func dossierWith(docs int) domain.View {
	v := domain.View{ID: "HS-2025-000001", Unit: "SGDDT", Stage: domain.Reception}
	for i := 0; i < docs; i++ {
		v.Documents = append(v.Documents, domain.Document{ID: fmt.Sprint(i)})
	}
	return v
}

func receive(t *testing.T, s *Service, b []byte, name string) *Received {
	t.Helper()
	f, err := s.ReceiveDocument(bytes.NewReader(b), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func kindOf(err error) domain.ErrorKind { return AsError(err).Kind }

// errAfter gives n bytes, then err, as a client that goes away or runs out
// of time does.
type errAfter struct {
	n   int
	err error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, e.err
	}
	k := min(len(p), e.n)
	e.n -= k
	return k, nil
}

func TestReceiveDocument(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s := New(Deps{Store: &fakeStore{}, MaxUpload: 100})
	spooled := func() int {
		m, _ := filepath.Glob(filepath.Join(tmp, "tdkt-upload-*"))
		return len(m)
	}

	f, err := s.ReceiveDocument(bytes.NewReader(make([]byte, 100)), `C:\tmp\Tờ trình.pdf`)
	if err != nil || f.Size() != 100 || f.filename != "Tờ trình.pdf" || spooled() != 1 {
		t.Fatalf("%v %+v %d", err, f, spooled())
	}
	f.Close()
	f.Close()
	if spooled() != 0 {
		t.Errorf("Close left the temporary file")
	}
	for name, c := range map[string]struct {
		r    io.Reader
		kind domain.ErrorKind
	}{
		"one byte too many":          {bytes.NewReader(make([]byte, 101)), ErrTooLarge},
		"the body's limit":           {&errAfter{n: 50, err: &http.MaxBytesError{Limit: 50}}, ErrTooLarge},
		"cut short":                  {&errAfter{n: 50, err: io.ErrUnexpectedEOF}, ErrMalformed},
		"read timeout":               {&errAfter{n: 50, err: fmt.Errorf("read tcp: %w", os.ErrDeadlineExceeded)}, ErrMalformed},
		"connection reset (not 503)": {&errAfter{n: 50, err: errors.New("connection reset by peer")}, ErrMalformed},
	} {
		_, err := s.ReceiveDocument(c.r, "a.pdf")
		if kindOf(err) != c.kind {
			t.Errorf("%s: %v, want %s", name, err, c.kind)
		}
	}
	if spooled() != 0 {
		t.Errorf("refused uploads left %d temporary files", spooled())
	}
	var nilFile *Received
	if nilFile.Close() != nil {
		t.Error("closing a nil Received")
	}
}

func TestStoreDocument(t *testing.T) {
	ctx := context.Background()
	fs := &fakeStore{view: dossierWith(0)}
	s := New(Deps{Store: fs, MaxUpload: 1 << 20})
	pdf := []byte("%PDF-1.7\n%%EOF\n")

	d, err := s.StoreDocument(ctx, fs.view, "to_trinh", receive(t, s, pdf, "Tờ trình.docx"))
	if err != nil || d.Filename != "Tờ trình.pdf" || d.ContentType != TypePDF || d.Size != int64(len(pdf)) {
		t.Fatalf("%v %+v", err, d)
	}
	// Refusals store nothing: the kind first, then an empty file, then the
	// type, then the dossier's limit.
	docm := zipOf(t, [2]string{"[Content_Types].xml", typesDOCM}, [2]string{"word/document.xml", docBody})
	for name, c := range map[string]struct {
		kind string
		b    []byte
		want domain.ErrorKind
	}{
		"unknown kind":    {"selfie", docm, domain.ErrInvalid},
		"empty":           {"khac", []byte{}, domain.ErrInvalid},
		"DOCM":            {"khac", docm, ErrUnsupported},
		"Excel 97-2003":   {"khac", buildCFB(cfbLayout{}, root(1), stream("Workbook", none, none)), ErrUnsupported},
		"Word with macro": {"khac", buildCFB(cfbLayout{}, append(word[:3:3], stream("\x05SummaryInformation", none, 4), dirEntry{name: "Macros", typ: 1, left: none, right: none, child: none})...), ErrUnsupported},
	} {
		_, err := s.StoreDocument(ctx, fs.view, c.kind, receive(t, s, c.b, "x.doc"))
		if kindOf(err) != c.want {
			t.Errorf("%s: %v, want %s", name, err, c.want)
		}
	}
	if len(fs.puts) != 1 {
		t.Errorf("refused documents were stored: %v", fs.puts)
	}
}

// TDKT_MAX_DOCUMENTS: the dossier's count is checked before the upload is
// read (UploadTarget), again before it is stored, and by the store itself
// under a lock; each refusal is a 409 conflict naming the stage.
func TestDocumentLimit(t *testing.T) {
	ctx := context.Background()
	fs := &fakeStore{view: dossierWith(3)}
	s := New(Deps{Store: cappedStore{fs}, MaxUpload: 1 << 20, MaxDocuments: 3})
	if s.MaxDocuments() != 3 {
		t.Fatalf("MaxDocuments %d", s.MaxDocuments())
	}
	_, err := s.UploadTarget(ctx, unit, fs.view.ID)
	if e := AsError(err); e.Kind != domain.ErrConflict || e.Stage != domain.Reception || !strings.Contains(e.Detail, "3 documents") {
		t.Fatalf("%+v", e)
	}
	pdf := receive(t, s, []byte("%PDF-1.7"), "a.pdf")
	if _, err := s.StoreDocument(ctx, fs.view, "khac", pdf); kindOf(err) != domain.ErrConflict {
		t.Errorf("StoreDocument past the limit: %v", err)
	}
	fs.view = dossierWith(2)
	if _, err := s.UploadTarget(ctx, unit, fs.view.ID); err != nil {
		t.Fatal(err)
	}
	// Another upload took the last place meanwhile: the store says so.
	fs.capped = true
	if _, err := s.StoreDocument(ctx, fs.view, "khac", pdf); kindOf(err) != domain.ErrConflict {
		t.Errorf("the store's refusal: %v", err)
	}
	fs.capped = false
	if _, err := s.StoreDocument(ctx, fs.view, "khac", pdf); err != nil {
		t.Fatal(err)
	}
	if len(fs.puts) != 1 {
		t.Errorf("stored %v", fs.puts)
	}
	if d := New(Deps{Store: fs}).MaxDocuments(); d != 50 {
		t.Errorf("default %d", d)
	}
}
