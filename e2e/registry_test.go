package e2e

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"tdkt/app"
	"tdkt/auth"
	"tdkt/domain"
)

// lowerTitles is a realistic workbook of a year's lower titles, as a unit's
// office keeps it: an STT column, decisions typed as text the Vietnamese
// way, dates of birth as spreadsheet dates, citizen ids in a text column.
// tag makes the names unique to one test.
func lowerTitles(t *testing.T, tag string, n int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"STT"}
	for _, c := range app.RegistryColumns {
		head = append(head, c.Header)
	}
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &head))
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	require.NoError(t, err)
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	require.NoError(t, err)
	require.NoError(t, f.SetColStyle("Sheet1", "E", text))
	families := []string{"Nguyễn", "Lò", "Đặng", "Vàng", "Giàng", "Lường", "Tòng", "Hoàng"}
	given := []string{"Văn Thắng", "Thị Hương", "A Páo", "Thị Dung", "Văn Minh", "Thị Mai", "Đức Anh", "Thị Lan"}
	units := []string{"SGDDT", "SYT", "X-SINHO", "P-TANPHONG", "X-MUONGTE", "X-THANUYEN"}
	for i := range n {
		award, kind := "LDTT", "Công trạng"
		if i%5 == 0 {
			award = "CSTD_CO_SO"
		}
		row := []any{i + 1, "Cá nhân", fmt.Sprintf("%s %s %s%d", families[i%len(families)], given[(i/8)%len(given)], tag, i),
			time.Date(1970+i%30, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC), "", units[i%len(units)], award,
			2021 + i%4, kind, fmt.Sprintf("%d/QĐ-%s", 100+i%7, strings.ReplaceAll(units[i%len(units)], "-", "")),
			fmt.Sprintf("%02d/12/%d", 15+i%10, 2021+i%4)}
		if i%3 == 0 {
			row[4] = fmt.Sprintf("0121%08d", 80000000+i)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		require.NoError(t, f.SetSheetRow("Sheet1", cell, &row))
		dob, _ := excelize.CoordinatesToCellName(4, i+2)
		require.NoError(t, f.SetCellStyle("Sheet1", dob, dob, dateStyle))
	}
	var b bytes.Buffer
	require.NoError(t, f.Write(&b))
	return b.Bytes()
}

func (a *api) importFile(who, name string, data []byte) reply {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(a.t, err)
	_, _ = fw.Write(data)
	require.NoError(a.t, mw.Close())
	return a.do("POST", "/api/v1/registry/imports", who, &buf, map[string]string{"Content-Type": mw.FormDataContentType(), "Accept-Language": "vi"})
}

