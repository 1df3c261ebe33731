package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tdkt/domain"
	"tdkt/store"
)

// The award registry (sổ khen thưởng, DOMAIN.md "Award registry and
// eligibility"): every award granted. The engine records its own grants as
// it projects them (store); the office records past awards and the lower
// titles, one at a time or from a spreadsheet (ImportRegistry).

// registryStore is what the registry use cases need of the read model.
type registryStore interface {
	AddRegistryEntry(ctx context.Context, e domain.RegistryEntry) (domain.RegistryEntry, error)
	ListRegistry(ctx context.Context, f store.RegistryFilter) ([]domain.RegistryEntry, string, error)
	ImportRegistry(ctx context.Context, entries []domain.RegistryEntry) (map[int]int64, error)
}

var _ registryStore = (*store.Store)(nil)

var errNoRegistry = errors.New("this read model holds no award registry")

func (s *Service) registry() (registryStore, error) {
	if r, ok := s.store.(registryStore); ok {
		return r, nil
	}
	return nil, errNoRegistry
}

// RegistryFilter is a validated registry query.
type RegistryFilter = store.RegistryFilter

// MaxImportRows is the most rows one spreadsheet may hold: a province's
// yearly lower titles (Lao động tiên tiến for every official) stay well
// under it, and a larger file is split.
const MaxImportRows = 100_000

// mayRecordRegistry: the emulation office.
func mayRecordRegistry(a domain.Actor) bool { return a.Has(domain.RoleOfficer) }

// registryScope is the unit a reads the registry of ("" every unit), or a
// refusal: officers and administrators read it all, a unit its own.
func registryScope(a domain.Actor) (unit string, err error) {
	switch {
	case a.Has(domain.RoleOfficer) || a.Has(domain.RoleAdmin):
		return "", nil
	case a.Has(domain.RoleUnit) && a.Unit != "":
		return a.Unit, nil
	}
	return "", refusal(domain.ErrForbidden, "only the emulation office, administrators and units read the award registry")
}

// ParseRegistryQuery validates a registry query: unit, award, year, q,
// nominee (a registry key), limit, cursor.
func ParseRegistryQuery(q url.Values) (RegistryFilter, []domain.FieldError) {
	f := RegistryFilter{Limit: DefaultLimit}
	var fe []domain.FieldError
	text := func(field string, max int) string {
		v := q.Get(field)
		if !utf8.ValidString(v) {
			fe = append(fe, domain.FieldError{Field: field, Message: "must be valid UTF-8"})
			return ""
		}
		if e := CheckText(field, v, max); e != nil {
			fe = append(fe, *e)
			return ""
		}
		return strings.TrimSpace(v)
	}
	f.Unit = strings.ToUpper(text("unit", MaxCode))
	if v := text("award", MaxCode); v != "" {
		if _, ok := domain.RegistryAward(v); !ok {
			fe = append(fe, domain.FieldError{Field: "award", Message: "unknown award code"})
		}
		f.Award = v
	}
	if v := text("year", 8); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1945 || y > 9999 {
			fe = append(fe, domain.FieldError{Field: "year", Message: "must be a year"})
		}
		f.Year = y
	}
	f.Q = text("q", MaxName)
	if v := q.Get("nominee"); v != "" {
		if e := CheckPersonKey(v); e != nil {
			fe = append(fe, domain.FieldError{Field: "nominee", Message: e.Message})
		} else {
			f.Nominee = v
		}
	}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > MaxLimit {
			fe = append(fe, domain.FieldError{Field: "limit", Message: "must be a whole number from 1 to 200"})
		} else {
			f.Limit = n
		}
	}
	if c := q.Get("cursor"); c != "" {
		if len(c) > 512 || !utf8.ValidString(c) {
			fe = append(fe, domain.FieldError{Field: "cursor", Message: "is not a cursor this API gave out"})
		} else {
			f.Cursor = c
		}
	}
	return f, fe
}

