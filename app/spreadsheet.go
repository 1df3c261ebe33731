package app

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"tdkt/domain"
	"tdkt/store"
)

// Spreadsheets of past awards and lower titles (XLSX or CSV), imported
// into the registry all or nothing.

// registryColumn is one column of the import template.
type registryColumn struct {
	Field, Header, Help string
	Required, Date      bool
}

// RegistryColumns are the template's columns, in order. A file's columns
// are matched by their header, without regard to diacritics, case or order;
// "STT" and "Ghi chú" are read and ignored.
var RegistryColumns = []registryColumn{
	{Field: "nominee_type", Header: "Đối tượng", Required: true, Help: "«Cá nhân» hoặc «Tập thể»"},
	{Field: "name", Header: "Họ tên hoặc tên tập thể", Required: true, Help: "Họ tên đầy đủ, có dấu; tập thể: tên tập thể (trường, phòng, tổ...)"},
	{Field: "birth_date", Header: "Ngày sinh", Date: true, Help: "Cá nhân: dd/mm/yyyy (ví dụ 15/03/1980); tập thể để trống"},
	{Field: "citizen_id", Header: "Số CCCD", Help: "Số định danh cá nhân 12 chữ số, nếu có (cột định dạng Văn bản để giữ số 0 ở đầu)"},
	{Field: "unit", Header: "Mã đơn vị", Required: true, Help: "Mã trong danh mục đơn vị (trang «Danh mục đơn vị»), ví dụ SGDDT, P-TANPHONG"},
	{Field: "award_code", Header: "Mã hình thức khen thưởng", Required: true, Help: "Ví dụ LDTT, CSTD_CO_SO, GIAY_KHEN, BK_UBND_TINH (xem trang «Hình thức»)"},
	{Field: "year", Header: "Năm", Required: true, Help: "Năm thành tích, ví dụ 2024"},
	{Field: "kind", Header: "Loại hình", Help: "Công trạng (để trống là công trạng), đột xuất, theo đợt, cống hiến, đối ngoại"},
	{Field: "decision_number", Header: "Số quyết định", Required: true, Help: "Ví dụ 125/QĐ-SGDĐT"},
	{Field: "decision_date", Header: "Ngày quyết định", Required: true, Date: true, Help: "dd/mm/yyyy, ví dụ 20/12/2024"},
}

// ignoredHeaders are columns people add that carry nothing to import.
var ignoredHeaders = map[string]bool{"stt": true, "so tt": true, "so thu tu": true, "ghi chu": true}

// RowError is one refused cell or row of an import: the row as the
// spreadsheet numbers it (1 is the first line), the column's header, what
// the cell held, and why, in Vietnamese.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

// MaxReportedRows bounds the refusals an import's report lists; the count
// of every refused row is given besides.
const MaxReportedRows = 1000

// ImportResult is what an import recorded.
type ImportResult struct {
	Imported int    `json:"imported"`
	Format   string `json:"format"`
	// Notes say how the file was read where people might wonder (dates
	// typed as text, day first).
	Notes []string `json:"notes"`
}

// table is a spreadsheet read: its header and rows as text, each with the
// line number the spreadsheet shows.
type table struct {
	format  string
	header  []string
	headRow int
	rows    [][]string
	rowNums []int
}

// importRefusal is the answer to a file refused whole or in part: 422,
// the reason for the file, and each refused row.
func importRefusal(reason string, rows []RowError, total int) *Error {
	if len(rows) > MaxReportedRows {
		rows = rows[:MaxReportedRows]
	}
	return &Error{Kind: domain.ErrInvalid, Detail: "the file was not imported; errors and rows say why (in Vietnamese)",
		Fields: []domain.FieldError{{Field: "file", Message: reason}}, Rows: rows, RowsRefused: total, Import: true}
}

