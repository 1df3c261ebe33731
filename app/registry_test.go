package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"tdkt/app"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/store"
)

var (
	office = domain.Actor{ID: "o-1", Name: "Chuyên viên", Roles: []domain.Role{domain.RoleOfficer}}
	admin  = domain.Actor{ID: "ad", Name: "Quản trị", Roles: []domain.Role{domain.RoleAdmin}}
	unitSG = domain.Actor{ID: "u-sg", Name: "Văn thư", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	chair  = domain.Actor{ID: "ch", Name: "Chủ tịch", Roles: []domain.Role{domain.RoleChairman}}
)

func headers() []any {
	var h []any
	for _, c := range app.RegistryColumns {
		h = append(h, c.Header)
	}
	return h
}

// xlsx is a workbook whose first sheet holds rows; edit changes it first.
func xlsx(t testing.TB, rows [][]any, edit func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, f.SetSheetRow("Sheet1", cell, &r))
	}
	if edit != nil {
		edit(f)
	}
	var b bytes.Buffer
	require.NoError(t, f.Write(&b))
	return b.Bytes()
}

func importErr(t *testing.T, err error) *app.Error {
	t.Helper()
	require.Error(t, err)
	e := app.AsError(err)
	require.Equal(t, domain.ErrInvalid, e.Kind, "%v", err)
	require.True(t, e.Import)
	require.NotEmpty(t, e.Fields)
	require.Equal(t, "file", e.Fields[0].Field)
	return e
}

func registryCount(t *testing.T, st *store.Store) int {
	var n int
	require.NoError(t, st.DB.Get(&n, `SELECT count(*) FROM award_registry`))
	return n
}

// A realistic XLSX of lower titles: dates as spreadsheet dates and as text
// typed the Vietnamese way, citizen ids as text, headers in another order
// with an STT column; every row recorded, the notes say how dates were read.
func TestImportXLSX(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy()})
	decided := time.Date(2024, 12, 20, 0, 0, 0, 0, time.UTC)
	rows := [][]any{
		append([]any{"STT"}, headers()...),
		{1, "Cá nhân", "Nguyễn Thị Hoa", "15/03/1980", "011180001234", "SGDDT", "LDTT", 2024, "Công trạng", "125/QĐ-SGDĐT", decided},
		{2, "Cá nhân", "Đặng Văn Minh", time.Date(1975, 4, 30, 0, 0, 0, 0, time.UTC), "", "SGDDT", "CSTD_CO_SO", 2024, "", "126/QĐ-SGDĐT", "20/12/2024"},
		{3, "Tập thể", "Trường Tiểu học Sìn Hồ", "", "", "X-SINHO", "GIAY_KHEN", "2024", "đột xuất", "17/QĐ-UBND", "2024-11-05"},
		{4, "individual", "Lò Thị Mai", "", "", "p-tanphong", "Lao động tiên tiến", 2023, "merit", "9/QĐ-UBND", "03/01/2024"},
	}
	data := xlsx(t, rows, func(f *excelize.File) {
		// Dates typed into date-formatted cells are day counts.
		style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		_ = f.SetCellStyle("Sheet1", "D3", "D3", style)
		_ = f.SetCellStyle("Sheet1", "K2", "K2", style)
	})
	res, err := svc.ImportRegistry(ctx, office, data)
	require.NoError(t, err)
	require.Equal(t, 4, res.Imported)
	require.Equal(t, "xlsx", res.Format)
	require.NotEmpty(t, res.Notes)
	require.Contains(t, res.Notes[0], "dd/mm/yyyy")

	items, _, err := svc.Registry(ctx, office, app.RegistryFilter{Q: "dang van minh"})
	require.NoError(t, err)
	require.Len(t, items, 1)
	require.Equal(t, "1975-04-30", items[0].BirthDate)
	require.Equal(t, "2024-12-20", items[0].DecisionDate)
	require.Equal(t, domain.SourceImport, items[0].Source)
	items, _, err = svc.Registry(ctx, office, app.RegistryFilter{Q: "Nguyễn Thị Hoa"})
	require.NoError(t, err)
	require.Equal(t, "cccd:011180001234", items[0].NomineeKey)
	require.Equal(t, "1980-03-15", items[0].BirthDate, "15/03/1980 is the 15th of March")
	require.Equal(t, "2024-12-20", items[0].DecisionDate)
	items, _, err = svc.Registry(ctx, office, app.RegistryFilter{Unit: "X-SINHO"})
	require.NoError(t, err)
	require.Equal(t, "t:X-SINHO|truong tieu hoc sin ho", items[0].NomineeKey)
	require.Equal(t, domain.KindAdhoc, items[0].Kind)
	items, _, err = svc.Registry(ctx, office, app.RegistryFilter{Q: "lo thi mai"})
	require.NoError(t, err)
	require.Equal(t, "LDTT", items[0].AwardCode, "the award's name is read as its code")
	require.Equal(t, "P-TANPHONG", items[0].Unit)
	require.Equal(t, "2024-01-03", items[0].DecisionDate, "03/01/2024 is the 3rd of January")

	// The unit reads its own entries only; the chairman not at all.
	items, _, err = svc.Registry(ctx, unitSG, app.RegistryFilter{})
	require.NoError(t, err)
	require.Len(t, items, 2)
	items, _, err = svc.Registry(ctx, unitSG, app.RegistryFilter{Unit: "X-SINHO"})
	require.NoError(t, err)
	require.Empty(t, items)
	_, _, err = svc.Registry(ctx, chair, app.RegistryFilter{})
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)
	_, err = svc.ImportRegistry(ctx, unitSG, data)
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)

	// The same file again: every row is already recorded; nothing changes.
	_, err = svc.ImportRegistry(ctx, office, data)
	e := importErr(t, err)
	require.Equal(t, 4, e.RowsRefused)
	require.Len(t, e.Rows, 4)
	require.Equal(t, 2, e.Rows[0].Row)
	require.Contains(t, e.Rows[0].Reason, "Đã có trong sổ khen thưởng")
	require.Equal(t, 4, registryCount(t, st))
}