// Registry is a page of the registry as a may read it, newest year first.
// A unit reads its own unit's entries only: a filter naming another unit
// finds nothing.
func (s *Service) Registry(ctx context.Context, a domain.Actor, f RegistryFilter) ([]domain.RegistryEntry, string, error) {
	scope, err := registryScope(a)
	if err != nil {
		return nil, "", err
	}
	if scope != "" {
		if f.Unit != "" && f.Unit != scope {
			return []domain.RegistryEntry{}, "", nil
		}
		f.Unit = scope
	}
	r, err := s.registry()
	if err != nil {
		return nil, "", failure("list registry", err)
	}
	items, next, err := r.ListRegistry(ctx, f)
	if errors.Is(err, store.ErrBadCursor) {
		return nil, "", badCursor()
	}
	if err != nil {
		return nil, "", failure("list registry", err)
	}
	return items, next, nil
}

// RegistryRecord is one award to record (POST /api/v1/registry): what a
// spreadsheet row holds, with the year as a number.
type RegistryRecord struct {
	NomineeType    string `json:"nominee_type"`
	Name           string `json:"name"`
	BirthDate      string `json:"birth_date"`
	CitizenID      string `json:"citizen_id"`
	Unit           string `json:"unit"`
	AwardCode      string `json:"award_code"`
	Year           int    `json:"year"`
	Kind           string `json:"kind"`
	DecisionNumber string `json:"decision_number"`
	DecisionDate   string `json:"decision_date"`
}

// RecordAward records one award (officer); 422 naming the field for a
// wrong one, or one the registry already holds.
func (s *Service) RecordAward(ctx context.Context, a domain.Actor, rec RegistryRecord) (domain.RegistryEntry, error) {
	if !mayRecordRegistry(a) {
		return domain.RegistryEntry{}, refusal(domain.ErrForbidden, "only the emulation office records awards in the registry")
	}
	units, err := s.unitCodes(ctx)
	if err != nil {
		return domain.RegistryEntry{}, err
	}
	year := ""
	if rec.Year != 0 {
		year = strconv.Itoa(rec.Year)
	}
	vals := map[string]string{"nominee_type": rec.NomineeType, "name": rec.Name, "birth_date": rec.BirthDate,
		"citizen_id": rec.CitizenID, "unit": rec.Unit, "award_code": rec.AwardCode, "year": year, "kind": rec.Kind,
		"decision_number": rec.DecisionNumber, "decision_date": rec.DecisionDate}
	e, probs := checkRecord(vals, units, s.now())
	if len(probs) > 0 {
		fe := make([]domain.FieldError, len(probs))
		for i, p := range probs {
			fe[i] = domain.FieldError{Field: p.field, Message: p.en}
		}
		return domain.RegistryEntry{}, invalid(fe...)
	}
	e.Source, e.RecordedBy = domain.SourceManual, a.ID
	r, err := s.registry()
	if err != nil {
		return domain.RegistryEntry{}, failure("record award", err)
	}
	out, err := r.AddRegistryEntry(ctx, e)
	if errors.Is(err, store.ErrDuplicate) {
		return domain.RegistryEntry{}, invalid(domain.FieldError{Field: "decision_number",
			Message: "is already in the registry for this nominee, award and year"})
	}
	if err != nil {
		return domain.RegistryEntry{}, failure("record award", err)
	}
	return out, nil
}

// unitCodes is the set of the directory's codes.
func (s *Service) unitCodes(ctx context.Context) (map[string]bool, error) {
	us, err := s.store.ListUnits(ctx)
	if err != nil {
		return nil, failure("list units", err)
	}
	out := make(map[string]bool, len(us))
	for _, u := range us {
		out[u.Code] = true
	}
	return out, nil
}

// problem is one thing wrong with a record: the field, the API's English
// message (translated by prefix, vi.go) and the Vietnamese reason a
// spreadsheet's report gives for its cell.
type problem struct {
	field, en, vi string
}

// Dates people type: ISO, and the Vietnamese day/month/year with /, - or .
var dateLayouts = []string{"2006-01-02", "02/01/2006", "2/1/2006", "02-01-2006", "2-1-2006", "02.01.2006", "2.1.2006"}

// parseDate reads a date as people type it; vn is whether it was written
// day first (dd/mm/yyyy), the Vietnamese way.
func parseDate(s string) (t time.Time, vn bool, ok bool) {
	for i, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, i > 0, true
		}
	}
	return time.Time{}, false, false
}