// ImportRegistry reads a spreadsheet of awards (XLSX or CSV, judged by its
// content) and records every row, or none: a file with any refused row is
// answered with each refused row and its reason, and changes nothing.
func (s *Service) ImportRegistry(ctx context.Context, a domain.Actor, data []byte) (ImportResult, error) {
	if !mayRecordRegistry(a) {
		return ImportResult{}, refusal(domain.ErrForbidden, "only the emulation office imports awards into the registry")
	}
	t, err := readTable(data, MaxImportRows)
	if err != nil {
		return ImportResult{}, err
	}
	cols, err := matchColumns(t)
	if err != nil {
		return ImportResult{}, err
	}
	units, err := s.unitCodes(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	now := s.now()
	var refused []RowError
	refusedRows := 0
	entries := make([]domain.RegistryEntry, 0, len(t.rows))
	rowOf := make([]int, 0, len(t.rows))
	firstSeen := map[string]int{}
	textDates := 0
	for i, cells := range t.rows {
		vals := make(map[string]string, len(RegistryColumns))
		for j, f := range cols {
			if f != "" && j < len(cells) {
				vals[f] = cells[j]
			}
		}
		for _, c := range RegistryColumns {
			if c.Date {
				if _, vn, ok := parseDate(strings.TrimSpace(vals[c.Field])); ok && vn {
					textDates++
				}
			}
		}
		e, probs := checkRecord(vals, units, now)
		if len(probs) > 0 {
			refusedRows++
			for _, p := range orderProblems(probs) {
				refused = append(refused, RowError{Row: t.rowNums[i], Column: headerOf(p.field), Value: clip(vals[p.field]), Reason: sentence(p.vi)})
			}
			continue
		}
		key := e.NomineeKey + "\x00" + e.AwardCode + "\x00" + strconv.Itoa(e.Year) + "\x00" + e.DecisionNumber
		if first, dup := firstSeen[key]; dup {
			refusedRows++
			refused = append(refused, RowError{Row: t.rowNums[i], Column: headerOf("decision_number"), Value: clip(e.DecisionNumber),
				Reason: fmt.Sprintf("Trùng với dòng %d trong tệp (cùng đối tượng, hình thức, năm và số quyết định)", first)})
			continue
		}
		firstSeen[key] = t.rowNums[i]
		e.Source, e.RecordedBy = domain.SourceImport, a.ID
		entries = append(entries, e)
		rowOf = append(rowOf, t.rowNums[i])
	}
	if refusedRows > 0 {
		return ImportResult{}, importRefusal(fmt.Sprintf("%d dòng không hợp lệ; không dòng nào được nhập. Sửa các dòng dưới đây rồi tải lại cả tệp.", refusedRows), refused, refusedRows)
	}
	if len(entries) == 0 {
		return ImportResult{}, importRefusal("tệp không có dòng dữ liệu nào dưới dòng tiêu đề", nil, 0)
	}
	r, err := s.registry()
	if err != nil {
		return ImportResult{}, failure("import registry", err)
	}
	dups, err := r.ImportRegistry(ctx, entries)
	if errors.Is(err, store.ErrDuplicate) {
		return ImportResult{}, importRefusal("một số dòng vừa được ghi vào sổ khen thưởng bởi một lần nhập khác; hãy tải lại tệp để xem dòng nào trùng", nil, 0)
	}
	if err != nil {
		return ImportResult{}, failure("import registry", err)
	}
	if len(dups) > 0 {
		for _, i := range slices.Sorted(maps.Keys(dups)) {
			refused = append(refused, RowError{Row: rowOf[i], Column: headerOf("decision_number"), Value: clip(entries[i].DecisionNumber),
				Reason: fmt.Sprintf("Đã có trong sổ khen thưởng (mục số %d: cùng đối tượng, hình thức, năm và số quyết định)", dups[i])})
		}
		return ImportResult{}, importRefusal(fmt.Sprintf("%d dòng đã có trong sổ khen thưởng; không dòng nào được nhập. Bỏ các dòng này rồi tải lại cả tệp.", len(dups)), refused, len(dups))
	}
	res := ImportResult{Imported: len(entries), Format: t.format}
	if textDates > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d ô ngày được nhập dạng văn bản ngày/tháng/năm (dd/mm/yyyy) và đã được đọc theo cách viết của Việt Nam: 03/04/2024 là ngày 3 tháng 4.", textDates))
	}
	if res.Notes == nil {
		res.Notes = []string{}
	}
	return res, nil
}

