package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"

	"tdkt/app"
	"tdkt/config"
	"tdkt/domain"
	"tdkt/workflows"
)

func pdf(n int) []byte { return append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), n)...) }

func zipOf(t testing.TB, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, n := range names {
		var f interface{ Write([]byte) (int, error) }
		var err error
		if n == "mimetype" {
			f, err = w.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
			if err == nil {
				_, err = f.Write([]byte("application/vnd.oasis.opendocument.text"))
			}
		} else {
			f, err = w.Create(n)
			if err == nil {
				_, err = f.Write([]byte("<xml/>"))
			}
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

func TestSniff(t *testing.T) {
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"pdf":        {pdf(10), app.TypePDF},
		"doc":        {wordDOC(), app.TypeDOC},
		"bare OLE":   {append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, 0, 0), ""},
		"xls":        {workbookXLS(), ""},
		"docx":       {zipOf(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), app.TypeDOCX},
		"odt":        {zipOf(t, "mimetype", "content.xml"), app.TypeODT},
		"jpeg":       {[]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, app.TypeJPEG},
		"png":        {[]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0}, app.TypePNG},
		"plain zip":  {zipOf(t, "a.txt"), ""},
		"xlsx":       {zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), ""},
		"text":       {[]byte("hello, this is text"), ""},
		"html":       {[]byte("<html><body>%PDF-</body></html>"), ""},
		"empty":      {nil, ""},
		"short zip":  {[]byte("PK\x03\x04"), ""},
		"gif":        {[]byte("GIF89a"), ""},
		"exe":        {[]byte("MZ\x90\x00"), ""},
		"pdf in zip": {zipOf(t, "x.pdf"), ""},
	} {
		if got := app.Sniff(c.b); got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}

type part struct {
	name, filename string
	data           []byte
}

func multipartBody(t testing.TB, parts ...part) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		var err error
		if p.filename != "" {
			fw, e := w.CreateFormFile(p.name, p.filename)
			if e == nil {
				_, e = fw.Write(p.data)
			}
			err = e
		} else {
			err = w.WriteField(p.name, string(p.data))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	return w.FormDataContentType(), b.Bytes()
}

func (e *env) upload(as *domain.Actor, id string, parts ...part) *httptest.ResponseRecorder {
	return e.uploadKeyed(as, id, "", parts...)
}

