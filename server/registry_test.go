package server

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tdkt/domain"
)

// A dossier's unit must be in the unit directory: a unit token whose unit
// the directory lacks is refused with 422 naming the field, and nothing
// reaches Temporal.
func TestSubmitFromUnknownUnit(t *testing.T) {
	e := newEnv(t)
	stranger := domain.Actor{ID: "u-z", Name: "Đơn vị lạ", Roles: []domain.Role{domain.RoleUnit}, Unit: "UBND-TP"}
	p := problemOf(t, e.do(req{method: "POST", path: "/api/v1/dossiers", as: &stranger, body: goodSubmission}), http.StatusUnprocessableEntity)
	if got := fields(p); len(got) != 1 || got[0] != "unit" {
		t.Fatalf("fields %v, want unit", got)
	}
	if !strings.Contains(p.Errors[0].Message, "UBND-TP") {
		t.Errorf("the refusal names the unit: %q", p.Errors[0].Message)
	}
	vi := e.do(req{method: "POST", path: "/api/v1/dossiers", as: &stranger, body: goodSubmission, headers: map[string]string{"Accept-Language": "vi"}})
	p = problemOf(t, vi, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Errors[0].Message, "Đơn vị chưa có trong danh mục đơn vị") {
		t.Errorf("Vietnamese: %q", p.Errors[0].Message)
	}
	assertNoStateChange(t, e.tc)
}