// orderProblems keeps the first problem of each field, in column order.
func orderProblems(ps []problem) []problem {
	var out []problem
	for _, c := range RegistryColumns {
		for _, p := range ps {
			if p.field == c.Field {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

func headerOf(field string) string {
	for _, c := range RegistryColumns {
		if c.Field == field {
			return c.Header
		}
	}
	return field
}

// clip shortens a cell's text for the report.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 60 {
		return string([]rune(s)[:60]) + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// matchColumns maps each of the table's columns to a field ("" ignored),
// refusing a header that lacks a required column, names one twice, or has
// a column the template does not.
func matchColumns(t *table) ([]string, error) {
	byName := map[string]string{}
	for _, c := range RegistryColumns {
		byName[domain.Fold(c.Header)] = c.Field
		byName[c.Field] = c.Field
	}
	cols := make([]string, len(t.header))
	seen := map[string]bool{}
	var unknown, twice []string
	for j, h := range t.header {
		f := domain.Fold(strings.TrimSpace(h))
		switch {
		case f == "" || ignoredHeaders[f]:
			continue
		case byName[f] == "":
			unknown = append(unknown, "«"+clip(h)+"»")
		case seen[byName[f]]:
			twice = append(twice, "«"+clip(h)+"»")
		default:
			cols[j] = byName[f]
			seen[byName[f]] = true
		}
	}
	var missing []string
	for _, c := range RegistryColumns {
		if c.Required && !seen[c.Field] {
			missing = append(missing, "«"+c.Header+"»")
		}
	}
	var why []string
	if len(missing) > 0 {
		why = append(why, "thiếu cột "+strings.Join(missing, ", "))
	}
	if len(unknown) > 0 {
		why = append(why, "có cột không có trong mẫu: "+strings.Join(unknown, ", "))
	}
	if len(twice) > 0 {
		why = append(why, "có cột lặp lại: "+strings.Join(twice, ", "))
	}
	if len(why) > 0 {
		return nil, importRefusal(fmt.Sprintf("dòng tiêu đề (dòng %d) không khớp với tệp mẫu: %s. Hãy dùng tệp mẫu tải về từ trang này.", t.headRow, strings.Join(why, "; ")),
			[]RowError{{Row: t.headRow, Reason: sentence(strings.Join(why, "; "))}}, 1)
	}
	return cols, nil
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// readTable reads an XLSX or a CSV file (judged by its content, not its
// name) into a table, refusing what cannot be imported faithfully.
func readTable(data []byte, maxRows int) (*table, error) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, importRefusal("tệp rỗng", nil, 0)
	case bytes.HasPrefix(data, oleMagic):
		return nil, importRefusal("tệp ở định dạng Excel 97-2003 (.xls) hoặc tệp Office cũ: hãy mở bằng Excel và lưu lại thành «Sổ làm việc Excel (.xlsx)» hoặc «CSV UTF-8»", nil, 0)
	case bytes.HasPrefix(data, zipMagic):
		return readXLSX(data, maxRows)
	}
	return readCSV(data, maxRows)
}

// hasTag reports whether xml holds an element named name, with or without
// a namespace prefix ("<f>", "<x:f t=…>"): plain byte searches, much faster
// than a regular expression over a worksheet of tens of megabytes.
func hasTag(xml []byte, name string) bool {
	for _, open := range []string{"<", ":"} {
		for _, end := range []string{">", " ", "/"} {
			if bytes.Contains(xml, []byte(open+name+end)) {
				return true
			}
		}
	}
	return false
}

// scanSheets reports whether any worksheet of the XLSX holds a formula or
// a merged range: a quick look at the raw XML that spares loading a whole
// worksheet (excelize's GetMergeCells and GetCellFormula do) for the files
// that have neither, which are nearly all.
func scanSheets(data []byte) (formulas, merges bool, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false, false, err
	}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") || !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return false, false, err
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxSheetXML+1))
		rc.Close()
		if err != nil {
			return false, false, err
		}
		if len(b) > maxSheetXML {
			return false, false, errUnpacksTooLarge
		}
		formulas = formulas || hasTag(b, "f")
		merges = merges || hasTag(b, "mergeCell")
	}
	return formulas, merges, nil
}