// uploadKeyed uploads with an Idempotency-Key ("" none).
func (e *env) uploadKeyed(as *domain.Actor, id, key string, parts ...part) *httptest.ResponseRecorder {
	e.t.Helper()
	ct, body := multipartBody(e.t, parts...)
	r := httptest.NewRequest("POST", "/api/v1/dossiers/"+id+"/documents", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	if key != "" {
		r.Header.Set("Idempotency-Key", key)
	}
	r.Header.Set("Authorization", "Bearer "+token(e.t, *as))
	rec := httptest.NewRecorder()
	e.s.Handler().ServeHTTP(rec, r)
	return rec
}

func (e *env) expectAttach(err error) *client.UpdateWorkflowOptions {
	var got client.UpdateWorkflowOptions
	e.tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(
		func(ctx context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
			got = o
			v := view("HS-2025-000001", domain.Reception)
			v.Version = 4
			return handle(v, err), nil
		})
	return &got
}

// An upload with an Idempotency-Key is attached once however often it is
// repeated: the update's id comes from the key, and Temporal answers a
// repeated update id with its first outcome (the mock does as Temporal).
// A repeat answers 200 with the first document and discards its own bytes;
// the same key with another file is 422; another key is another document.
func TestUploadIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	first := map[string]workflows.Outcome{}
	var ids []string
	e.tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(
		func(ctx context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
			ids = append(ids, o.UpdateID)
			out, seen := first[o.UpdateID]
			if !seen {
				doc := *o.Args[0].(domain.Command).Document
				v := view("HS-2025-000001", domain.Reception)
				v.Version = int64(2 + len(first))
				v.Documents = append(v.Documents, doc)
				out = workflows.Outcome{View: v, Entries: []domain.HistoryEntry{{Seq: v.Version, Action: domain.ActAttachDocument,
					Details: &domain.Details{Document: &doc}}}}
				first[o.UpdateID] = out
			}
			h := &mocks.WorkflowUpdateHandle{}
			h.On("Get", mock.Anything, mock.Anything).Return(func(ctx context.Context, ptr any) error {
				*(ptr.(*workflows.Outcome)) = out
				return nil
			})
			return h, nil
		})
	file := []part{{name: "kind", data: []byte("to_trinh")}, {name: "file", filename: "a.pdf", data: pdf(800)}}
	rec := e.uploadKeyed(&unitA, "HS-2025-000001", "up-1", file...)
	if rec.Code != 201 {
		t.Fatalf("first: %d %s", rec.Code, rec.Body.String())
	}
	var d1, d2 domain.Document
	_ = json.Unmarshal(rec.Body.Bytes(), &d1)
	rec = e.uploadKeyed(&unitA, "HS-2025-000001", "up-1", file...)
	_ = json.Unmarshal(rec.Body.Bytes(), &d2)
	if rec.Code != 200 || d2.ID != d1.ID {
		t.Fatalf("repeat: %d %s, first %s", rec.Code, rec.Body.String(), d1.ID)
	}
	if ids[0] != ids[1] || !strings.HasPrefix(ids[0], "doc-") {
		t.Errorf("update ids %v", ids)
	}
	if _, kept := e.store.docs[d1.ID]; !kept || len(e.store.deleted) != 1 {
		t.Errorf("the first document must stay and the repeat's bytes go: deleted %v", e.store.deleted)
	}
	// The same key with another file: 422, nothing kept.
	other := []part{{name: "kind", data: []byte("to_trinh")}, {name: "file", filename: "b.pdf", data: pdf(900)}}
	p := problemOf(t, e.uploadKeyed(&unitA, "HS-2025-000001", "up-1", other...), 422)
	if fields(p)[0] != "Idempotency-Key" || len(e.store.deleted) != 2 {
		t.Errorf("fields %v, deleted %v", fields(p), e.store.deleted)
	}
	// Another key, or none: another document.
	if rec := e.uploadKeyed(&unitA, "HS-2025-000001", "up-2", file...); rec.Code != 201 {
		t.Fatalf("another key: %d %s", rec.Code, rec.Body.String())
	}
	if rec := e.upload(&unitA, "HS-2025-000001", file...); rec.Code != 201 || ids[len(ids)-1] == ids[len(ids)-2] {
		t.Fatalf("no key: %d (ids %v)", rec.Code, ids)
	}
	// A key too long is refused before anything is read.
	problemOf(t, e.uploadKeyed(&unitA, "HS-2025-000001", strings.Repeat("k", 129), file...), 422)
}

func TestUpload(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	got := e.expectAttach(nil)
	name := "Biên bản họp xét.pdf"
	for i, order := range [][]part{
		{{name: "kind", data: []byte("bien_ban_hop")}, {name: "file", filename: name, data: pdf(1000)}},
		{{name: "file", filename: name, data: pdf(1000)}, {name: "kind", data: []byte("bien_ban_hop")}}, // file first
	} {
		rec := e.upload(&unitA, "HS-2025-000001", order...)
		if rec.Code != http.StatusCreated {
			t.Fatalf("order %d: %d %s", i, rec.Code, rec.Body.String())
		}
		var d domain.Document
		_ = json.Unmarshal(rec.Body.Bytes(), &d)
		if d.ContentType != app.TypePDF || d.Kind != domain.DocBienBanHop || d.Filename != name || d.Size != int64(len(pdf(1000))) || d.SHA256 == "" {
			t.Errorf("document %+v", d)
		}
		cmd := got.Args[0].(domain.Command)
		if got.UpdateName != "attach_document" || cmd.Action != domain.ActAttachDocument || cmd.Document == nil || cmd.Document.ID != d.ID || cmd.Actor.ID != unitA.ID {
			t.Errorf("attach %+v %+v", got, cmd)
		}
		if !strings.HasSuffix(rec.Header().Get("Location"), "/documents/"+d.ID) {
			t.Errorf("location %s", rec.Header().Get("Location"))
		}
		// Download it back.
		r := httptest.NewRequest("GET", "/api/v1/dossiers/HS-2025-000001/documents/"+d.ID, nil)
		r.Header.Set("Authorization", "Bearer "+token(t, officer))
		dl := httptest.NewRecorder()
		e.s.Handler().ServeHTTP(dl, r)
		if dl.Code != 200 || dl.Header().Get("Content-Type") != app.TypePDF || dl.Header().Get("Content-Length") != "1009" ||
			!bytes.Equal(dl.Body.Bytes(), pdf(1000)) {
			t.Fatalf("download %d %v", dl.Code, dl.Header())
		}
		cd := dl.Header().Get("Content-Disposition")
		if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp%20x%C3%A9t.pdf") {
			t.Errorf("Content-Disposition %s", cd)
		}
		// Another unit may not.
		r.Header.Set("Authorization", "Bearer "+token(t, unitB))
		dl = httptest.NewRecorder()
		e.s.Handler().ServeHTTP(dl, r)
		problemOf(t, dl, 404)
	}
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001/documents/nope", as: &officer}), 404)
}