func TestUnitsAPI(t *testing.T) {
	e := newEnv(t)
	rec := e.do(req{method: "GET", path: "/api/v1/units", as: &member})
	if rec.Code != http.StatusOK {
		t.Fatalf("any role reads the directory: %d %s", rec.Code, rec.Body)
	}
	var list struct{ Items []domain.Unit }
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Items) != 2 {
		t.Fatalf("units %s (%v)", rec.Body, err)
	}
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/units"}), http.StatusUnauthorized)
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/units?kind=huyen", as: &member}), http.StatusUnprocessableEntity)
	rec = e.do(req{method: "GET", path: "/api/v1/units?kind=so_ban_nganh&block=" + url.QueryEscape("Khối Văn hóa - Xã hội"), as: &unitA})
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Items) != 2 {
		t.Fatalf("filtered units %s (%v)", rec.Body, err)
	}
	rec = e.do(req{method: "GET", path: "/api/v1/units?kind=xa", as: &unitA})
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Items) != 0 {
		t.Fatalf("no commune in the fake directory: %s (%v)", rec.Body, err)
	}

	ward := `{"code":"P-DOANKET","name":"Phường Đoàn Kết","kind":"phuong","block":"Cụm thi đua số 1"}`
	problemOf(t, e.do(req{method: "POST", path: "/api/v1/units", as: &officer, body: ward}), http.StatusForbidden)
	rec = e.do(req{method: "POST", path: "/api/v1/units", as: &admin, body: ward})
	if rec.Code != http.StatusCreated || rec.Header().Get("Location") != "/api/v1/units/P-DOANKET" {
		t.Fatalf("create: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	p := problemOf(t, e.do(req{method: "POST", path: "/api/v1/units", as: &admin, body: ward}), http.StatusUnprocessableEntity)
	if fields(p)[0] != "code" {
		t.Errorf("a code already used: %v", fields(p))
	}
	p = problemOf(t, e.do(req{method: "POST", path: "/api/v1/units", as: &admin, body: `{"code":"huyện x","name":"","kind":"huyen"}`}), http.StatusUnprocessableEntity)
	if got := strings.Join(fields(p), ","); got != "code,kind,name" {
		t.Errorf("fields %s", got)
	}
	rec = e.do(req{method: "PUT", path: "/api/v1/units/P-DOANKET", as: &admin, body: `{"name":"Phường Đoàn Kết","kind":"phuong","block":"Cụm thi đua số 2"}`})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Cụm thi đua số 2") {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	problemOf(t, e.do(req{method: "PUT", path: "/api/v1/units/KHONGCO", as: &admin, body: ward}), http.StatusUnprocessableEntity)
	p = problemOf(t, e.do(req{method: "PUT", path: "/api/v1/units/KHONGCO", as: &admin, body: `{"name":"X","kind":"xa"}`,
		headers: map[string]string{"Accept-Language": "vi"}}), http.StatusNotFound)
	if p.Detail != "Không có đơn vị này trong danh mục đơn vị." {
		t.Errorf("404 for a unit: %q", p.Detail)
	}
	problemOf(t, e.do(req{method: "PUT", path: "/api/v1/units/SYT", as: &unitB, body: `{"name":"X","kind":"xa"}`}), http.StatusForbidden)

	// A unit the administrator added may submit.
	e.expectSubmit()
	ward2 := domain.Actor{ID: "u-dk", Name: "Phường Đoàn Kết", Roles: []domain.Role{domain.RoleUnit}, Unit: "P-DOANKET"}
	rec = e.do(req{method: "POST", path: "/api/v1/dossiers", as: &ward2, body: goodSubmission})
	if rec.Code != http.StatusCreated {
		t.Fatalf("submit from an added unit: %d %s", rec.Code, rec.Body)
	}
}

func multipartFile(t *testing.T, field string, content []byte) (string, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, "so-khen-thuong.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// The import's refusals before any row is recorded: who, how the body
// comes, what the file is; the report lists the refused rows.
func TestRegistryImportRefusals(t *testing.T) {
	e := newEnv(t)
	body, ct := multipartFile(t, "file", []byte("Họ và tên,Năm\r\nLò Văn A,2024\r\n"))
	problemOf(t, e.do(req{method: "POST", path: "/api/v1/registry/imports", as: &unitA, body: body, ct: ct}), http.StatusForbidden)
	problemOf(t, e.do(req{method: "POST", path: "/api/v1/registry/imports", as: &officer, body: "x", ct: "text/csv"}), http.StatusUnsupportedMediaType)
	nofile, nct := multipartFile(t, "other", []byte("x"))
	p := problemOf(t, e.do(req{method: "POST", path: "/api/v1/registry/imports", as: &officer, body: nofile, ct: nct}), http.StatusUnprocessableEntity)
	if fields(p)[0] != "file" {
		t.Errorf("no file: %v", fields(p))
	}
	rec := e.do(req{method: "POST", path: "/api/v1/registry/imports", as: &officer, body: body, ct: ct, headers: map[string]string{"Accept-Language": "vi"}})
	p = problemOf(t, rec, http.StatusUnprocessableEntity)
	if !strings.HasPrefix(p.Detail, "Tệp chưa được nhập: dòng tiêu đề (dòng 1) không khớp") || len(p.Rows) != 1 || p.Rows[0].Row != 1 {
		t.Errorf("wrong columns: %+v", p)
	}
	if !strings.Contains(p.Errors[0].Message, "thiếu cột «Đối tượng»") {
		t.Errorf("the field message stays as the report says it: %q", p.Errors[0].Message)
	}
	junk, jct := multipartFile(t, "file", bytes.Repeat([]byte{0xff, 0x00, 0x13}, 1000))
	p = problemOf(t, e.do(req{method: "POST", path: "/api/v1/registry/imports", as: &officer, body: junk, ct: jct}), http.StatusUnprocessableEntity)
	if !strings.Contains(p.Errors[0].Message, "không phải bảng tính") {
		t.Errorf("junk: %+v", p)
	}
	// Over the upload limit (1 MB in these tests): 413 before it is read.
	big, bct := multipartFile(t, "file", bytes.Repeat([]byte("a,b\n"), 1<<19))
	problemOf(t, e.do(req{method: "POST", path: "/api/v1/registry/imports", as: &officer, body: big, ct: bct}), http.StatusRequestEntityTooLarge)
	assertNoStateChange(t, e.tc)
}

func TestRegistryReadRefusals(t *testing.T) {
	e := newEnv(t)
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/registry", as: &member}), http.StatusForbidden)
	p := problemOf(t, e.do(req{method: "GET", path: "/api/v1/registry?year=abc&award=NOPE&limit=0", as: &officer}), http.StatusUnprocessableEntity)
	if got := strings.Join(fields(p), ","); got != "award,limit,year" {
		t.Errorf("fields %s", got)
	}
	problemOf(t, e.do(req{method: "POST", path: "/api/v1/registry", as: &unitA, body: `{}`}), http.StatusForbidden)
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/registry/template?format=ods", as: &officer}), http.StatusUnprocessableEntity)
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/registry/template", as: &unitA}), http.StatusForbidden)
	rec := e.do(req{method: "GET", path: "/api/v1/registry/template?format=csv", as: &officer})
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "\ufeffĐối tượng,") ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "mau-so-khen-thuong.csv") {
		t.Errorf("csv template: %d %v %q", rec.Code, rec.Header(), rec.Body.String())
	}
}