// maxSheetXML bounds what a worksheet may unpack to (a zip bomb is
// refused, not unpacked): 100,000 rows of ten cells take about 40 MB.
const maxSheetXML = 128 << 20

var errUnpacksTooLarge = errors.New("a worksheet unpacks to more than the limit")

func readXLSX(data []byte, maxRows int) (*table, error) {
	notXLSX := func() error {
		return importRefusal("tệp không phải bảng tính XLSX đọc được (hỏng, có mật khẩu, hoặc không phải Excel): hãy mở bằng Excel và lưu lại thành .xlsx", nil, 0)
	}
	// The raw look first: a zip bomb is refused before anything unpacks it.
	formulas, merges, err := scanSheets(data)
	if errors.Is(err, errUnpacksTooLarge) {
		return nil, importRefusal(fmt.Sprintf("bảng tính khi giải nén lớn hơn %d MB: hãy chia thành nhiều tệp", maxSheetXML>>20), nil, 0)
	}
	if err != nil {
		return nil, notXLSX()
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 2 * maxSheetXML, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, notXLSX()
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, notXLSX()
	}
	// The first sheet is the list; the template's others are guidance.
	sheet := sheets[0]
	t := &table{format: "xlsx"}
	var merged []excelize.MergeCell
	if merges {
		if merged, err = f.GetMergeCells(sheet, true); err != nil {
			return nil, notXLSX()
		}
	}
	if len(merged) > 0 {
		var rows []RowError
		for _, m := range merged {
			_, row, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
			rows = append(rows, RowError{Row: row, Column: m.GetStartAxis() + ":" + m.GetEndAxis(),
				Reason: "Ô gộp (merged cells): mỗi ô chỉ chứa một giá trị; hãy bỏ gộp ô (Unmerge) và ghi giá trị vào từng dòng"})
		}
		return nil, importRefusal(fmt.Sprintf("trang «%s» có %d vùng ô gộp", sheet, len(merged)), rows, len(rows))
	}
	props, _ := f.GetWorkbookProps()
	date1904 := props.Date1904 != nil && *props.Date1904
	rs, err := f.Rows(sheet)
	if err != nil {
		return nil, notXLSX()
	}
	defer rs.Close()
	var dateCols map[int]bool
	line := 0
	for rs.Next() {
		line++
		cells, err := rs.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, notXLSX()
		}
		if blank(cells) {
			continue
		}
		if t.header == nil {
			t.header, t.headRow = cells, line
			dateCols = map[int]bool{}
			for j, h := range cells {
				for _, c := range RegistryColumns {
					if f := domain.Fold(strings.TrimSpace(h)); c.Date && (f == domain.Fold(c.Header) || f == c.Field) {
						dateCols[j] = true
					}
				}
			}
			continue
		}
		if len(t.rows) == maxRows {
			return nil, tooManyRows(maxRows)
		}
		for j := range cells {
			// A date the spreadsheet stores as a date is a day count.
			if dateCols[j] {
				if n, err := strconv.ParseFloat(strings.TrimSpace(cells[j]), 64); err == nil && n >= 1 && n < 2958466 {
					if d, err := excelize.ExcelDateToTime(n, date1904); err == nil {
						cells[j] = d.Format(time.DateOnly)
					}
				}
			}
		}
		t.rows = append(t.rows, cells)
		t.rowNums = append(t.rowNums, line)
	}
	if rs.Error() != nil {
		return nil, notXLSX()
	}
	if t.header == nil {
		return nil, importRefusal(fmt.Sprintf("trang đầu «%s» của bảng tính không có dữ liệu", sheet), nil, 0)
	}
	if formulas {
		var rows []RowError
		for i, line := range append([]int{t.headRow}, t.rowNums...) {
			width := len(t.header)
			if i > 0 {
				width = max(width, len(t.rows[i-1]))
			}
			for j := range width {
				cell, _ := excelize.CoordinatesToCellName(j+1, line)
				if fo, _ := f.GetCellFormula(sheet, cell); fo != "" {
					rows = append(rows, RowError{Row: line, Column: cell, Value: clip("=" + fo),
						Reason: "Ô chứa công thức: hãy sao chép rồi «Dán giá trị» (Paste Values) để tệp chỉ còn giá trị"})
				}
			}
		}
		if len(rows) > 0 {
			return nil, importRefusal(fmt.Sprintf("trang «%s» có %d ô chứa công thức", sheet, len(rows)), rows, len(rows))
		}
	}
	return t, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func tooManyRows(max int) error {
	return importRefusal(fmt.Sprintf("tệp có hơn %s dòng dữ liệu, quá giới hạn một lần nhập: hãy chia thành nhiều tệp", groupDigits(max)), nil, 0)
}

