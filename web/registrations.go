package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tdkt/app"
	"tdkt/domain"
	"tdkt/store"
)

// Emulation registrations (đăng ký thi đua, issue 14): a unit lists and
// makes its own; the officer, the chairman and the administrator see all,
// filtered by unit and year. And the reminders' outbox for the
// administrator.

type registrationsData struct {
	Query      url.Values
	Year       int
	Deadline   string
	Open       bool
	Items      []domain.Registration
	Units      []domain.Unit
	UnitNames  map[string]string
	UnitScoped bool
	MayCreate  bool
}

// registrations is the list: GET /registrations?year=&unit= (the year
// open for registering when none is asked).
func (c *Console) registrations(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	if !app.MayReadRegistrations(a) {
		c.errorPage(w, r, http.StatusForbidden, "Đăng ký thi đua dành cho đơn vị, chuyên viên, Chủ tịch UBND tỉnh và quản trị hệ thống.")
		return
	}
	q := r.URL.Query()
	dropEmpty(q)
	ctx := r.Context()
	if q.Get("year") == "" {
		y, err := c.app.RegistrationYear(ctx)
		if err != nil {
			c.failPage(w, r, err)
			return
		}
		q.Set("year", strconv.Itoa(y))
	}
	us, err := c.app.Units(ctx, a)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d := registrationsData{Query: q, Units: us, UnitNames: map[string]string{}, UnitScoped: app.UnitScoped(a), MayCreate: a.Has(domain.RoleUnit)}
	for _, u := range us {
		d.UnitNames[u.Code] = u.Name
	}
	f, fe := app.ParseRegistrationQuery(q)
	if len(fe) > 0 {
		c.badFilter(w, r, "registrations", "Đăng ký thi đua", d, fe)
		return
	}
	d.Year = f.Year
	if d.Deadline, err = c.app.RegistrationDeadline(ctx, f.Year); err != nil {
		c.failPage(w, r, err)
		return
	}
	d.Open = c.app.Today() <= d.Deadline
	if d.Items, err = c.app.Registrations(ctx, a, f); err != nil {
		c.failPage(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "registrations", fmt.Sprintf("Đăng ký thi đua năm %d", f.Year), d, "", nil)
}

type registrationNewData struct {
	Form     url.Values
	Titles   []domain.Award
	Deadline string
	UnitName string
}

// newRegistration is the form: GET /registrations/new (unit).
func (c *Console) newRegistration(w http.ResponseWriter, r *http.Request) {
	y, err := c.app.RegistrationYear(r.Context())
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	c.renderNewRegistration(w, r, http.StatusOK, url.Values{"year": {strconv.Itoa(y)}, "type": {string(domain.Individual)}}, "", nil)
}

func (c *Console) renderNewRegistration(w http.ResponseWriter, r *http.Request, status int, form url.Values, problem string, errs []domain.FieldError) {
	a := actorOf(r)
	if !a.Has(domain.RoleUnit) {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ đơn vị mới đăng ký thi đua.")
		return
	}
	d := registrationNewData{Form: form, Titles: domain.TitleAwards(), UnitName: a.Unit}
	if u, err := c.app.Units(r.Context(), a); err == nil {
		for _, x := range u {
			if x.Code == a.Unit {
				d.UnitName = x.Name
			}
		}
	}
	if y, err := strconv.Atoi(form.Get("year")); err == nil && y >= 2000 && y <= 2100 {
		if dl, err := c.app.RegistrationDeadline(r.Context(), y); err == nil {
			d.Deadline = dl
		}
	}
	c.render(w, r, status, "registrationnew", "Đăng ký danh hiệu thi đua", d, problem, errs)
}

// createRegistration registers: POST /registrations.
func (c *Console) createRegistration(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	year, err := strconv.Atoi(strings.TrimSpace(f.Get("year")))
	if err != nil {
		year = -1
	}
	in := domain.Registration{Year: year, AwardCode: f.Get("award_code"),
		Nominee: domain.Nominee{Type: domain.NomineeType(f.Get("type")), Name: f.Get("name"), Position: f.Get("position")}}
	v, err := c.app.Register(r.Context(), actorOf(r), in)
	if err != nil {
		if ownPage(err, false) {
			c.failPage(w, r, err)
			return
		}
		msg, fields := app.Vietnamese(err)
		for i := range fields {
			// The form's fields are named without the nominee. prefix.
			fields[i].Field = strings.TrimPrefix(fields[i].Field, "nominee.")
		}
		if app.AsError(err).Kind == domain.ErrConflict {
			fields = []domain.FieldError{{Field: "name", Message: msg}}
		}
		c.renderNewRegistration(w, r, statusOf(err), f, msg, fields)
		return
	}
	c.flash(r, fmt.Sprintf("Đã đăng ký danh hiệu «%s» năm %d cho «%s».", v.AwardName, v.Year, v.Nominee.Name))
	http.Redirect(w, r, "/registrations?year="+strconv.Itoa(v.Year), http.StatusSeeOther)
}

type remindersData struct {
	Items []store.SentReminder
}

// reminders is the reminders' outbox: GET /reminders (admin).
func (c *Console) reminders(w http.ResponseWriter, r *http.Request) {
	out, err := c.app.SentReminders(r.Context(), actorOf(r))
	if err != nil {
		if app.AsError(err).Kind == domain.ErrForbidden {
			c.errorPage(w, r, http.StatusForbidden, "Thư nhắc đã gửi chỉ dành cho quản trị hệ thống.")
			return
		}
		c.failPage(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "reminders", "Thư nhắc đã gửi", remindersData{Items: out}, "", nil)
}

// reminderKinds names the reminders' kinds.
var reminderKinds = map[string]string{
	string(domain.ReminderCampaignClosing): "Sắp hết hạn nhận hồ sơ",
	string(domain.ReminderStageOverdue):    "Hồ sơ quá hạn",
}