// The registry over HTTP on the real stack (issue 13): the unit directory;
// an XLSX of 300 lower titles imported and read back with filters and
// pages; a bad file's report, row by row, with nothing imported; an award
// this engine grants appears in the registry once; a unit the directory
// lacks may not submit.
func TestRegistryOverHTTP(t *testing.T) {
	a := newAPI(t)

	units := a.do("GET", "/api/v1/units", "unitA", nil, nil)
	require.Equal(t, http.StatusOK, units.status, string(units.raw))
	codes := map[string]string{}
	for _, it := range units.body["items"].([]any) {
		u := it.(map[string]any)
		codes[u["code"].(string)] = u["name"].(string)
	}
	require.Equal(t, "Sở Giáo dục và Đào tạo", codes["SGDDT"])
	require.Equal(t, "Phường Đoàn Kết", codes["P-DOANKET"])

	// A unit's reminder addresses: the office, the administrator and the
	// unit itself read them; another unit and the chairman do not.
	made := a.do("POST", "/api/v1/units", "admin", map[string]any{"code": "X-THUDIENTU", "name": "Xã Thư Điện Tử",
		"kind": "xa", "block": "Cụm thi đua số 3 (xã)", "email": "vanthu@thudientu.laichau.gov.vn"}, nil)
	require.Equal(t, http.StatusCreated, made.status, string(made.raw))
	for who, sees := range map[string]bool{"officer": true, "admin": true, "unitA": false, "chairman": false, "c1": false} {
		r := a.do("GET", "/api/v1/units?kind=xa", who, nil, nil)
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
		require.Contains(t, string(r.raw), "X-THUDIENTU", who)
		require.Equal(t, sees, strings.Contains(string(r.raw), "vanthu@thudientu"), "%s reads the unit's e-mail: %v", who, !sees)
	}

	tpl := a.do("GET", "/api/v1/registry/template?format=xlsx", "officer", nil, nil)
	require.Equal(t, http.StatusOK, tpl.status)
	wb, err := excelize.OpenReader(bytes.NewReader(tpl.raw))
	require.NoError(t, err)
	head, err := wb.GetRows("Danh sách")
	require.NoError(t, err)
	require.Equal(t, "Đối tượng", head[0][0])

	ok := a.importFile("officer", "lao-dong-tien-tien.xlsx", lowerTitles(t, "Ezq", 300))
	require.Equal(t, http.StatusOK, ok.status, string(ok.raw))
	require.EqualValues(t, 300, ok.body["imported"])
	require.Equal(t, "xlsx", ok.body["format"])
	require.Contains(t, fmt.Sprint(ok.body["notes"]), "dd/mm/yyyy")

	// Read back: a name without diacritics, a unit's CSTD_CO_SO of 2023.
	found := a.do("GET", "/api/v1/registry?q="+url.QueryEscape("dang thi huong ezq"), "officer", nil, nil)
	require.Equal(t, http.StatusOK, found.status)
	require.NotEmpty(t, found.body["items"])
	for _, it := range found.body["items"].([]any) {
		require.Contains(t, it.(map[string]any)["name"], "Đặng Thị Hương Ezq")
	}
	f := a.do("GET", "/api/v1/registry?unit=SGDDT&award=CSTD_CO_SO&year=2021&limit=200", "admin", nil, nil)
	require.Equal(t, http.StatusOK, f.status)
	require.NotEmpty(t, f.body["items"])
	for _, it := range f.body["items"].([]any) {
		e := it.(map[string]any)
		require.Equal(t, "SGDDT", e["unit"])
		require.Equal(t, "CSTD_CO_SO", e["award_code"])
		require.EqualValues(t, 2021, e["year"])
		require.Equal(t, "import", e["source"])
		require.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, e["birth_date"])
	}
	// Keyset pages of 40 walk the 300 once.
	seen := map[string]bool{}
	path := "/api/v1/registry?q=" + url.QueryEscape("ezq") + "&limit=40"
	for path != "" {
		p := a.do("GET", path, "officer", nil, nil)
		require.Equal(t, http.StatusOK, p.status, string(p.raw))
		for _, it := range p.body["items"].([]any) {
			id := fmt.Sprint(it.(map[string]any)["id"])
			require.False(t, seen[id])
			seen[id] = true
		}
		path = ""
		if next, ok := p.body["next_cursor"].(string); ok {
			path = "/api/v1/registry?q=" + url.QueryEscape("ezq") + "&limit=40&cursor=" + url.QueryEscape(next)
		}
	}
	require.Len(t, seen, 300)
	// A unit reads its own unit's entries; a council member none.
	own := a.do("GET", "/api/v1/registry?limit=200", "unitA", nil, nil)
	require.Equal(t, http.StatusOK, own.status)
	require.NotEmpty(t, own.body["items"])
	for _, it := range own.body["items"].([]any) {
		require.Equal(t, "SGDDT", it.(map[string]any)["unit"])
	}
	require.Equal(t, http.StatusForbidden, a.do("GET", "/api/v1/registry", "c1", nil, nil).status)

	// A bad file: refused row by row, nothing imported.
	bad := lowerTitles(t, "Badq", 5)
	wb, err = excelize.OpenReader(bytes.NewReader(bad))
	require.NoError(t, err)
	require.NoError(t, wb.SetCellValue("Sheet1", "K3", "31/02/2024"))  // row 3: no such day
	require.NoError(t, wb.SetCellValue("Sheet1", "G4", "HUAN_CHUONG")) // row 4: no such award
	require.NoError(t, wb.SetCellValue("Sheet1", "F5", "UBND-TP"))     // row 5: no such unit (districts are gone)
	var b bytes.Buffer
	require.NoError(t, wb.Write(&b))
	refused := a.importFile("officer", "sai.xlsx", b.Bytes())
	require.Equal(t, http.StatusUnprocessableEntity, refused.status, string(refused.raw))
	require.Contains(t, refused.body["detail"], "Tệp chưa được nhập: 3 dòng không hợp lệ")
	rows := refused.body["rows"].([]any)
	require.Len(t, rows, 3)
	want := map[float64]string{3: "Ngày quyết định", 4: "Mã hình thức khen thưởng", 5: "Mã đơn vị"}
	for _, r := range rows {
		row := r.(map[string]any)
		require.Equal(t, want[row["row"].(float64)], row["column"], "%v", row)
		require.NotEmpty(t, row["reason"])
	}
	none := a.do("GET", "/api/v1/registry?q=badq", "officer", nil, nil)
	require.Empty(t, none.body["items"], "nothing of a refused file is imported")
	// The same good file again: every row is a duplicate.
	again := a.importFile("officer", "lao-dong-tien-tien.xlsx", lowerTitles(t, "Ezq", 300))
	require.Equal(t, http.StatusUnprocessableEntity, again.status)
	require.EqualValues(t, 300, again.body["rows_refused"])

	// One award recorded by hand, once.
	rec := map[string]any{"nominee_type": "individual", "name": "Sùng A Chá", "birth_date": "02/09/1979", "unit": "X-MUONGTE",
		"award_code": "GIAY_KHEN", "year": 2025, "decision_number": "21/QĐ-UBND", "decision_date": "2025-06-01"}
	one := a.do("POST", "/api/v1/registry", "officer", rec, nil)
	require.Equal(t, http.StatusCreated, one.status, string(one.raw))
	require.Equal(t, "manual", one.body["source"])
	require.Equal(t, "1979-09-02", one.body["birth_date"])
	require.Equal(t, http.StatusUnprocessableEntity, a.do("POST", "/api/v1/registry", "officer", rec, nil).status)

	// An award this engine grants is in the registry, once.
	// The unit gives the nominee's date of birth and citizen id (optional),
	// which the registry's key then uses.
	name := "Lò Thị Sổ Vàng"
	sub := a.do("POST", "/api/v1/dossiers", "unitA", map[string]any{
		"award_code": "BK_UBND_TINH", "kind": "merit", "achievement_period": "2026",
		"nominee": map[string]any{"type": "individual", "name": name, "birth_date": "1984-10-20", "citizen_id": "012184000777"},
		"summary": "Hoàn thành xuất sắc nhiệm vụ"}, nil)
	require.Equal(t, http.StatusCreated, sub.status, string(sub.raw))
	id := sub.body["id"].(string)
	bk, _ := domain.AwardByCode("BK_UBND_TINH")
	for _, k := range domain.RequiredDocuments(bk, domain.ProcedureRegular) {
		up := a.upload(id, "unitA", string(k), string(k)+".pdf", []byte("%PDF-1.7 "+string(k)))
		require.Equal(t, http.StatusCreated, up.status, string(up.raw))
	}
	a.act(id, "accept", "officer", nil, "appraisal")
	a.act(id, "approve", "officer", nil, "decision")
	decided := a.act(id, "decide", "chairman", nil, "awarded")
	number := decided["decision"].(map[string]any)["number"].(string)
	granted := a.do("GET", "/api/v1/registry?q="+url.QueryEscape("lo thi so vang"), "officer", nil, nil)
	require.Equal(t, http.StatusOK, granted.status)
	items := granted.body["items"].([]any)
	require.Len(t, items, 1)
	g := items[0].(map[string]any)
	require.Equal(t, id, g["dossier_id"])
	require.Equal(t, "engine", g["source"])
	require.Equal(t, number, g["decision_number"])
	require.Equal(t, "BK_UBND_TINH", g["award_code"])
	require.EqualValues(t, 2026, g["year"])
	require.Equal(t, "SGDDT", g["unit"])
	require.Equal(t, "cccd:012184000777", g["nominee_key"])
	require.Equal(t, "1984-10-20", g["birth_date"])
	badDOB := a.do("POST", "/api/v1/dossiers", "unitA", map[string]any{"award_code": "BK_UBND_TINH", "kind": "merit",
		"achievement_period": "2026", "nominee": map[string]any{"type": "individual", "name": "Y", "citizen_id": "12184000777"}}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, badDOB.status)
	require.Equal(t, "nominee.citizen_id", badDOB.body["errors"].([]any)[0].(map[string]any)["field"])

	// A unit the directory lacks may not submit (422 naming unit).
	tok, err := auth.Mint([]byte(secret), "u-tp", "UBND thành phố (cũ)", []domain.Role{domain.RoleUnit}, "UBND-TP", time.Hour)
	require.NoError(t, err)
	a.tokens["u-tp"] = tok
	gone := a.do("POST", "/api/v1/dossiers", "u-tp", map[string]any{"award_code": "BK_UBND_TINH", "kind": "merit",
		"achievement_period": "2026", "nominee": map[string]any{"type": "individual", "name": "X"}}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, gone.status, string(gone.raw))
	require.Equal(t, "unit", gone.body["errors"].([]any)[0].(map[string]any)["field"])
}