// groupDigits writes n the Vietnamese way: 100.000.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

func readCSV(data []byte, maxRows int) (*table, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return nil, importRefusal("tệp không phải bảng tính XLSX hay CSV UTF-8 đọc được: hãy lưu thành «CSV UTF-8 (phân cách bằng dấu phẩy)» hoặc .xlsx",
			[]RowError{{Row: line, Reason: "Chứa byte không phải văn bản UTF-8 (tệp nhị phân, hoặc CSV lưu bằng bảng mã khác như Windows-1258, TCVN3)"}}, 1)
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	// Excel in Vietnamese writes ';' (the decimal separator is ',').
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	t := &table{format: "csv"}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, importRefusal("tệp CSV không đúng định dạng", []RowError{{Row: line, Reason: "Dòng CSV không đọc được (dấu ngoặc kép không đóng, hoặc ký tự lạ)"}}, 1)
		}
		if blank(rec) {
			continue
		}
		if t.header == nil {
			t.header, t.headRow = rec, line
			continue
		}
		if len(t.rows) == maxRows {
			return nil, tooManyRows(maxRows)
		}
		t.rows = append(t.rows, rec)
		t.rowNums = append(t.rowNums, line)
	}
	if t.header == nil {
		return nil, importRefusal("tệp rỗng", nil, 0)
	}
	return t, nil
}

// firstInvalid is the offset of the first byte that is not UTF-8 text.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if (r == utf8.RuneError && n <= 1) || r == 0 {
			return i
		}
		i += n
	}
	return len(b)
}

// RegistryTemplate is the import template in format "xlsx" or "csv": its
// file name, content type and bytes. The XLSX one has the list's header on
// its first sheet, its columns formatted as text (so a citizen id keeps its
// leading zero and a date stays as typed), and guidance, the award codes
// and the unit directory on the next sheets.
func (s *Service) RegistryTemplate(ctx context.Context, a domain.Actor, format string) (name, contentType string, data []byte, err error) {
	if !mayRecordRegistry(a) && !a.Has(domain.RoleAdmin) {
		return "", "", nil, refusal(domain.ErrForbidden, "only the emulation office imports awards into the registry")
	}
	switch format {
	case "csv":
		var b bytes.Buffer
		b.WriteString("\xEF\xBB\xBF") // so that Excel reads it as UTF-8
		w := csv.NewWriter(&b)
		w.UseCRLF = true
		var h []string
		for _, c := range RegistryColumns {
			h = append(h, c.Header)
		}
		_ = w.Write(h)
		w.Flush()
		return "mau-so-khen-thuong.csv", "text/csv; charset=utf-8", b.Bytes(), nil
	case "xlsx", "":
	default:
		return "", "", nil, invalid(domain.FieldError{Field: "format", Message: "must be xlsx or csv"})
	}
	units, err := s.store.ListUnits(ctx)
	if err != nil {
		return "", "", nil, failure("list units", err)
	}
	b, err := templateXLSX(units)
	if err != nil {
		return "", "", nil, failure("build the template", err)
	}
	return "mau-so-khen-thuong.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b, nil
}

