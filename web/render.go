package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tdkt/app"
	"tdkt/domain"
	"tdkt/workflows"
)

type pageTemplate = *template.Template

// pageNames are the templates of templates/, each rendered in layout.html.
var pageNames = []string{"signin", "error", "tasks", "list", "new", "dossier", "action", "document", "admin", "batches", "batchnew", "batch",
	"sessions", "sessionnew", "session", "ballot", "agenda", "sessionclose", "registry", "registryimport", "units", "unit",
	"plan", "campaignnew", "reports", "holds", "nominee", "registrations", "registrationnew", "reminders", "books", "council"}

func parsePages() (map[string]pageTemplate, error) {
	out := map[string]pageTemplate{}
	for _, n := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		out[n] = t
	}
	return out, nil
}

// Dates are shown dd/mm/yyyy in Vietnam time.
func dateVN(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(domain.Local).Format("02/01/2006")
	case *time.Time:
		if v == nil {
			return ""
		}
		return dateVN(*v)
	case string: // YYYY-MM-DD
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			return d.Format("02/01/2006")
		}
		return v
	}
	return ""
}

func dateTimeVN(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.Local).Format("15:04 02/01/2006")
}

// fieldID is the id of a form field's input, the target of the error
// summary's link.
func fieldID(field string) string {
	return "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(field)
}

var funcs = template.FuncMap{
	"date":         dateVN,
	"datetime":     dateTimeVN,
	"stageName":    func(s domain.Stage) string { return app.StageName(s) },
	"actionName":   func(a domain.Action, at domain.Stage) string { return app.ActionName(a, at) },
	"docKind":      func(k domain.DocumentKind) string { return app.DocumentKindNames[k] },
	"kindName":     func(k domain.Kind) string { return app.KindNames[k] },
	"procName":     func(p domain.Procedure) string { return app.ProcedureNames[p] },
	"authority":    func(a domain.Authority) string { return app.AuthorityNames[a] },
	"roleName":     func(r domain.Role) string { return app.RoleNames[r] },
	"statusName":   func(s domain.Status) string { return app.StatusNames[s] },
	"campaignKind": func(k domain.CampaignKind) string { return app.CampaignKindNames[k] },
	"nomineeType": func(t domain.NomineeType) string {
		return app.NomineeTypeNames[t]
	},
	"unitKind":   func(k domain.UnitKind) string { return app.UnitKindNames[k] },
	"sourceName": func(s domain.RegistrySource) string { return app.RegistrySourceNames[s] },
	"stageTag":   stageTag,
	"inc":        func(i int) int { return i + 1 },
	// picker is the absent member's pick of a written opinion (the
	// "memberPicker" template of layout.html).
	"picker": func(ms []domain.CouncilMember, current, err string) memberPick {
		return memberPick{Members: ms, Current: current, Err: err}
	},
	"fieldID": fieldID,
	"size": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%d KB", n>>10)
		}
		return fmt.Sprintf("%d byte", n)
	},
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
	"has": func(list any, x any) bool {
		switch l := list.(type) {
		case []domain.DocumentKind:
			for _, k := range l {
				if k == x {
					return true
				}
			}
		case []string:
			for _, k := range l {
				if k == x {
					return true
				}
			}
		}
		return false
	},
	"awardName": func(code string) string {
		if a, ok := domain.AwardByCode(code); ok {
			return a.Name
		}
		return code
	},
	"sessionStatus": func(s string) string { return sessionStatusNames[s] },
	"reminderKind":  func(k string) string { return reminderKinds[k] },
	"sessionTag":    sessionTag,
	"yes":           func(p *bool) bool { return p != nil && *p },
	"entryTitle":    entryTitle,
	"personLabel":   personLabel,
	"lines":         func(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") },
}

// stageTag is the GOV.UK tag colour of a stage.
func stageTag(s domain.Stage) string {
	switch s {
	case domain.Awarded:
		return "govuk-tag--green"
	case domain.Rejected, domain.Cancelled:
		return "govuk-tag--red"
	case domain.Withdrawn:
		return "govuk-tag--grey"
	case domain.Supplement:
		return "govuk-tag--orange"
	case domain.Council, domain.PublicNotice:
		return "govuk-tag--purple"
	case domain.Decision:
		return "govuk-tag--turquoise"
	case domain.CentralAppraisal, domain.PMDecision, domain.PresidentDecision:
		return "govuk-tag--pink"
	}
	return "govuk-tag--blue"
}