// writeTemp writes data to a file in a test's temporary directory.
func writeTemp(t *testing.T, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

// yearList is a small workbook as a commune's office sends it: real names,
// the titles of 2024 and 2025; broken adds three mistakes.
func yearList(t *testing.T, broken bool) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	var head []any
	for _, c := range app.RegistryColumns {
		head = append(head, c.Header)
	}
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &head))
	rows := [][]any{
		{"Cá nhân", "Lò Văn Thắng", "12/05/1982", "012082001234", "X-SINHO", "CSTD_CO_SO", 2024, "", "215/QĐ-UBND", "26/12/2024"},
		{"Cá nhân", "Tòng Thị Phương", "03/11/1990", "", "X-SINHO", "LDTT", 2024, "", "214/QĐ-UBND", "26/12/2024"},
		{"Cá nhân", "Giàng A Sử", "20/01/1987", "", "X-MUONGTE", "LDTT", 2024, "", "98/QĐ-UBND", "27/12/2024"},
		{"Tập thể", "Trường Phổ thông Dân tộc bán trú Tiểu học Pa Ủ", "", "", "X-MUONGTE", "GIAY_KHEN", 2024, "Đột xuất", "45/QĐ-UBND", "15/08/2024"},
		{"Cá nhân", "Lường Thị Hoa", "07/07/1985", "", "P-TANPHONG", "CSTD_CO_SO", 2025, "", "310/QĐ-UBND", "22/12/2025"},
		{"Cá nhân", "Đèo Văn Khánh", "30/04/1979", "012079004321", "SYT", "LDTT", 2025, "", "1502/QĐ-SYT", "24/12/2025"},
		{"Cá nhân", "Vàng Thị Mỷ", "14/02/1993", "", "SGDDT", "LDTT", 2025, "", "2210/QĐ-SGDĐT", "25/12/2025"},
		{"Tập thể", "Tổ Toán - Tin, Trường THPT Phong Thổ", "", "", "SGDDT", "GIAY_KHEN", 2025, "", "2211/QĐ-SGDĐT", "25/12/2025"},
	}
	if broken {
		rows[1][9] = "31/02/2024"    // no such day
		rows[2][5] = "LAO_DONG_GIOI" // no such award
		rows[4][4] = "UBND-TAMDUONG" // a district's committee: gone since 1/7/2025
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		require.NoError(t, f.SetSheetRow("Sheet1", cell, &r))
	}
	var b bytes.Buffer
	require.NoError(t, f.Write(&b))
	return b.Bytes()
}