func templateXLSX(units []domain.Unit) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const list = "Danh sách"
	if err := f.SetSheetName("Sheet1", list); err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, err
	}
	head, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return nil, err
	}
	last, _ := excelize.ColumnNumberToName(len(RegistryColumns))
	if err := f.SetColStyle(list, "A:"+last, text); err != nil {
		return nil, err
	}
	for j, c := range RegistryColumns {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		if err := f.SetCellStr(list, cell, c.Header); err != nil {
			return nil, err
		}
		col, _ := excelize.ColumnNumberToName(j + 1)
		_ = f.SetColWidth(list, col, col, float64(max(14, utf8.RuneCountInString(c.Header)+4)))
	}
	if err := f.SetCellStyle(list, "A1", last+"1", head); err != nil {
		return nil, err
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = "A2:A100001"
	if err := dv.SetDropList([]string{"Cá nhân", "Tập thể"}); err != nil {
		return nil, err
	}
	if err := f.AddDataValidation(list, dv); err != nil {
		return nil, err
	}
	_ = f.SetPanes(list, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})

	const guide = "Hướng dẫn"
	if _, err := f.NewSheet(guide); err != nil {
		return nil, err
	}
	rows := [][]any{{"Cột", "Bắt buộc", "Cách ghi"}}
	for _, c := range RegistryColumns {
		req := ""
		if c.Required {
			req = "Có"
		}
		rows = append(rows, []any{c.Header, req, c.Help})
	}
	rows = append(rows, []any{}, []any{"Nhập dữ liệu ở trang «Danh sách», từ dòng 2; không gộp ô, không dùng công thức. Cả tệp được nhập hoặc không dòng nào được nhập: nếu có dòng sai, hệ thống liệt kê từng dòng và lý do."},
		[]any{"Ngày ghi dd/mm/yyyy (ngày/tháng/năm) như thường viết, hoặc dùng ô kiểu Ngày của Excel."})
	if err := setRows(f, guide, rows); err != nil {
		return nil, err
	}
	_ = f.SetColWidth(guide, "A", "A", 28)
	_ = f.SetColWidth(guide, "C", "C", 90)

	const awards = "Hình thức"
	if _, err := f.NewSheet(awards); err != nil {
		return nil, err
	}
	rows = [][]any{{"Mã", "Hình thức khen thưởng", "Đối tượng", "Thẩm quyền"}}
	for _, a := range domain.RegistryAwards {
		var who []string
		for _, t := range a.NomineeTypes {
			who = append(who, NomineeTypeNames[t])
		}
		rows = append(rows, []any{a.Code, a.Name, strings.Join(who, ", "), AuthorityNames[a.Authority]})
	}
	if err := setRows(f, awards, rows); err != nil {
		return nil, err
	}
	_ = f.SetColWidth(awards, "A", "A", 18)
	_ = f.SetColWidth(awards, "B", "B", 45)

	const dir = "Đơn vị"
	if _, err := f.NewSheet(dir); err != nil {
		return nil, err
	}
	rows = [][]any{{"Mã đơn vị", "Tên đơn vị", "Loại", "Khối thi đua"}}
	for _, u := range units {
		rows = append(rows, []any{u.Code, u.Name, UnitKindNames[u.Kind], u.Block})
	}
	if err := setRows(f, dir, rows); err != nil {
		return nil, err
	}
	_ = f.SetColWidth(dir, "A", "A", 16)
	_ = f.SetColWidth(dir, "B", "B", 42)
	_ = f.SetColWidth(dir, "D", "D", 36)
	f.SetActiveSheet(0)
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func setRows(f *excelize.File, sheet string, rows [][]any) error {
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			return err
		}
	}
	return nil
}

// sentence starts s with a capital letter, as a reason in a report's
// table reads.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return strings.ToUpper(string(r)) + s[n:]
}