func TestUploadRefusals(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	e.store.put(view("HS-2025-000002", domain.Appraisal))
	kind := part{name: "kind", data: []byte("to_trinh")}
	big := make([]byte, 0, (1<<20)+100)
	big = append(big, pdf((1<<20)+50)...)
	cases := []struct {
		name   string
		as     *domain.Actor
		id     string
		parts  []part
		status int
		field  string
	}{
		{"text file", &unitA, "HS-2025-000001", []part{kind, {name: "file", filename: "a.pdf", data: []byte("not a pdf at all")}}, 415, ""},
		{"plain zip named docx", &unitA, "HS-2025-000001", []part{kind, {name: "file", filename: "a.docx", data: zipOf(t, "a.txt")}}, 415, ""},
		{"too large", &unitA, "HS-2025-000001", []part{kind, {name: "file", filename: "a.pdf", data: big}}, 413, ""},
		{"too large, file first", &unitA, "HS-2025-000001", []part{{name: "file", filename: "a.pdf", data: big}, kind}, 413, ""},
		{"wrong stage", &unitA, "HS-2025-000002", []part{kind, {name: "file", filename: "a.pdf", data: pdf(10)}}, 409, ""},
		{"officer", &officer, "HS-2025-000001", []part{kind, {name: "file", filename: "a.pdf", data: pdf(10)}}, 403, ""},
		{"other unit", &unitB, "HS-2025-000001", []part{kind, {name: "file", filename: "a.pdf", data: pdf(10)}}, 404, ""},
		{"unit+council of another unit", &unitPlus, "HS-2025-000001", []part{kind, {name: "file", filename: "a.pdf", data: pdf(10)}}, 403, ""},
		{"no such dossier", &unitA, "HS-2025-000404", []part{kind, {name: "file", filename: "a.pdf", data: pdf(10)}}, 404, ""},
		{"unknown kind", &unitA, "HS-2025-000001", []part{{name: "kind", data: []byte("selfie")}, {name: "file", filename: "a.pdf", data: pdf(10)}}, 422, "kind"},
		{"no kind", &unitA, "HS-2025-000001", []part{{name: "file", filename: "a.pdf", data: pdf(10)}}, 422, "kind"},
		{"no file", &unitA, "HS-2025-000001", []part{kind}, 422, "file"},
		{"empty file", &unitA, "HS-2025-000001", []part{kind, {name: "file", filename: "a.pdf", data: []byte{}}}, 422, "file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := problemOf(t, e.upload(tc.as, tc.id, tc.parts...), tc.status)
			if tc.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tc.field) {
				t.Errorf("errors %+v", p.Errors)
			}
			if tc.status == 409 && p.Stage != domain.Appraisal {
				t.Errorf("409 without the stage: %+v", p)
			}
		})
	}
	if len(e.store.docs) != 0 {
		t.Errorf("refused uploads left documents: %v", e.store.docs)
	}
	assertNoStateChange(t, e.tc)

	// Not multipart at all.
	problemOf(t, e.do(req{method: "POST", path: "/api/v1/dossiers/HS-2025-000001/documents", as: &unitA, body: `{"file":"x"}`}), 415)
}

func TestUploadRefusedByWorkflowLeavesNothing(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	e.expectAttach(refusalErr(domain.Error{Kind: domain.ErrConflict, Stage: domain.Appraisal, Detail: "moved on"}))
	p := problemOf(t, e.upload(&unitA, "HS-2025-000001", part{name: "kind", data: []byte("khac")},
		part{name: "file", filename: "x.png", data: []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2, 3}}), 409)
	if p.Stage != domain.Appraisal {
		t.Errorf("%+v", p)
	}
	if len(e.store.docs) != 0 || len(e.store.deleted) != 1 {
		t.Errorf("docs %v deleted %v", e.store.docs, e.store.deleted)
	}
}