// Each refused row is named with its column and a reason in Vietnamese,
// and nothing of the file is recorded.
func TestImportRefusesRows(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy()})
	rows := [][]any{
		headers(),
		{"Cá nhân", "Nguyễn Văn Đúng", "01/02/1990", "", "SYT", "LDTT", 2024, "", "1/QĐ-SYT", "20/12/2024"},
		{"Cá nhân", "Ngày Sai", "31/02/1990", "", "SYT", "LDTT", 2024, "", "1/QĐ-SYT", "20/12/2024"},
		{"Cá nhân", "Hình Thức Lạ", "", "", "SYT", "HUY_CHUONG_XYZ", 2024, "", "1/QĐ-SYT", "20/12/2024"},
		{"Cá nhân", "Đơn Vị Lạ", "", "", "UBND-TP", "LDTT", 2024, "", "1/QĐ-SYT", "20/12/2024"},
		{"Cá nhân", "Nguyễn Văn Đúng", "01/02/1990", "", "SYT", "LDTT", 2024, "", "1/QĐ-SYT", "20/12/2024"},
		{"Tập thể", "Khoa Nội", "", "", "SYT", "LDTT", 2024, "", "1/QĐ-SYT", "20/12/2024"},
		{"Cá nhân", "Căn Cước Thiếu Số", "", "11180001234", "SYT", "LDTT", 2024, "", "1/QĐ-SYT", "20/12/2024"},
		{"", "", "", "", "", "", "", "", "", ""},
		{"Cá nhân", "Thiếu Số Quyết Định", "", "", "SYT", "LDTT", 2024, "", "", "12.13.2024"},
	}
	_, err := svc.ImportRegistry(ctx, office, xlsx(t, rows, nil))
	e := importErr(t, err)
	require.Equal(t, 7, e.RowsRefused)
	reasons := map[int][]string{}
	for _, r := range e.Rows {
		reasons[r.Row] = append(reasons[r.Row], r.Column+": "+r.Reason)
	}
	require.NotContains(t, reasons, 2)
	require.Contains(t, strings.Join(reasons[3], "|"), "Ngày sinh: «31/02/1990» không phải ngày hợp lệ")
	require.Contains(t, strings.Join(reasons[4], "|"), "Mã hình thức khen thưởng: Hình thức «HUY_CHUONG_XYZ» không có trong danh mục")
	require.Contains(t, strings.Join(reasons[5], "|"), "Mã đơn vị: Mã đơn vị «UBND-TP» không có trong danh mục đơn vị")
	require.Contains(t, strings.Join(reasons[6], "|"), "Trùng với dòng 2 trong tệp")
	require.Contains(t, strings.Join(reasons[7], "|"), "không dành cho tập thể")
	require.Contains(t, strings.Join(reasons[8], "|"), "cần đủ 12")
	require.NotContains(t, reasons, 9, "a blank row is skipped")
	require.Len(t, reasons[10], 2, "both the number and the date of row 10")
	require.Contains(t, reasons[10][0], "Số quyết định")
	require.Contains(t, reasons[10][1], "«12.13.2024» không phải ngày hợp lệ")
	require.Zero(t, registryCount(t, st), "nothing of a refused file is recorded")
	msg, _ := app.Vietnamese(err)
	require.Contains(t, msg, "Tệp chưa được nhập: 7 dòng không hợp lệ")
}