// kindWords are the kinds as people write them in a spreadsheet, folded.
var kindWords = map[string]domain.Kind{
	"cong trang": domain.KindMerit, "dot xuat": domain.KindAdhoc, "theo dot": domain.KindCampaign,
	"chuyen de": domain.KindCampaign, "theo dot, chuyen de": domain.KindCampaign, "cong hien": domain.KindDedication,
	"qua trinh cong hien": domain.KindDedication, "doi ngoai": domain.KindForeign,
}

// checkRecord checks one record, given as the text of each field (a
// spreadsheet's cells, a JSON body's values), against the catalogue and the
// unit directory, and builds its registry entry (no source yet).
func checkRecord(v map[string]string, units map[string]bool, now time.Time) (domain.RegistryEntry, []problem) {
	var probs []problem
	bad := func(field, en, vi string) { probs = append(probs, problem{field, en, vi}) }
	get := func(f string) string { return strings.TrimSpace(v[f]) }
	for f, x := range v {
		if !utf8.ValidString(x) || strings.ContainsFunc(x, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			bad(f, "must not hold control characters", "chứa ký tự không hợp lệ (ký tự điều khiển hoặc không phải UTF-8)")
			v[f] = ""
		}
	}
	var e domain.RegistryEntry
	switch domain.Fold(get("nominee_type")) {
	case "individual", "ca nhan":
		e.NomineeType = domain.Individual
	case "collective", "tap the":
		e.NomineeType = domain.Collective
	case "":
		bad("nominee_type", "is required", "để trống; ghi «Cá nhân» hoặc «Tập thể»")
	default:
		bad("nominee_type", "must be individual or collective", fmt.Sprintf("«%s» không phải «Cá nhân» hay «Tập thể»", get("nominee_type")))
	}
	e.Name = strings.Join(strings.Fields(get("name")), " ")
	switch {
	case e.Name == "":
		bad("name", "must not be empty", "để trống; ghi họ tên cá nhân hoặc tên tập thể")
	case utf8.RuneCountInString(e.Name) > MaxName:
		bad("name", fmt.Sprintf("must be at most %d characters", MaxName), fmt.Sprintf("dài quá %d ký tự", MaxName))
	}
	var birth time.Time
	if b := get("birth_date"); b != "" {
		t, _, ok := parseDate(b)
		switch {
		case e.NomineeType == domain.Collective:
			bad("birth_date", "is only for an individual", "tập thể không có ngày sinh; để trống ô này")
		case !ok:
			bad("birth_date", "must be a date (YYYY-MM-DD or DD/MM/YYYY)", fmt.Sprintf("«%s» không phải ngày hợp lệ; ghi dd/mm/yyyy (ví dụ 15/03/1980)", b))
		case t.Year() < 1900 || t.After(now):
			bad("birth_date", "must be a date in the past", fmt.Sprintf("ngày sinh «%s» không hợp lý", b))
		default:
			birth, e.BirthDate = t, t.Format(time.DateOnly)
		}
	}
	if id := get("citizen_id"); id != "" {
		allDigits := strings.Trim(id, "0123456789") == ""
		switch {
		case e.NomineeType == domain.Collective:
			bad("citizen_id", "is only for an individual", "tập thể không có số CCCD; để trống ô này")
		case allDigits && len(id) < 12:
			bad("citizen_id", "must be 12 digits", fmt.Sprintf("«%s» có %d chữ số, cần đủ 12: bảng tính bỏ số 0 ở đầu khi ô là kiểu số; hãy định dạng cột là Văn bản (Text) rồi nhập lại", id, len(id)))
		case !allDigits || len(id) != 12:
			bad("citizen_id", "must be 12 digits", fmt.Sprintf("«%s» không phải số CCCD (12 chữ số)", id))
		default:
			e.CitizenID = id
		}
	}
	e.Unit = strings.ToUpper(get("unit"))
	switch {
	case e.Unit == "":
		bad("unit", "is required", "để trống; ghi mã đơn vị trong danh mục (ví dụ SGDDT)")
	case !units[e.Unit]:
		bad("unit", "is not in the unit directory: "+e.Unit, fmt.Sprintf("mã đơn vị «%s» không có trong danh mục đơn vị", get("unit")))
	}
	code := strings.ToUpper(get("award_code"))
	award, ok := domain.RegistryAward(code)
	if !ok && code != "" {
		// The award's name, as written in a decision, is accepted too.
		for _, a := range domain.RegistryAwards {
			if domain.Fold(a.Name) == domain.Fold(get("award_code")) {
				award, ok = a, true
			}
		}
	}
	switch {
	case code == "":
		bad("award_code", "is required", "để trống; ghi mã hình thức khen thưởng (ví dụ LDTT, CSTD_CO_SO, GIAY_KHEN)")
	case !ok:
		bad("award_code", "unknown award code", fmt.Sprintf("hình thức «%s» không có trong danh mục khen thưởng", get("award_code")))
	case e.NomineeType != "" && !award.Takes(e.NomineeType):
		bad("award_code", fmt.Sprintf("award %s is not given to a %s nominee", award.Code, e.NomineeType),
			fmt.Sprintf("«%s» không dành cho %s", award.Name, strings.ToLower(NomineeTypeNames[e.NomineeType])))
	default:
		e.AwardCode, e.AwardName, e.Authority = award.Code, award.Name, award.Authority
	}
	if y := get("year"); y == "" {
		bad("year", "is required", "để trống; ghi năm được khen thưởng (ví dụ 2024)")
	} else if n, err := strconv.Atoi(strings.TrimSuffix(y, ".0")); err != nil || n < 1945 || n > now.Year()+1 {
		bad("year", "must be a year", fmt.Sprintf("«%s» không phải năm hợp lệ", y))
	} else {
		e.Year, e.Period = n, strconv.Itoa(n)
	}
	e.Kind = domain.KindMerit
	if k := get("kind"); k != "" {
		kind, known := domain.Kind(k), false
		for _, x := range domain.Kinds {
			known = known || x == kind
		}
		if !known {
			folded := strings.TrimPrefix(domain.Fold(k), "khen thuong ")
			kind, known = kindWords[folded]
		}
		if known {
			e.Kind = kind
		} else {
			bad("kind", "must be one of merit, adhoc, campaign, dedication, foreign",
				fmt.Sprintf("«%s» không phải loại hình khen thưởng (công trạng, đột xuất, theo đợt, cống hiến, đối ngoại)", k))
		}
	}
	e.DecisionNumber = get("decision_number")
	switch {
	case e.DecisionNumber == "":
		bad("decision_number", "is required", "để trống; ghi số quyết định (ví dụ 125/QĐ-SGDĐT)")
	case utf8.RuneCountInString(e.DecisionNumber) > MaxCode:
		bad("decision_number", fmt.Sprintf("must be at most %d characters", MaxCode), fmt.Sprintf("dài quá %d ký tự", MaxCode))
	}
	if d := get("decision_date"); d == "" {
		bad("decision_date", "is required", "để trống; ghi ngày quyết định dd/mm/yyyy")
	} else if t, _, ok := parseDate(d); !ok {
		bad("decision_date", "must be a date (YYYY-MM-DD or DD/MM/YYYY)", fmt.Sprintf("«%s» không phải ngày hợp lệ; ghi dd/mm/yyyy (ví dụ 20/12/2024)", d))
	} else if t.Year() < 1945 || t.After(now) {
		bad("decision_date", "must be a date in the past", fmt.Sprintf("ngày quyết định «%s» không hợp lý", d))
	} else {
		e.DecisionDate = t.Format(time.DateOnly)
	}
	if len(probs) > 0 {
		return domain.RegistryEntry{}, probs
	}
	if e.NomineeType == domain.Collective {
		e.NomineeKey = domain.CollectiveKey(e.Unit, e.Name)
	} else {
		e.NomineeKey = domain.PersonKey(e.Name, birth, e.Unit, e.CitizenID)
	}
	return e, nil
}

// ISODate is a date people typed (dd/mm/yyyy, the Vietnamese way, or
// yyyy-mm-dd) as YYYY-MM-DD; what is not a date is given back as it is,
// for the use case to refuse.
func ISODate(s string) string {
	s = strings.TrimSpace(s)
	if t, _, ok := parseDate(s); ok {
		return t.Format(time.DateOnly)
	}
	return s
}
