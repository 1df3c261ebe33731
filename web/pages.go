package web

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"

	"tdkt/app"
	"tdkt/domain"
	"tdkt/workflows"
)

// stageCount is one line of the inbox's counts per stage.
type stageCount struct {
	Stage   domain.Stage
	Count   int
	Overdue int
}

type tasksData struct {
	Items   []domain.View
	Counts  []stageCount
	Overdue int
	Council bool
	Quorum  int
	// Sessions are the open council sessions waiting on the person: their
	// ballot (a member who has not cast one), or their work (the
	// secretary). The dossiers on their agendas are not in Items: they wait
	// on the session, not on a single vote.
	Sessions []app.Session
}

// tasks is the inbox: what waits on the person, due date first.
func (c *Console) tasks(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	items, err := c.app.Inbox(r.Context(), a, app.MaxLimit)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d := tasksData{Items: items, Council: a.Has(domain.RoleCouncil) || a.Has(domain.RoleSecretary), Quorum: c.app.Policy().Quorum()}
	if d.Council {
		// The inbox stands without them: a failure here only leaves them out.
		open, err := c.app.ListSessions(r.Context(), a, workflows.SessionOpen, app.MaxLimit)
		if err != nil {
			c.log.Warn("console inbox: open sessions", "error", err)
		}
		for _, s := range open {
			if a.Has(domain.RoleSecretary) || s.MyBallotCast != nil && !*s.MyBallotCast {
				d.Sessions = append(d.Sessions, s)
			}
		}
	}
	for _, st := range domain.Stages {
		sc := stageCount{Stage: st.Stage}
		for _, v := range items {
			if v.Stage == st.Stage {
				sc.Count++
				if v.Overdue {
					sc.Overdue++
				}
			}
		}
		if sc.Count > 0 {
			d.Counts = append(d.Counts, sc)
			d.Overdue += sc.Overdue
		}
	}
	c.render(w, r, http.StatusOK, "tasks", "Việc cần làm", d, "", nil)
}

type listData struct {
	Items      []domain.View
	Query      url.Values
	Next       string
	UnitScoped bool
	Stages     []domain.StageInfo
	Statuses   []domain.Status
	Awards     []domain.Award
}

// list is every dossier the person may see, filtered and paged.
func (c *Console) list(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	q := r.URL.Query()
	// An unticked "overdue" box is not a filter.
	if q.Get("overdue") != "true" {
		q.Del("overdue")
	}
	dropEmpty(q)
	d := listData{Query: q, UnitScoped: app.UnitScoped(a), Stages: domain.Stages, Statuses: domain.Statuses, Awards: domain.Catalogue}
	f, fe := app.ParseListQuery(q)
	if len(fe) > 0 {
		c.badFilter(w, r, "list", "Hồ sơ", d, fe)
		return
	}
	items, next, err := c.app.List(r.Context(), a, f)
	if err != nil {
		msg, fields := app.Vietnamese(err)
		if app.AsError(err).Kind != domain.ErrInvalid {
			c.failPage(w, r, err)
			return
		}
		c.render(w, r, statusOf(err), "list", "Hồ sơ", d, msg, fields)
		return
	}
	d.Items = items
	d.Next = nextPage("/dossiers", q, next)
	title := "Tất cả hồ sơ"
	if d.UnitScoped {
		title = "Hồ sơ của đơn vị"
	}
	c.render(w, r, http.StatusOK, "list", title, d, "", nil)
}

type adminData struct {
	Overdue   []domain.View
	Active    []domain.View
	Links     map[string]string
	StuckURL  string
	HasUILink bool
}

// admin lists overdue dossiers and the oldest untouched active ones, each
// linked to its workflow in Temporal UI.
func (c *Console) admin(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	if !a.Has(domain.RoleAdmin) {
		c.errorPage(w, r, http.StatusForbidden, "Trang này dành cho quản trị hệ thống.")
		return
	}
	ctx := r.Context()
	overdue, _, err := c.app.List(ctx, a, app.ListFilter{Status: string(domain.StatusActive), Overdue: true, Limit: app.MaxLimit})
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d := adminData{Overdue: overdue, Links: map[string]string{}, HasUILink: c.temporal != ""}
	for _, v := range overdue {
		d.Links[v.ID] = c.workflowURL(v.ID)
	}
	if c.temporal != "" {
		d.StuckURL = c.temporal + "/namespaces/" + url.PathEscape(c.namespace) + "/workflows?query=" +
			url.QueryEscape(`ExecutionStatus = "Running" AND DossierOverdue = true`)
	}
	c.render(w, r, http.StatusOK, "admin", "Hồ sơ quá hạn và bị kẹt", d, "", nil)
}

// awardChoice is an award as the submission form explains it.
type awardChoice struct {
	domain.Award
	// Group heads the first award of each authority.
	Group    string
	Decides  string
	Council  string
	Notice   bool
	Nominees string
}

type newData struct {
	// Campaigns are those open for submissions today: the form offers
	// them; the use case checks the award is one the campaign covers.
	Campaigns  []domain.Campaign
	Awards     []awardChoice
	Kinds      []domain.Kind
	Form       url.Values
	Key        string
	Simplified []domain.Kind
}