// Files that cannot be imported faithfully are refused whole, saying why.
func TestImportRefusesFiles(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy()})
	good := []any{"Cá nhân", "Nguyễn Văn A", "", "", "SYT", "LDTT", 2024, "", "1/QĐ-SYT", "20/12/2024"}
	refused := func(data []byte, want string) *app.Error {
		t.Helper()
		_, err := svc.ImportRegistry(ctx, office, data)
		e := importErr(t, err)
		require.Contains(t, e.Fields[0].Message, want)
		return e
	}
	// Wrong columns.
	e := refused(xlsx(t, [][]any{{"Họ và tên", "Đơn vị", "Năm"}, {"A", "SYT", 2024}}, nil), "thiếu cột")
	require.Contains(t, e.Fields[0].Message, "«Họ và tên»")
	require.Equal(t, 1, e.Rows[0].Row)
	// A title row merged across the columns above the list.
	e = refused(xlsx(t, [][]any{{"DANH SÁCH LAO ĐỘNG TIÊN TIẾN NĂM 2024"}, headers(), good}, func(f *excelize.File) {
		require.NoError(t, f.MergeCell("Sheet1", "A1", "J1"))
	}), "ô gộp")
	require.Equal(t, "A1:J1", e.Rows[0].Column)
	// A formula.
	e = refused(xlsx(t, [][]any{headers(), good}, func(f *excelize.File) {
		require.NoError(t, f.SetCellFormula("Sheet1", "G2", "YEAR(TODAY())"))
	}), "công thức")
	require.Equal(t, "G2", e.Rows[0].Column)
	require.Equal(t, 2, e.Rows[0].Row)
	// 10 MB of junk.
	junk := make([]byte, 10<<20)
	rng := rand.NewChaCha8([32]byte{1})
	_, _ = rng.Read(junk)
	refused(junk, "không phải bảng tính")
	// A zip that is not a workbook.
	refused(append([]byte("PK\x03\x04"), junk[:1000]...), "không phải bảng tính XLSX")
	// A zip bomb: a worksheet that unpacks to more than 128 MB.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	require.NoError(t, err)
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	for range 130 {
		_, _ = w.Write(spaces)
	}
	require.NoError(t, zw.Close())
	require.Less(t, bomb.Len(), 1<<20)
	refused(bomb.Bytes(), "lớn hơn 128 MB")
	// An Excel 97-2003 file.
	refused(append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, junk[:1000]...), ".xls")
	// A CSV saved in a legacy code page (Windows-1258 "Nguyễn" is not UTF-8).
	e = refused([]byte("Đối tượng,Họ tên hoặc tên tập thể\r\nC\xe1 nh\xe2n,Nguy\xd2n\r\n"), "CSV UTF-8")
	require.Equal(t, 2, e.Rows[0].Row)
	// An empty file, a header alone.
	refused(nil, "rỗng")
	refused([]byte(strings.Join(strs(headers()), ",")+"\n"), "không có dòng dữ liệu")
	// More rows than the limit.
	var big strings.Builder
	big.WriteString(strings.Join(strs(headers()), ",") + "\n")
	for i := range app.MaxImportRows + 1 {
		fmt.Fprintf(&big, "Cá nhân,Người %d,,,SYT,LDTT,2024,,%d/QĐ,20/12/2024\n", i, i)
	}
	refused([]byte(big.String()), "hơn 100.000 dòng")
	require.Zero(t, registryCount(t, st))

	// A CSV as Vietnamese Excel writes it: BOM, ';', dd/mm/yyyy.
	csv := "\xEF\xBB\xBF" + strings.Join(strs(headers()), ";") + "\r\nCá nhân;Lường Văn Sơn;05/06/1988;;X-MUONGTE;CSTD_CO_SO;2024;;15/QĐ-UBND;28/12/2024\r\n"
	res, err := svc.ImportRegistry(ctx, office, []byte(csv))
	require.NoError(t, err)
	require.Equal(t, 1, res.Imported)
	require.Equal(t, "csv", res.Format)
}

func strs(xs []any) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprint(x)
	}
	return out
}

