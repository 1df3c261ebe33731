package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"

	"tdkt/app"
	"tdkt/domain"
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
		"doc":        {append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, 0, 0), app.TypeDOC},
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
	e.t.Helper()
	ct, body := multipartBody(e.t, parts...)
	r := httptest.NewRequest("POST", "/api/v1/dossiers/"+id+"/documents", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
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
