package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"tdkt/app"
	"tdkt/domain"
)

// The award registry (sổ khen thưởng), its spreadsheet import with the
// report of refused rows, and the unit directory (issue 13).

type registryData struct {
	Query      url.Values
	Items      []domain.RegistryEntry
	Next       string
	UnitScoped bool
	MayImport  bool
	Awards     []domain.Award
	Units      []domain.Unit
	UnitNames  map[string]string
}

// registry lists the registry: GET /registry (officer, admin; a unit its
// own unit's entries).
func (c *Console) registry(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	q := r.URL.Query()
	dropEmpty(q)
	ctx := r.Context()
	units, err := c.app.Units(ctx, a)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d := registryData{Query: q, UnitScoped: !a.Has(domain.RoleOfficer) && !a.Has(domain.RoleAdmin),
		MayImport: a.Has(domain.RoleOfficer), Awards: domain.RegistryAwards, Units: units, UnitNames: map[string]string{}}
	for _, u := range units {
		d.UnitNames[u.Code] = u.Name
	}
	f, fe := app.ParseRegistryQuery(q)
	if len(fe) > 0 {
		c.badFilter(w, r, "registry", "Sổ khen thưởng", d, fe)
		return
	}
	items, next, err := c.app.Registry(ctx, a, f)
	if err != nil {
		if app.AsError(err).Kind != domain.ErrInvalid {
			c.failPage(w, r, err)
			return
		}
		msg, fields := app.Vietnamese(err)
		c.render(w, r, statusOf(err), "registry", "Sổ khen thưởng", d, msg, fields)
		return
	}
	d.Items = items
	d.Next = nextPage("/registry", q, next)
	title := "Sổ khen thưởng"
	if d.UnitScoped {
		title = "Sổ khen thưởng của đơn vị"
	}
	c.render(w, r, http.StatusOK, "registry", title, d, "", nil)
}

type importData struct {
	Rows        []app.RowError
	RowsRefused int
	Listed      int
	FileName    string
	Max         int64
	Columns     any // app.RegistryColumns
}

func newImportData(max int64) importData {
	return importData{Max: max >> 20, Columns: app.RegistryColumns}
}

// importPage is the import form: GET /registry/import (officer).
func (c *Console) importPage(w http.ResponseWriter, r *http.Request) {
	if !actorOf(r).Has(domain.RoleOfficer) {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ chuyên viên Thi đua - Khen thưởng mới nhập sổ khen thưởng từ bảng tính.")
		return
	}
	c.render(w, r, http.StatusOK, "registryimport", "Nhập sổ khen thưởng từ bảng tính", newImportData(c.app.MaxUpload()), "", nil)
}

// importFile imports the spreadsheet: POST /registry/import (officer).
// A refused file shows the form again with the report: the reason at the
// top, linked to the file field, and every refused row in a table.
func (c *Console) importFile(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	if !a.Has(domain.RoleOfficer) {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ chuyên viên Thi đua - Khen thưởng mới nhập sổ khen thưởng từ bảng tính.")
		return
	}
	d := newImportData(c.app.MaxUpload())
	r.Body = http.MaxBytesReader(w, r.Body, c.app.MaxUpload()+app.MultipartOverhead)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			msg := fmt.Sprintf("Tệp quá lớn: mỗi tệp tối đa %d MB. Hãy chia thành nhiều tệp.", d.Max)
			c.render(w, r, http.StatusRequestEntityTooLarge, "registryimport", "Nhập sổ khen thưởng từ bảng tính", d, msg,
				[]domain.FieldError{{Field: "file", Message: msg}})
			return
		}
		c.errorPage(w, r, http.StatusBadRequest, "Biểu mẫu tải tệp không đọc được. Vui lòng chọn lại tệp và gửi lại.")
		return
	}
	defer r.MultipartForm.RemoveAll()
	if !c.validCSRF(r, r.PostFormValue(CSRFField)) {
		c.csrfRefused(w, r)
		return
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		msg := "Hãy chọn tệp bảng tính (XLSX hoặc CSV) để nhập."
		c.render(w, r, http.StatusUnprocessableEntity, "registryimport", "Nhập sổ khen thưởng từ bảng tính", d, msg,
			[]domain.FieldError{{Field: "file", Message: msg}})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, c.app.MaxUpload()+1))
	if err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "Tệp gửi lên không đọc được. Vui lòng gửi lại.")
		return
	}
	d.FileName = fh.Filename
	res, err := c.app.ImportRegistry(r.Context(), a, data)
	if err != nil {
		if ownPage(err, false) {
			c.failPage(w, r, err)
			return
		}
		e := app.AsError(err)
		msg, fields := app.Vietnamese(err)
		if e.Import {
			// The summary's link, to the file field, says why.
			msg = "Tệp chưa được nhập."
		}
		d.Rows, d.RowsRefused, d.Listed = e.Rows, e.RowsRefused, len(e.Rows)
		c.render(w, r, statusOf(err), "registryimport", "Nhập sổ khen thưởng từ bảng tính", d, msg, fields)
		return
	}
	msg := fmt.Sprintf("Đã nhập %d dòng từ tệp «%s» vào sổ khen thưởng.", res.Imported, fh.Filename)
	if len(res.Notes) > 0 {
		msg += " " + strings.Join(res.Notes, " ")
	}
	c.flash(r, msg)
	http.Redirect(w, r, "/registry", http.StatusSeeOther)
}