// sessionTag is the GOV.UK tag colour of a session's status.
func sessionTag(s string) string {
	switch s {
	case workflows.SessionClosed:
		return "govuk-tag--green"
	case workflows.SessionClosing:
		return "govuk-tag--yellow"
	}
	return "govuk-tag--blue"
}

// entryTitle is a history entry's title: a council session's result says
// so (it is recorded as the close of the vote, with the session).
func entryTitle(e domain.HistoryEntry) string {
	if e.Action == domain.ActSessionResult || e.Details != nil && e.Details.Session != "" {
		return app.ActionName(domain.ActSessionResult, e.From)
	}
	return app.ActionName(e.Action, e.From)
}

// memberPick is what the "memberPicker" template shows: the members to
// pick from, the one picked, and the field's error.
type memberPick struct {
	Members      []domain.CouncilMember
	Current, Err string
}

// navItem is one link of the role's navigation.
type navItem struct {
	Href, Label string
	Current     bool
	// Hint says what the page holds, on the books page.
	Hint string
}

// navMax is the most links the navigation shows on one line of a desktop
// screen; past it, the registers and the plan go behind one link to the
// books page (booksFor).
const navMax = 6

// navFor is the navigation of a person: the union of their roles' pages,
// the page path is on (or under) marked current.
func navFor(a domain.Actor, path string) []navItem {
	items := workFor(a)
	books := booksFor(a)
	if len(items)+len(books) > navMax && len(books) > 1 {
		items = append(items, navItem{Href: "/books", Label: "Sổ sách và kế hoạch"})
		for _, b := range books {
			if under(path, b.Href) {
				path = "/books"
			}
		}
	} else {
		items = append(items, books...)
	}
	if a.Has(domain.RoleUnit) && !app.UnitScoped(a) {
		items = append(items, navItem{Href: "/dossiers/new", Label: "Nộp hồ sơ mới"})
	}
	// The longest link the path is on is current (/dossiers/new, not
	// /dossiers, on the form).
	cur := -1
	for i, it := range items {
		if under(path, it.Href) && (cur < 0 || len(it.Href) > len(items[cur].Href)) {
			cur = i
		}
	}
	if cur >= 0 {
		items[cur].Current = true
	}
	return items
}

// under is whether path is href or a page below it.
func under(path, href string) bool {
	return path == href || strings.HasPrefix(path, href+"/")
}

// workFor are the pages of a's daily work: the inbox, the dossiers, the
// batches and the council's sessions.
func workFor(a domain.Actor) []navItem {
	var items []navItem
	add := func(href, label string) {
		for _, i := range items {
			if i.Href == href {
				return
			}
		}
		items = append(items, navItem{Href: href, Label: label})
	}
	if app.UnitScoped(a) {
		add("/dossiers", "Hồ sơ của đơn vị")
		add("/dossiers/new", "Nộp hồ sơ mới")
		return items
	}
	for _, r := range a.Roles {
		switch r {
		case domain.RoleOfficer:
			add("/tasks", "Việc cần làm")
		case domain.RoleCouncil:
			add("/tasks", "Hồ sơ chờ bỏ phiếu")
		case domain.RoleSecretary:
			add("/tasks", "Bỏ phiếu của Hội đồng")
		case domain.RoleChairman:
			add("/tasks", "Chờ quyết định")
		case domain.RoleAdmin:
			add("/admin", "Quá hạn và bị kẹt")
		}
	}
	add("/dossiers", "Tất cả hồ sơ")
	if a.Has(domain.RoleOfficer) || a.Has(domain.RoleChairman) || a.Has(domain.RoleAdmin) {
		add("/batches", "Danh sách khen thưởng")
	}
	if a.Has(domain.RoleCouncil) || a.Has(domain.RoleSecretary) || a.Has(domain.RoleOfficer) || a.Has(domain.RoleChairman) || a.Has(domain.RoleAdmin) {
		add("/sessions", "Phiên họp Hội đồng")
	}
	return items
}