// The officer imports a spreadsheet in the console: a file with mistakes
// is answered with the report (the reason at the top, linked to the file
// field, each refused row in a table) and changes nothing; the corrected
// file is imported and found in the registry by a name typed without
// diacritics. The administrator sees the unit directory.
func TestBrowserRegistry(t *testing.T) {
	a := newAPI(t)
	b := newTab(t, a)
	b.signIn("officer")
	b.open("/registry", http.StatusOK)
	b.press("#nhap-bang-tinh", http.StatusOK)

	b.do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{writeTemp(t, "thi-dua-xa-2024-2025.xlsx", yearList(t, true))}))
	b.press("#nhap", http.StatusUnprocessableEntity)
	require.Contains(t, b.text(".govuk-error-summary"), "Tệp chưa được nhập.")
	require.Contains(t, b.text(".govuk-error-summary__list"), "3 dòng không hợp lệ; không dòng nào được nhập")
	require.Equal(t, "#f-file", b.eval(`document.querySelector('.govuk-error-summary__list a').getAttribute('href')`))
	report := b.text("#dong-loi")
	require.Contains(t, report, "«31/02/2024» không phải ngày hợp lệ")
	require.Contains(t, report, "«LAO_DONG_GIOI» không có trong danh mục khen thưởng")
	require.Contains(t, report, "«UBND-TAMDUONG» không có trong danh mục đơn vị")
	b.shot("21-import-report")

	b.do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{writeTemp(t, "thi-dua-xa-2024-2025.xlsx", yearList(t, false))}))
	b.press("#nhap", http.StatusOK)
	require.Contains(t, b.flash(), "Đã nhập 8 dòng")
	require.Contains(t, b.flash(), "dd/mm/yyyy")
	b.do(chromedp.SendKeys(chromedp.ID("f-q"), "thi"))
	b.press("#loc", http.StatusOK)
	table := b.text("#so-khen-thuong")
	require.Contains(t, table, "Tòng Thị Phương")
	require.Contains(t, table, "Lường Thị Hoa")
	require.NotContains(t, table, "Lò Văn Thắng")
	b.open("/registry?unit=X-MUONGTE", http.StatusOK)
	require.Contains(t, b.text("#so-khen-thuong"), "Trường Phổ thông Dân tộc bán trú Tiểu học Pa Ủ")
	b.open("/registry?year=2025", http.StatusOK)
	b.shot("20-registry")

	b.signIn("admin")
	b.open("/units", http.StatusOK)
	require.Contains(t, b.text("main"), "Phường Tân Phong")
	require.Contains(t, b.text("main"), "Khối Mặt trận, đoàn thể")
	b.shot("22-units")
	// The administrator adds a unit: a code with diacritics is refused
	// with the reason linked to the field, then a good one is added.
	b.do(chromedp.SendKeys(chromedp.ID("f-code"), "Xã Nậm Cuổi"), chromedp.SendKeys(chromedp.ID("f-name"), "Xã Nậm Cuổi"),
		chromedp.SetValue(chromedp.ID("f-kind"), "xa"), chromedp.SendKeys(chromedp.ID("f-block"), "Cụm thi đua số 2 (xã)"))
	b.press("#them-don-vi", http.StatusUnprocessableEntity)
	require.Equal(t, "#f-code", b.eval(`document.querySelector('.govuk-error-summary__list a').getAttribute('href')`))
	require.Contains(t, b.text(".govuk-error-summary"), "Mã đơn vị phải là mã đơn vị")
	b.do(chromedp.SetValue(chromedp.ID("f-code"), "X-NAMCUOI"))
	b.press("#them-don-vi", http.StatusOK)
	require.Contains(t, b.flash(), "Đã thêm «Xã Nậm Cuổi» (X-NAMCUOI)")
	require.Contains(t, b.text("#X-NAMCUOI"), "Xã Nậm Cuổi")
	// and changes its emulation block.
	b.press("#sua-X-NAMCUOI", http.StatusOK)
	b.do(chromedp.Clear(chromedp.ID("f-name")))
	b.press("#luu", http.StatusUnprocessableEntity)
	require.Equal(t, "#f-name", b.eval(`document.querySelector('.govuk-error-summary__list a').getAttribute('href')`))
	b.do(chromedp.SendKeys(chromedp.ID("f-name"), "Xã Nậm Cuổi"), chromedp.SetValue(chromedp.ID("f-block"), "Cụm thi đua số 3 (xã)"))
	b.press("#luu", http.StatusOK)
	require.Contains(t, b.flash(), "Đã lưu «Xã Nậm Cuổi» (X-NAMCUOI)")
	units := a.do("GET", "/api/v1/units", "officer", nil, nil)
	require.Contains(t, string(units.raw), `{"code":"X-NAMCUOI","name":"Xã Nậm Cuổi","kind":"xa","block":"Cụm thi đua số 3 (xã)"}`)

	b.signIn("unitA")
	b.open("/registry/import", http.StatusForbidden)
	b.open("/registry", http.StatusOK)
	require.Contains(t, b.text("main"), "Vàng Thị Mỷ")
	require.NotContains(t, b.text("main"), "Đèo Văn Khánh", "a unit reads its own unit's entries only")
}