// registryTemplate downloads the import template: GET /registry/template.
func (c *Console) registryTemplate(w http.ResponseWriter, r *http.Request) {
	name, ct, data, err := c.app.RegistryTemplate(r.Context(), actorOf(r), r.URL.Query().Get("format"))
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", app.ContentDisposition("attachment", name))
	_, _ = w.Write(data)
}

type unitGroup struct {
	Block string
	Units []domain.Unit
}

type unitsData struct {
	Groups  []unitGroup
	Count   int
	MayEdit bool
	Form    url.Values
	Kinds   []domain.UnitKind
	Editing string
}

// units is the unit directory, by emulation block: GET /units (any role);
// the administrator adds a unit from the same page.
func (c *Console) units(w http.ResponseWriter, r *http.Request) {
	c.renderUnits(w, r, http.StatusOK, url.Values{}, "", nil)
}

func (c *Console) renderUnits(w http.ResponseWriter, r *http.Request, status int, form url.Values, problem string, errs []domain.FieldError) {
	a := actorOf(r)
	us, err := c.app.Units(r.Context(), a)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d := unitsData{Count: len(us), MayEdit: a.Has(domain.RoleAdmin), Form: form, Kinds: domain.UnitKinds}
	for _, u := range us {
		if n := len(d.Groups); n == 0 || d.Groups[n-1].Block != u.Block {
			d.Groups = append(d.Groups, unitGroup{Block: u.Block})
		}
		g := &d.Groups[len(d.Groups)-1]
		g.Units = append(g.Units, u)
	}
	// Departments first, then mass organisations, wards and communes,
	// enterprises: each block where its first kind of unit comes.
	rank := func(g unitGroup) int {
		best := len(domain.UnitKinds)
		for _, u := range g.Units {
			best = min(best, slices.Index(domain.UnitKinds, u.Kind))
		}
		return best
	}
	slices.SortStableFunc(d.Groups, func(x, y unitGroup) int { return rank(x) - rank(y) })
	c.render(w, r, status, "units", "Danh mục đơn vị", d, problem, errs)
}

// createUnit adds a unit: POST /units (admin).
func (c *Console) createUnit(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	u := domain.Unit{Code: strings.ToUpper(strings.TrimSpace(f.Get("code"))), Name: f.Get("name"),
		Kind: domain.UnitKind(f.Get("kind")), Block: f.Get("block"), Email: f.Get("email")}
	out, err := c.app.CreateUnit(r.Context(), actorOf(r), u)
	if err != nil {
		if ownPage(err, false) || app.AsError(err).Kind == domain.ErrForbidden {
			c.failPage(w, r, err)
			return
		}
		msg, fields := app.Vietnamese(err)
		c.renderUnits(w, r, statusOf(err), f, msg, fields)
		return
	}
	c.flash(r, fmt.Sprintf("Đã thêm «%s» (%s) vào danh mục đơn vị.", out.Name, out.Code))
	http.Redirect(w, r, "/units#"+url.PathEscape(out.Code), http.StatusSeeOther)
}

type unitEditData struct {
	Unit  domain.Unit
	Form  url.Values
	Kinds []domain.UnitKind
}

// unitPage is a unit's edit form: GET /units/{code} (admin).
func (c *Console) unitPage(w http.ResponseWriter, r *http.Request) {
	c.renderUnit(w, r, http.StatusOK, nil, "", nil)
}

func (c *Console) renderUnit(w http.ResponseWriter, r *http.Request, status int, form url.Values, problem string, errs []domain.FieldError) {
	a := actorOf(r)
	if !a.Has(domain.RoleAdmin) {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ quản trị hệ thống mới sửa danh mục đơn vị.")
		return
	}
	us, err := c.app.Units(r.Context(), a)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	i := slices.IndexFunc(us, func(u domain.Unit) bool { return u.Code == r.PathValue("code") })
	if i < 0 {
		c.errorPage(w, r, http.StatusNotFound, "Không có đơn vị này trong danh mục đơn vị.")
		return
	}
	u := us[i]
	if form == nil {
		form = url.Values{"name": {u.Name}, "kind": {string(u.Kind)}, "block": {u.Block}, "email": {u.Email}}
	}
	c.render(w, r, status, "unit", u.Name, unitEditData{Unit: u, Form: form, Kinds: domain.UnitKinds}, problem, errs)
}

// updateUnit changes a unit's name, kind, block or e-mail: POST /units/{code}.
func (c *Console) updateUnit(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	u := domain.Unit{Name: f.Get("name"), Kind: domain.UnitKind(f.Get("kind")), Block: f.Get("block"), Email: f.Get("email")}
	out, err := c.app.UpdateUnit(r.Context(), actorOf(r), r.PathValue("code"), u)
	if err != nil {
		if ownPage(err, true) || app.AsError(err).Kind == domain.ErrForbidden {
			c.failPage(w, r, err)
			return
		}
		msg, fields := app.Vietnamese(err)
		c.renderUnit(w, r, statusOf(err), f, msg, fields)
		return
	}
	c.flash(r, fmt.Sprintf("Đã lưu «%s» (%s).", out.Name, out.Code))
	http.Redirect(w, r, "/units#"+url.PathEscape(out.Code), http.StatusSeeOther)
}