// booksFor are the registers, directories and the plan a may read.
func booksFor(a domain.Actor) []navItem {
	var items []navItem
	add := func(href, label, hint string) { items = append(items, navItem{Href: href, Label: label, Hint: hint}) }
	if a.Has(domain.RoleOfficer) || a.Has(domain.RoleAdmin) || app.UnitScoped(a) {
		add("/registry", "Sổ khen thưởng", "Khen thưởng đã trao và đã nhập, tra cứu theo người, đơn vị, năm; nhập từ tệp XLSX hoặc CSV.")
	}
	if a.Has(domain.RoleOfficer) || a.Has(domain.RoleAdmin) {
		add("/units", "Danh mục đơn vị", "Các sở, ban, ngành, đoàn thể, xã, phường và doanh nghiệp, theo khối thi đua.")
		add("/holds", "Xem xét kỷ luật", "Người đang bị xem xét kỷ luật: hồ sơ của họ chưa được quyết định cho đến khi gỡ.")
	}
	if app.MayReadRoster(a) {
		add("/council", "Thành viên Hội đồng", "Danh sách thành viên Hội đồng Thi đua - Khen thưởng, ghi trong biên bản phiên họp.")
	}
	add("/plan", "Kế hoạch năm", "Các đợt thi đua của năm và thời hạn nhận hồ sơ của từng đợt.")
	if app.MayReadRegistrations(a) {
		add("/registrations", "Đăng ký thi đua", "Đăng ký danh hiệu thi đua của các đơn vị và hạn đăng ký của năm.")
	}
	if app.MayReadReports(a) {
		add("/reports", "Báo cáo", "Số hồ sơ theo đợt, đơn vị, hình thức khen thưởng và thời gian xử lý từng bước; tải CSV, XLSX.")
	}
	if a.Has(domain.RoleAdmin) {
		add("/reminders", "Thư nhắc đã gửi", "Thư điện tử và webhook nhắc hạn đã gửi.")
	}
	return items
}

// view is what every page template gets.
type view struct {
	Title    string
	Signed   bool
	User     domain.Actor
	Nav      []navItem
	CSRF     string
	Flash    string
	Problem  string
	Errors   []domain.FieldError
	Data     any
	Path     string
	Status   int
	Request  string
	DevUsers bool
}

// FieldError is the message of field f in the error summary, if any.
func (v view) FieldError(f string) string {
	for _, e := range v.Errors {
		if e.Field == f {
			return e.Message
		}
	}
	return ""
}

// render writes a page with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any, problem string, errs []domain.FieldError) {
	v := view{Title: title, Data: data, Problem: problem, Errors: errs, Path: r.URL.Path, Status: status,
		Request: w.Header().Get("X-Request-ID")}
	if a, ok := c.actor(r); ok {
		v.Signed, v.User, v.Nav = true, a, navFor(a, r.URL.Path)
	}
	v.CSRF = c.csrfToken(r)
	if status < 400 {
		v.Flash = c.sm.PopString(r.Context(), keyFlash)
	}
	t, ok := c.pages[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		c.log.Error("render page", "page", name, "error", err)
		http.Error(w, "Lỗi hiển thị trang", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is a page that says only what went wrong.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	title := "Không thực hiện được"
	switch status {
	case http.StatusNotFound:
		title = "Không tìm thấy trang"
	case http.StatusForbidden:
		title = "Không có quyền truy cập"
	case http.StatusServiceUnavailable:
		title = "Hệ thống tạm thời gián đoạn"
		w.Header().Set("Retry-After", "5")
	}
	c.render(w, r, status, "error", title, msg, "", nil)
}

// statusOf is the HTTP status a page answers with for a use case error.
func statusOf(err error) int {
	if st := app.HTTPStatus(app.AsError(err).Kind); st != 0 {
		return st
	}
	return http.StatusInternalServerError
}

// ownPage reports whether a use case error is answered with a page of its
// own (failPage) rather than the form again with the reason: a failure of
// the system, and, when gone is set, a thing acted on that is not there.
func ownPage(err error, gone bool) bool {
	e := app.AsError(err)
	return e.Kind == app.ErrInternal || e.Kind == app.ErrUnavailable || (gone && e.Kind == domain.ErrNotFound)
}

// formVersion is the version a form was shown at (its If-Match); 0 none.
func formVersion(r *http.Request) int64 {
	v, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || v < 1 {
		return 0
	}
	return v
}

// failPage answers a use case error with a page of its own: not found,
// forbidden, unavailable.
func (c *Console) failPage(w http.ResponseWriter, r *http.Request, err error) {
	e := app.AsError(err)
	if e.Kind == app.ErrInternal || e.Kind == app.ErrUnavailable {
		c.log.Error("console request failed", "path", r.URL.Path, "during", e.What, "error", e.Err)
	}
	msg, _ := app.Vietnamese(err)
	if e.Kind == app.ErrInternal {
		msg += " Mã yêu cầu: " + w.Header().Get("X-Request-ID")
	}
	c.errorPage(w, r, statusOf(err), msg)
}