func TestFilenames(t *testing.T) {
	for in, want := range map[string]string{
		"Tờ trình.pdf":           "Tờ trình.pdf",
		`C:\Users\a\b.pdf`:       "b.pdf",
		"../../etc/passwd":       "passwd",
		"a\x00b\r\nc.pdf":        "abc.pdf",
		"bad\xffutf8.pdf":        "badutf8.pdf",
		"":                       "document",
		"..":                     "document",
		strings.Repeat("ả", 200): strings.Repeat("ả", 85),
	} {
		if got := app.CleanFilename(in); got != want {
			t.Errorf("cleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
	if got := contentDisposition(`a"b;c%.pdf`); got != `attachment; filename="a_b_c_.pdf"; filename*=UTF-8''a%22b%3Bc%25.pdf` {
		t.Errorf("%s", got)
	}
}

// The hardening of uploads (issue "Hardening", items 1 and 4).

// A compound file (MS-CFB) directory entry for cfbFile.
type cfbEntry struct {
	name               string
	typ                byte // 1 storage, 2 stream, 5 root
	left, right, child uint32
}

const cfbNone = 0xFFFFFFFF

// cfbFile builds a version 3 compound file: sector 0 is the FAT, then the
// directory (entries[0] is the root). Streams have no data: only the
// directory matters to the detection.
func cfbFile(entries ...cfbEntry) []byte {
	le := binary.LittleEndian
	dirSectors := (len(entries) + 3) / 4
	out := make([]byte, 512*(2+dirSectors))
	copy(out, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(out[24:], 0x3E)
	le.PutUint16(out[26:], 3)
	le.PutUint16(out[28:], 0xFFFE)
	le.PutUint16(out[30:], 9)
	le.PutUint16(out[32:], 6)
	le.PutUint32(out[44:], 1)          // one FAT sector
	le.PutUint32(out[48:], 1)          // the directory starts at sector 1
	le.PutUint32(out[56:], 4096)       // mini stream cutoff
	le.PutUint32(out[60:], 0xFFFFFFFE) // no mini FAT
	le.PutUint32(out[68:], 0xFFFFFFFE) // no DIFAT sectors
	for i := 76; i < 512; i += 4 {
		le.PutUint32(out[i:], cfbNone)
	}
	le.PutUint32(out[76:], 0) // the FAT is sector 0
	fat := out[512:1024]
	for i := 0; i < 128; i++ {
		le.PutUint32(fat[4*i:], cfbNone)
	}
	le.PutUint32(fat[0:], 0xFFFFFFFD)
	for s := 1; s <= dirSectors; s++ {
		next := uint32(s + 1)
		if s == dirSectors {
			next = 0xFFFFFFFE
		}
		le.PutUint32(fat[4*s:], next)
	}
	for i, e := range entries {
		d := out[1024+128*i : 1024+128*(i+1)]
		u := utf16.Encode([]rune(e.name))
		for j, c := range u {
			le.PutUint16(d[2*j:], c)
		}
		le.PutUint16(d[64:], uint16(2*len(u)+2))
		d[66], d[67] = e.typ, 1
		le.PutUint32(d[68:], e.left)
		le.PutUint32(d[72:], e.right)
		le.PutUint32(d[76:], e.child)
		le.PutUint32(d[116:], 0xFFFFFFFE)
	}
	return out
}

// wordDOC is a Word 97-2003 document's directory: WordDocument and 1Table
// under the root.
func wordDOC() []byte {
	return cfbFile(
		cfbEntry{name: "Root Entry", typ: 5, left: cfbNone, right: cfbNone, child: 1},
		cfbEntry{name: "1Table", typ: 2, left: cfbNone, right: 2, child: cfbNone},
		cfbEntry{name: "WordDocument", typ: 2, left: cfbNone, right: cfbNone, child: cfbNone},
	)
}

// workbookXLS is an Excel 97-2003 workbook: a compound file, not Word.
func workbookXLS() []byte {
	return cfbFile(
		cfbEntry{name: "Root Entry", typ: 5, left: cfbNone, right: cfbNone, child: 1},
		cfbEntry{name: "Workbook", typ: 2, left: cfbNone, right: cfbNone, child: cfbNone},
	)
}

// zipWith is a zip of the given entries and contents, in order.
func zipWith(t testing.TB, entries ...[2]string) []byte {
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
	docxTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	docmTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`
	wordBody = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Tờ trình</w:t></w:r></w:p></w:body></w:document>`
)

func TestUploadJudgedByContent(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	e.expectAttach(nil)
	kind := part{name: "kind", data: []byte("to_trinh")}
	docx := zipWith(t, [2]string{"[Content_Types].xml", docxTypes}, [2]string{"_rels/.rels", "<Relationships/>"},
		[2]string{"word/document.xml", wordBody})
	accepted := []struct {
		name, filename string
		data           []byte
		ctype, stored  string
	}{
		{"Word 97-2003", "Tờ trình.doc", wordDOC(), app.TypeDOC, "Tờ trình.doc"},
		{"DOCX", "Tờ trình.docx", docx, app.TypeDOCX, "Tờ trình.docx"},
		// The stored name's extension follows the type found.
		{"PDF named .docx", "Tờ trình số 1.docx", pdf(100), app.TypePDF, "Tờ trình số 1.pdf"},
		{"DOC named .pdf", "Báo cáo.pdf", wordDOC(), app.TypeDOC, "Báo cáo.doc"},
		{"PNG without an extension", "Ảnh chụp", []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2}, app.TypePNG, "Ảnh chụp.png"},
		{"JPEG named .JPEG", "ẢNH.JPEG", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, app.TypeJPEG, "ẢNH.JPEG"},
		{"a dot that is not an extension", "Quyết định 12.QĐ", pdf(10), app.TypePDF, "Quyết định 12.QĐ.pdf"},
		{"DOCX named .docm", "Tờ trình.docm", docx, app.TypeDOCX, "Tờ trình.docx"},
	}
	for _, c := range accepted {
		rec := e.upload(&unitA, "HS-2025-000001", kind, part{name: "file", filename: c.filename, data: c.data})
		if rec.Code != http.StatusCreated {
			t.Errorf("%s: %d %s", c.name, rec.Code, rec.Body.String())
			continue
		}
		var d domain.Document
		_ = json.Unmarshal(rec.Body.Bytes(), &d)
		if d.ContentType != c.ctype || d.Filename != c.stored {
			t.Errorf("%s: stored as %q %q, want %q %q", c.name, d.Filename, d.ContentType, c.stored, c.ctype)
		}
	}
	stored := len(e.store.docs)

	refused := []struct {
		name string
		data []byte
	}{
		// An OLE compound file is a .doc only if it is a Word document.
		{"Excel 97-2003 workbook", workbookXLS()},
		{"a bare OLE header", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)},
		{"WordDocument only inside a sub-storage", cfbFile(
			cfbEntry{name: "Root Entry", typ: 5, left: cfbNone, right: cfbNone, child: 1},
			cfbEntry{name: "ObjectPool", typ: 1, left: cfbNone, right: cfbNone, child: 2},
			cfbEntry{name: "WordDocument", typ: 2, left: cfbNone, right: cfbNone, child: cfbNone})},
		// Macro-enabled Word documents are refused, whatever their name.
		{"DOCM", zipWith(t, [2]string{"[Content_Types].xml", docmTypes}, [2]string{"_rels/.rels", "<Relationships/>"},
			[2]string{"word/document.xml", wordBody}, [2]string{"word/vbaProject.bin", "\xd0\xcf\x11\xe0"})},
		{"DOCM content types without the VBA part", zipWith(t, [2]string{"[Content_Types].xml", docmTypes},
			[2]string{"word/document.xml", wordBody})},
		{"DOCX content types with word/vbaProject.bin", zipWith(t, [2]string{"[Content_Types].xml", docxTypes},
			[2]string{"word/document.xml", wordBody}, [2]string{"word/vbaProject.bin", "\xd0\xcf\x11\xe0"})},
	}
	for _, c := range refused {
		for _, name := range []string{"Tờ trình.doc", "Tờ trình.docx"} {
			problemOf(t, e.upload(&unitA, "HS-2025-000001", kind, part{name: "file", filename: name, data: c.data}), http.StatusUnsupportedMediaType)
		}
	}
	if len(e.store.docs) != stored {
		t.Errorf("refused uploads stored documents: %d, want %d", len(e.store.docs), stored)
	}
}

// slowStore is the fake read model, noting whether the upload's body had
// all arrived when a document was first stored.
type slowStore struct {
	*fakeStore
	bodyDone   atomic.Bool
	putEarly   atomic.Bool
	putEntered atomic.Int32
}

func (s *slowStore) PutDocument(ctx context.Context, dossierID string, kind domain.DocumentKind, filename, contentType string, r io.Reader, maxBytes int64) (domain.Document, error) {
	s.putEntered.Add(1)
	if !s.bodyDone.Load() {
		s.putEarly.Store(true)
	}
	return s.fakeStore.PutDocument(ctx, dossierID, kind, filename, contentType, r, maxBytes)
}

// envOver is newEnv over another read model, built around its fake store.
func envOver(t *testing.T, wrap func(*fakeStore) ReadModel, cfg func(*config.Config)) *env {
	t.Helper()
	e := newEnv(t)
	c := e.s.cfg
	if cfg != nil {
		cfg(&c)
	}
	s, err := New(Deps{Temporal: e.tc, Store: wrap(e.store), Config: c, Policy: domain.DefaultPolicy(), Verifier: e.s.verifier,
		Logger: e.s.log, Now: func() time.Time { return time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	e.s = s
	return e
}

// A slow client never holds the database: the file is read whole (to
// disk) before anything is stored, whichever order the parts come in.
func TestUploadReadsTheFileBeforeStoring(t *testing.T) {
	var slow *slowStore
	e := envOver(t, func(f *fakeStore) ReadModel { slow = &slowStore{fakeStore: f}; return slow }, nil)
	e.store.put(view("HS-2025-000001", domain.Reception))
	e.expectAttach(nil)
	for _, kindFirst := range []bool{true, false} {
		slow.bodyDone.Store(false)
		slow.putEarly.Store(false)
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		if kindFirst {
			mw.WriteField("kind", "to_trinh")
		}
		fw, _ := mw.CreateFormFile("file", "Tờ trình.pdf")
		fw.Write(pdf(200 << 10))
		if !kindFirst {
			mw.WriteField("kind", "to_trinh")
		}
		mw.Close()
		body := b.Bytes()
		pr, pw := io.Pipe()
		r := httptest.NewRequest("POST", "/api/v1/dossiers/HS-2025-000001/documents", pr)
		r.Header.Set("Content-Type", mw.FormDataContentType())
		r.Header.Set("Authorization", "Bearer "+token(t, unitA))
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { e.s.Handler().ServeHTTP(rec, r); close(done) }()
		// The first 100 KB arrive, then the client stalls.
		if _, err := pw.Write(body[:100<<10]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		if slow.putEntered.Load() > 0 && slow.putEarly.Load() {
			t.Errorf("kind first %v: the store was called while the client was still sending", kindFirst)
		}
		slow.bodyDone.Store(true)
		pw.Write(body[100<<10:])
		pw.Close()
		<-done
		if rec.Code != http.StatusCreated {
			t.Fatalf("kind first %v: %d %s", kindFirst, rec.Code, rec.Body.String())
		}
		if slow.putEarly.Load() {
			t.Errorf("kind first %v: the store was called before the body had arrived", kindFirst)
		}
	}
}

// At most TDKT_MAX_DOCUMENTS (50) documents per dossier: the 51st is 409
// (the dossier's state refuses it, not a field) and changes nothing.
func TestUploadDocumentLimit(t *testing.T) {
	e := newEnv(t)
	v := view("HS-2025-000001", domain.Reception)
	for i := 0; i < 50; i++ {
		v.Documents = append(v.Documents, domain.Document{ID: fmt.Sprintf("d%d", i), Kind: domain.DocKhac,
			Filename: "x.pdf", ContentType: app.TypePDF, Size: 10})
	}
	e.store.put(v)
	p := problemOf(t, e.upload(&unitA, "HS-2025-000001", part{name: "kind", data: []byte("khac")},
		part{name: "file", filename: "x.pdf", data: pdf(10)}), http.StatusConflict)
	if p.Stage != domain.Reception || !strings.Contains(p.Detail, "50") {
		t.Errorf("%+v", p)
	}
	if len(e.store.docs) != 0 {
		t.Errorf("the refused upload stored %d documents", len(e.store.docs))
	}
	assertNoStateChange(t, e.tc)

	// One fewer: accepted.
	v.Documents = v.Documents[:49]
	e.store.put(v)
	e.expectAttach(nil)
	if rec := e.upload(&unitA, "HS-2025-000001", part{name: "kind", data: []byte("khac")},
		part{name: "file", filename: "x.pdf", data: pdf(10)}); rec.Code != http.StatusCreated {
		t.Fatalf("the 50th: %d %s", rec.Code, rec.Body.String())
	}
}

// serveOn runs e's server on a loopback port until the test ends.
func serveOn(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.s.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// answerWithin reads what the server sends on conn until it closes the
// connection or limit passes; it says whether it closed in time.
func answerWithin(conn net.Conn, limit time.Duration) (string, bool) {
	conn.SetReadDeadline(time.Now().Add(limit))
	b, err := io.ReadAll(conn)
	var ne net.Error
	return string(b), !(errors.As(err, &ne) && ne.Timeout())
}

// The HTTP server bounds how long it waits for a request's header and for
// its whole body (TDKT_HTTP_READ_HEADER_TIMEOUT, TDKT_HTTP_READ_TIMEOUT):
// a client that stalls is cut off, and its upload stored nothing.
func TestServeReadTimeouts(t *testing.T) {
	e := envOver(t, func(f *fakeStore) ReadModel { return f }, func(c *config.Config) {
		c.HTTPReadHeaderTimeout = 300 * time.Millisecond
		c.HTTPReadTimeout = time.Second
	})
	e.store.put(view("HS-2025-000001", domain.Reception))
	addr := serveOn(t, e)

	// A header that never ends.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
	if _, closed := answerWithin(conn, 4*time.Second); !closed {
		t.Errorf("a stalled request header held the connection past 4 s (ReadHeaderTimeout 300 ms)")
	}

	// An upload whose body stops halfway.
	ct, body := multipartBody(t, part{name: "kind", data: []byte("to_trinh")}, part{name: "file", filename: "a.pdf", data: pdf(100 << 10)})
	conn2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	fmt.Fprintf(conn2, "POST /api/v1/dossiers/HS-2025-000001/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: %s\r\nContent-Length: %d\r\n\r\n", token(t, unitA), ct, len(body))
	conn2.Write(body[:len(body)/2])
	answer, closed := answerWithin(conn2, 5*time.Second)
	if !closed {
		t.Errorf("a stalled upload body held the connection past 5 s (ReadTimeout 1 s)")
	}
	if answer != "" && !strings.HasPrefix(answer, "HTTP/1.1 400") {
		t.Errorf("a stalled upload: %q", answer)
	}
	if len(e.store.docs) != 0 {
		t.Errorf("a stalled upload stored %d documents", len(e.store.docs))
	}
}

// The read timeout bounds reading the request, not the work after it: an
// attach that ends after the deadline still succeeds.
func TestUploadOutlivesReadTimeout(t *testing.T) {
	e := envOver(t, func(f *fakeStore) ReadModel { return f }, func(c *config.Config) {
		c.HTTPReadHeaderTimeout = 300 * time.Millisecond
		c.HTTPReadTimeout = 500 * time.Millisecond
	})
	e.store.put(view("HS-2025-000001", domain.Reception))
	v := view("HS-2025-000001", domain.Reception)
	v.Version = 4
	slow := &mockHandleSlowCtx{v: v, d: 1200 * time.Millisecond}
	e.tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(
		func(ctx context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
			return slow, nil
		})
	addr := serveOn(t, e)
	ct, body := multipartBody(t, part{name: "kind", data: []byte("to_trinh")}, part{name: "file", filename: "a.pdf", data: pdf(1000)})
	r, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/dossiers/HS-2025-000001/documents", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Authorization", "Bearer "+token(t, unitA))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

// mockHandleSlowCtx is an update that takes d, or ends with its context.
type mockHandleSlowCtx struct {
	client.WorkflowUpdateHandle
	v domain.View
	d time.Duration
}

func (m *mockHandleSlowCtx) Get(ctx context.Context, ptr any) error {
	select {
	case <-time.After(m.d):
	case <-ctx.Done():
		return ctx.Err()
	}
	*(ptr.(*workflows.Outcome)) = workflows.Outcome{View: m.v}
	return nil
}