// The template imports as it is once filled in: its header is the one the
// import reads, its other sheets are guidance.
func TestTemplateRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy()})
	name, ct, data, err := svc.RegistryTemplate(ctx, office, "xlsx")
	require.NoError(t, err)
	require.Equal(t, "mau-so-khen-thuong.xlsx", name)
	require.Contains(t, ct, "spreadsheetml")
	f, err := excelize.OpenReader(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, []string{"Danh sách", "Hướng dẫn", "Hình thức", "Đơn vị"}, f.GetSheetList())
	units, err := f.GetRows("Đơn vị")
	require.NoError(t, err)
	require.Greater(t, len(units), 40)
	row := []any{"Cá nhân", "Vàng Thị Dung", "12/08/1990", "012190004567", "X-THANUYEN", "LDTT", "2025", "", "40/QĐ-UBND", "26/12/2025"}
	require.NoError(t, f.SetSheetRow("Danh sách", "A2", &row))
	var b bytes.Buffer
	require.NoError(t, f.Write(&b))
	res, err := svc.ImportRegistry(ctx, office, b.Bytes())
	require.NoError(t, err)
	require.Equal(t, 1, res.Imported)
	items, _, err := svc.Registry(ctx, admin, app.RegistryFilter{Q: "vang thi dung"})
	require.NoError(t, err)
	require.Equal(t, "cccd:012190004567", items[0].NomineeKey, "the text column kept the leading zero")

	_, ct, data, err = svc.RegistryTemplate(ctx, office, "csv")
	require.NoError(t, err)
	require.Contains(t, ct, "text/csv")
	require.True(t, bytes.HasPrefix(data, []byte("\xEF\xBB\xBFĐối tượng,")))
	_, _, _, err = svc.RegistryTemplate(ctx, office, "ods")
	require.Equal(t, domain.ErrInvalid, app.AsError(err).Kind)
	_, _, _, err = svc.RegistryTemplate(ctx, unitSG, "xlsx")
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)
}

// One award at a time (officer): 422 naming the field, a duplicate too.
func TestRecordAward(t *testing.T) {
	ctx := context.Background()
	st := devenv.TestStore(t)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy()})
	rec := app.RegistryRecord{NomineeType: "individual", Name: "Giàng A Páo", BirthDate: "1979-09-02", Unit: "X-MUCA",
		AwardCode: "CSTD_CO_SO", Year: 2025, DecisionNumber: "3/QĐ-UBND", DecisionDate: "2025-12-30"}
	e, err := svc.RecordAward(ctx, office, rec)
	require.NoError(t, err)
	require.Equal(t, domain.SourceManual, e.Source)
	require.Equal(t, "p:giang a pao|1979-09-02|X-MUCA", e.NomineeKey)
	require.Equal(t, domain.AuthorityUnitHead, e.Authority)
	_, err = svc.RecordAward(ctx, office, rec)
	ae := app.AsError(err)
	require.Equal(t, domain.ErrInvalid, ae.Kind)
	require.Equal(t, "decision_number", ae.Fields[0].Field)
	bad := rec
	bad.Unit, bad.Year, bad.DecisionDate = "NOWHERE", 1800, "30/02/2025"
	ae = app.AsError(func() error { _, err := svc.RecordAward(ctx, office, bad); return err }())
	var fields []string
	for _, f := range ae.Fields {
		fields = append(fields, f.Field)
	}
	require.ElementsMatch(t, []string{"unit", "year", "decision_date"}, fields)
	_, err = svc.RecordAward(ctx, unitSG, rec)
	require.Equal(t, domain.ErrForbidden, app.AsError(err).Kind)
}

// BenchmarkImport50k imports 50,000 rows of an XLSX into the registry on
// the real PostgreSQL: reading, checking and recording, all or nothing.
func BenchmarkImport50k(b *testing.B) {
	ctx := context.Background()
	st := devenv.TestStore(b)
	svc := app.New(app.Deps{Store: st, Policy: domain.DefaultPolicy()})
	units := []string{"SGDDT", "SYT", "SNV", "X-SINHO", "P-TANPHONG", "X-MUONGTE"}
	awards := []string{"LDTT", "CSTD_CO_SO", "GIAY_KHEN"}
	files := make([][]byte, b.N)
	for n := range b.N {
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		require.NoError(b, err)
		require.NoError(b, sw.SetRow("A1", headers()))
		for i := range 50_000 {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			require.NoError(b, sw.SetRow(cell, []any{"Cá nhân", fmt.Sprintf("Nguyễn Văn Thử %d-%d", n, i),
				fmt.Sprintf("%02d/%02d/19%02d", 1+i%28, 1+i%12, 60+i%40), "", units[i%len(units)], awards[i%len(awards)],
				2015 + i%10, "", fmt.Sprintf("%d/QĐ-UBND", i), "20/12/2024"}))
		}
		require.NoError(b, sw.Flush())
		var buf bytes.Buffer
		require.NoError(b, f.Write(&buf))
		files[n] = buf.Bytes()
	}
	b.ResetTimer()
	for n := range b.N {
		res, err := svc.ImportRegistry(ctx, office, files[n])
		require.NoError(b, err)
		require.Equal(b, 50_000, res.Imported)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(files[0]))/(1<<20), "MB/file")
}