// awardChoices lists the catalogue by who decides, the province's own
// awards first: they are most of a unit's dossiers.
func awardChoices() []awardChoice {
	var out []awardChoice
	groups := []struct {
		auth  domain.Authority
		title string
	}{
		{domain.AuthorityProvince, "Khen thưởng cấp tỉnh"},
		{domain.AuthorityPM, "Trình Thủ tướng Chính phủ"},
		{domain.AuthorityPresident, "Trình Chủ tịch nước"},
	}
	var sorted []domain.Award
	for _, g := range groups {
		for _, a := range domain.Catalogue {
			if a.Authority == g.auth {
				sorted = append(sorted, a)
			}
		}
	}
	for i, a := range sorted {
		ch := awardChoice{Award: a, Decides: app.AuthorityNames[a.Authority], Notice: a.Notice}
		if i == 0 || sorted[i-1].Authority != a.Authority {
			for _, g := range groups {
				if g.auth == a.Authority {
					ch.Group = g.title
				}
			}
		}
		switch a.Council {
		case "-":
			ch.Council = "không cần Hội đồng biểu quyết"
		case ">50%":
			ch.Council = "Hội đồng biểu quyết, cần quá nửa tổng số thành viên đồng ý"
		default:
			ch.Council = "Hội đồng biểu quyết, cần " + a.Council + " tổng số thành viên đồng ý"
		}
		var ts []string
		for _, t := range a.NomineeTypes {
			ts = append(ts, strings.ToLower(app.NomineeTypeNames[t]))
		}
		ch.Nominees = strings.Join(ts, ", ")
		out = append(out, ch)
	}
	return out
}

// newDossier is the submission form (unit).
func (c *Console) newDossier(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	if !a.Has(domain.RoleUnit) {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ đơn vị đề nghị mới được nộp hồ sơ.")
		return
	}
	form := url.Values{"kind": {string(domain.KindMerit)}, "procedure": {string(domain.ProcedureRegular)}, "nominee.type": {string(domain.Individual)}}
	c.renderNew(w, r, http.StatusOK, form, rand.Text(), "", nil)
}

func (c *Console) renderNew(w http.ResponseWriter, r *http.Request, status int, form url.Values, key, problem string, errs []domain.FieldError) {
	d := newData{Awards: awardChoices(), Kinds: domain.Kinds, Form: form, Key: key,
		Simplified: []domain.Kind{domain.KindAdhoc, domain.KindDedication, domain.KindForeign}}
	cs, err := c.app.OpenCampaigns(r.Context(), actorOf(r))
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d.Campaigns = cs
	c.render(w, r, status, "new", "Nộp hồ sơ đề nghị khen thưởng", d, problem, errs)
}

// submit creates the dossier. The form's key is its Idempotency-Key: a
// double click or a resent form gives the same dossier, not two.
func (c *Console) submit(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	f := r.PostForm
	sub := domain.Submission{
		AwardCode: strings.TrimSpace(f.Get("award_code")), Kind: domain.Kind(f.Get("kind")),
		Procedure: domain.Procedure(f.Get("procedure")), Campaign: strings.TrimSpace(f.Get("campaign")),
		AchievementPeriod: strings.TrimSpace(f.Get("achievement_period")), Summary: strings.TrimSpace(f.Get("summary")),
		Nominee: domain.Nominee{Type: domain.NomineeType(f.Get("nominee.type")), Name: strings.TrimSpace(f.Get("nominee.name")),
			Position: strings.TrimSpace(f.Get("nominee.position")), Organization: strings.TrimSpace(f.Get("nominee.organization")),
			BirthDate: app.ISODate(f.Get("nominee.birth_date")), CitizenID: strings.TrimSpace(f.Get("nominee.citizen_id"))},
	}
	key := f.Get("key")
	v, _, err := c.app.Submit(r.Context(), a, key, sub)
	if err != nil {
		e := app.AsError(err)
		if e.Kind != domain.ErrInvalid {
			c.failPage(w, r, err)
			return
		}
		msg, fields := app.Vietnamese(err)
		c.renderNew(w, r, statusOf(err), f, key, msg, fields)
		return
	}
	c.flash(r, "Đã nộp hồ sơ "+v.ID+". Hãy đính kèm các thành phần hồ sơ còn thiếu bên dưới.")
	http.Redirect(w, r, "/dossiers/"+url.PathEscape(v.ID), http.StatusSeeOther)
}

// books is the page of the registers, directories, plan and reports a
// person may read: the navigation's one link to them when they are many.
func (c *Console) books(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "books", "Sổ sách và kế hoạch", booksFor(actorOf(r)), "", nil)
}

// nextPage is the link to the page after the one path shows for query q:
// q with the next page's cursor, "" on the last page.
func nextPage(path string, q url.Values, cursor string) string {
	if cursor == "" {
		return ""
	}
	nq := url.Values{}
	for k, v := range q {
		nq[k] = v
	}
	nq.Set("cursor", cursor)
	return path + "?" + nq.Encode()
}

// dropEmpty takes the filters left empty out of a list's query q, so that
// they neither filter nor show in the page's links.
func dropEmpty(q url.Values) {
	for k, v := range q {
		if len(v) == 1 && strings.TrimSpace(v[0]) == "" {
			q.Del(k)
		}
	}
}

// badFilter renders a list page (template name, title, data d) whose
// filters fe refused: 422, each field's reason in Vietnamese.
func (c *Console) badFilter(w http.ResponseWriter, r *http.Request, name, title string, d any, fe []domain.FieldError) {
	vi := make([]domain.FieldError, len(fe))
	for i, e := range fe {
		vi[i] = app.VietnameseField(e)
	}
	c.render(w, r, http.StatusUnprocessableEntity, name, title, d, "Bộ lọc chưa hợp lệ.", vi)
}
