package web

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"tdkt/app"
	"tdkt/domain"
	"tdkt/workflows"
)

// Council sessions (phiên họp Hội đồng): the secretary opens one with an
// agenda of dossiers in council, each member casts one secret ballot on
// the whole agenda, the secretary records the written opinions of absent
// members and closes it with a quorum; the minutes are a PDF.

// sessionStatusNames are a session's statuses as people read them.
var sessionStatusNames = map[string]string{
	workflows.SessionOpen:    "Đang mở",
	workflows.SessionClosing: "Đang kết thúc",
	workflows.SessionClosed:  "Đã kết thúc",
}

// choiceNames are a ballot's choices, in the order the form offers them.
var choiceNames = []struct{ Value, Label string }{
	{workflows.ChoiceYes, "Đồng ý"},
	{workflows.ChoiceNo, "Không đồng ý"},
	{workflows.ChoiceAbstain, "Không biểu quyết"},
}

type sessionsData struct {
	Sessions []app.Session
	MayOpen  bool
}

// sessions lists the council sessions: GET /sessions.
func (c *Console) sessions(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	vs, err := c.app.ListSessions(r.Context(), a, "", app.MaxLimit)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "sessions", "Phiên họp Hội đồng", sessionsData{Sessions: vs, MayOpen: a.Has(domain.RoleSecretary)}, "", nil)
}

// councilCandidates are the dossiers in council that no open session
// holds, but for those of session except: what an agenda may take.
func (c *Console) councilCandidates(r *http.Request, except string) ([]domain.View, error) {
	a := actorOf(r)
	ctx := r.Context()
	vs, _, err := c.app.List(ctx, a, app.ListFilter{Stage: string(domain.Council), Limit: app.MaxLimit})
	if err != nil {
		return nil, err
	}
	open, err := c.app.ListSessions(ctx, a, workflows.SessionOpen, app.MaxLimit)
	if err != nil {
		return nil, err
	}
	var held []string
	for _, s := range open {
		if s.ID != except {
			held = append(held, s.Dossiers()...)
		}
	}
	return slices.DeleteFunc(vs, func(v domain.View) bool { return slices.Contains(held, v.ID) }), nil
}

type newSessionData struct {
	Candidates []domain.View
	Form       url.Values
	Chosen     map[string]bool
}

// newSession is the form that opens a session: GET /sessions/new
// (secretary).
func (c *Console) newSession(w http.ResponseWriter, r *http.Request) {
	c.renderNewSession(w, r, http.StatusOK, url.Values{"key": {rand.Text()}}, "", nil)
}

func (c *Console) renderNewSession(w http.ResponseWriter, r *http.Request, status int, form url.Values, problem string, errs []domain.FieldError) {
	if !actorOf(r).Has(domain.RoleSecretary) {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ Thư ký Hội đồng mở phiên họp.")
		return
	}
	d := newSessionData{Form: form, Chosen: map[string]bool{}}
	for _, id := range form["dossiers"] {
		d.Chosen[id] = true
	}
	vs, err := c.councilCandidates(r, "")
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d.Candidates = vs
	c.render(w, r, status, "sessionnew", "Mở phiên họp Hội đồng", d, problem, errs)
}

// formDate is the date of a GOV.UK date input (fields name-day,
// name-month, name-year) as YYYY-MM-DD: a day or month of one digit gets
// its zero; anything else (a year of two digits, words) is kept as typed,
// for the use case to refuse.
func formDate(f url.Values, name string) string {
	part := func(k string) string {
		return strings.TrimSpace(f.Get(name + "-" + k))
	}
	pad := func(s string) string {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < 10 && len(s) == 1 {
			return "0" + s
		}
		return s
	}
	d, m, y := pad(part("day")), pad(part("month")), part("year")
	if d == "" && m == "" && y == "" {
		return ""
	}
	return y + "-" + m + "-" + d
}

// openSession opens it: POST /sessions. The form's key is its
// Idempotency-Key: a double click, or the form sent again after a lost
// answer, opens one session, not two.
func (c *Console) openSession(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	req := app.SessionRequest{Title: strings.TrimSpace(f.Get("title")), Date: formDate(f, "date"), Dossiers: f["dossiers"]}
	v, _, err := c.app.OpenSessionKeyed(r.Context(), actorOf(r), f.Get("key"), req)
	if err != nil {
		if ownPage(err, false) {
			c.failPage(w, r, err)
			return
		}
		msg, fields := sessionVietnamese(err)
		for _, fe := range app.AsError(err).Fields {
			if fe.Field == "Idempotency-Key" {
				// This form opened a session already, and was changed
				// since: what is sent now is another request.
				f.Set("key", rand.Text())
				msg, fields = "Biểu mẫu này đã được dùng để mở một phiên họp. Hãy xem danh sách phiên họp; nếu cần một phiên họp nữa, kiểm tra lại rồi gửi.", nil
			}
		}
		c.renderNewSession(w, r, statusOf(err), f, msg, fields)
		return
	}
	c.flash(r, fmt.Sprintf("Đã mở phiên họp %s với %d hồ sơ trong chương trình. Các thành viên Hội đồng bỏ phiếu tại trang này.", v.ID, len(v.Agenda)))
	http.Redirect(w, r, "/sessions/"+url.PathEscape(v.ID), http.StatusSeeOther)
}

// agendaRow is one dossier of a session's agenda, and where its tally
// took it.
type agendaRow struct {
	workflows.AgendaItem
	Award string
	Moved domain.Stage
}

type sessionData struct {
	S          app.Session
	Rows       []agendaRow
	Status     string
	Open       bool
	Closed     bool
	Member     bool // a council member
	Cast       bool // who has cast their ballot
	Secretary  bool // the secretary, while the session is open
	MayAgenda  bool // the secretary, before any ballot
	QuorumMet  bool
	Choices    []struct{ Value, Label string }
	Form       url.Values
	NeedNames  bool // the written opinion asks who
	FormAction string
	Passed     int
}

// sessionPage reads the session of the request's path and what the
// person may do on it.
func (c *Console) sessionPage(r *http.Request) (sessionData, error) {
	a := actorOf(r)
	s, err := c.app.Session(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return sessionData{}, err
	}
	d := sessionData{S: s, Status: sessionStatusNames[s.Status], Open: s.Status == workflows.SessionOpen,
		Closed: s.Status == workflows.SessionClosed, QuorumMet: s.BallotsCast >= s.Quorum, Choices: choiceNames, Form: url.Values{}}
	d.Member = s.MyBallotCast != nil
	d.Cast = d.Member && *s.MyBallotCast
	d.Secretary = d.Open && a.Has(domain.RoleSecretary)
	d.MayAgenda = d.Secretary && s.BallotsCast == 0
	for _, it := range s.Agenda {
		row := agendaRow{AgendaItem: it, Award: it.AwardCode}
		if aw, ok := domain.AwardByCode(it.AwardCode); ok {
			row.Award = aw.Name
		}
		if it.Tally != nil {
			row.Moved = domain.Rejected
			if it.Tally.Passed {
				row.Moved = domain.Decision
				d.Passed++
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// session shows one session: GET /sessions/{id}.
func (c *Console) session(w http.ResponseWriter, r *http.Request) {
	d, err := c.sessionPage(r)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "session", d.S.Title, d, "", nil)
}

// ballotPage is a council member's ballot on the whole agenda: GET
// /sessions/{id}/ballot.
func (c *Console) ballotPage(w http.ResponseWriter, r *http.Request) {
	c.renderBallot(w, r, "ballot", http.StatusOK, url.Values{}, "", nil)
}

// opinionPage records an absent member's written opinion: GET
// /sessions/{id}/written-opinion (secretary).
func (c *Console) opinionPage(w http.ResponseWriter, r *http.Request) {
	c.renderBallot(w, r, "written-opinion", http.StatusOK, url.Values{}, "", nil)
}

// renderBallot renders the ballot form (kind "ballot") or the written
// opinion's (kind "written-opinion"): one radio group per dossier.
func (c *Console) renderBallot(w http.ResponseWriter, r *http.Request, kind string, status int, form url.Values, problem string, errs []domain.FieldError) {
	a := actorOf(r)
	d, err := c.sessionPage(r)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d.Form, d.FormAction = form, kind
	// A missing choice names its dossier, as the form shows it.
	for i, f := range errs {
		if id, ok := strings.CutPrefix(f.Field, "choices."); ok {
			for _, row := range d.Rows {
				if row.DossierID == id {
					errs[i].Message = fmt.Sprintf("Chọn Đồng ý, Không đồng ý hoặc Không biểu quyết cho hồ sơ %s (%s)", row.NomineeName, id)
				}
			}
		}
	}
	title := "Phiếu biểu quyết"
	if kind == "written-opinion" {
		if !a.Has(domain.RoleSecretary) {
			c.errorPage(w, r, http.StatusForbidden, "Chỉ Thư ký Hội đồng ghi nhận ý kiến bằng văn bản.")
			return
		}
		title, d.NeedNames = "Ghi nhận ý kiến bằng văn bản", true
	} else if !d.Member {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ thành viên Hội đồng được bỏ phiếu.")
		return
	}
	if problem == "" && status == http.StatusOK && !d.Open {
		problem = "Phiên họp " + strings.ToLower(d.Status) + ": không còn nhận phiếu."
	}
	c.render(w, r, status, "ballot", title+" – "+d.S.ID, d, problem, errs)
}

// ballotChoices reads a ballot form's radio groups (choices.<dossier>).
func ballotChoices(f url.Values) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		if id, ok := strings.CutPrefix(k, "choices."); ok && len(v) > 0 && v[0] != "" {
			out[id] = v[0]
		}
	}
	return out
}

// castBallot casts it: POST /sessions/{id}/ballot.
func (c *Console) castBallot(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	s, err := c.app.CastBallot(r.Context(), actorOf(r), r.PathValue("id"),
		app.BallotRequest{Choices: ballotChoices(f), Comment: strings.TrimSpace(f.Get("comment"))})
	if err != nil {
		c.ballotRefused(w, r, "ballot", err)
		return
	}
	c.flash(r, "Phiếu của bạn đã được ghi nhận. Kết quả chỉ được công bố khi kết thúc phiên họp.")
	http.Redirect(w, r, "/sessions/"+url.PathEscape(s.ID), http.StatusSeeOther)
}

// recordOpinion records it: POST /sessions/{id}/written-opinion.
func (c *Console) recordOpinion(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	req := app.BallotRequest{Member: strings.TrimSpace(f.Get("member")), MemberName: strings.TrimSpace(f.Get("member_name")),
		Choices: ballotChoices(f), Comment: strings.TrimSpace(f.Get("comment"))}
	s, err := c.app.RecordOpinion(r.Context(), actorOf(r), r.PathValue("id"), req)
	if err != nil {
		c.ballotRefused(w, r, "written-opinion", err)
		return
	}
	who := req.Member
	for _, at := range s.Attendance { // named as recorded (the roster's name, when it has the member)
		if at.ID == req.Member && at.Name != "" {
			who = at.Name
		}
	}
	c.flash(r, fmt.Sprintf("Đã ghi nhận ý kiến bằng văn bản của %s. Đã có %d/%d thành viên bỏ phiếu.", who, s.BallotsCast, s.Members))
	http.Redirect(w, r, "/sessions/"+url.PathEscape(s.ID), http.StatusSeeOther)
}

func (c *Console) ballotRefused(w http.ResponseWriter, r *http.Request, kind string, err error) {
	if ownPage(err, true) {
		c.failPage(w, r, err)
		return
	}
	msg, fields := sessionVietnamese(err)
	if app.AsError(err).Kind == domain.ErrInvalid {
		msg = "Phiếu chưa được gửi: hãy chọn ý kiến cho từng hồ sơ."
		if kind == "written-opinion" {
			msg = "Ý kiến chưa được ghi nhận: hãy kiểm tra các mục dưới đây."
		}
	}
	c.renderBallot(w, r, kind, statusOf(err), r.PostForm, msg, fields)
}

type agendaData struct {
	sessionData
	Candidates []domain.View
	Remove     map[string]bool
	Add        map[string]bool
}

// agendaPage changes an open session's agenda before any ballot: GET
// /sessions/{id}/agenda (secretary).
func (c *Console) agendaPage(w http.ResponseWriter, r *http.Request) {
	c.renderAgenda(w, r, http.StatusOK, url.Values{}, "", nil)
}

func (c *Console) renderAgenda(w http.ResponseWriter, r *http.Request, status int, form url.Values, problem string, errs []domain.FieldError) {
	if !actorOf(r).Has(domain.RoleSecretary) {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ Thư ký Hội đồng sửa chương trình phiên họp.")
		return
	}
	sd, err := c.sessionPage(r)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d := agendaData{sessionData: sd, Remove: map[string]bool{}, Add: map[string]bool{}}
	for _, id := range form["remove"] {
		d.Remove[id] = true
	}
	for _, id := range form["add"] {
		d.Add[id] = true
	}
	vs, err := c.councilCandidates(r, sd.S.ID)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	on := sd.S.Dossiers()
	d.Candidates = slices.DeleteFunc(vs, func(v domain.View) bool { return slices.Contains(on, v.ID) })
	if problem == "" && status == http.StatusOK && !sd.MayAgenda {
		problem = "Đã có thành viên bỏ phiếu hoặc phiên họp không còn mở: không thể thay đổi chương trình phiên họp."
	}
	c.render(w, r, status, "agenda", "Sửa chương trình – "+sd.S.ID, d, problem, errs)
}

// changeAgenda changes it: POST /sessions/{id}/agenda.
func (c *Console) changeAgenda(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	s, err := c.app.ChangeAgenda(r.Context(), actorOf(r), r.PathValue("id"), app.AgendaRequest{Add: f["add"], Remove: f["remove"]})
	if err != nil {
		if ownPage(err, true) {
			c.failPage(w, r, err)
			return
		}
		msg, fields := sessionVietnamese(err)
		for i := range fields {
			if fields[i].Field == "dossiers" { // the dossiers added
				fields[i].Field = "add"
			}
		}
		c.renderAgenda(w, r, statusOf(err), f, msg, fields)
		return
	}
	c.flash(r, fmt.Sprintf("Đã sửa chương trình phiên họp: %d hồ sơ.", len(s.Agenda)))
	http.Redirect(w, r, "/sessions/"+url.PathEscape(s.ID), http.StatusSeeOther)
}

// closePage confirms closing a session, with its quorum: GET
// /sessions/{id}/close (secretary).
func (c *Console) closePage(w http.ResponseWriter, r *http.Request) {
	c.renderClose(w, r, http.StatusOK, "")
}

func (c *Console) renderClose(w http.ResponseWriter, r *http.Request, status int, problem string) {
	if !actorOf(r).Has(domain.RoleSecretary) {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ Thư ký Hội đồng kết thúc phiên họp.")
		return
	}
	d, err := c.sessionPage(r)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	if problem == "" && status == http.StatusOK && !d.Open {
		problem = "Phiên họp " + strings.ToLower(d.Status) + "."
	}
	c.render(w, r, status, "sessionclose", "Kết thúc phiên họp – "+d.S.ID, d, problem, nil)
}

// closeSession closes it: POST /sessions/{id}/close. Every tally is
// applied before the answer comes.
func (c *Console) closeSession(w http.ResponseWriter, r *http.Request) {
	s, err := c.app.CloseSession(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		if ownPage(err, true) {
			c.failPage(w, r, err)
			return
		}
		msg, _ := sessionVietnamese(err)
		c.renderClose(w, r, statusOf(err), msg)
		return
	}
	passed, failed, dropped := 0, 0, 0
	for _, it := range s.Agenda {
		switch {
		case it.Dropped != "":
			dropped++
		case it.Tally != nil && it.Tally.Passed:
			passed++
		default:
			failed++
		}
	}
	msg := fmt.Sprintf("Đã kết thúc phiên họp %s: %d hồ sơ được thông qua, %d hồ sơ không được thông qua", s.ID, passed, failed)
	if dropped > 0 {
		msg += fmt.Sprintf(", %d hồ sơ không áp dụng kết quả (xem lý do bên dưới)", dropped)
	}
	c.flash(r, msg+".")
	http.Redirect(w, r, "/sessions/"+url.PathEscape(s.ID), http.StatusSeeOther)
}

// sessionMinutes downloads a closed session's minutes (biên bản): GET
// /sessions/{id}/minutes.
func (c *Console) sessionMinutes(w http.ResponseWriter, r *http.Request) {
	m, pdf, err := c.app.SessionMinutes(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	name := "Biên bản " + strings.ReplaceAll(m.Number, "/", "-") + ".pdf"
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", app.ContentDisposition("attachment", name))
	_, _ = w.Write(pdf)
}

// sessionFieldVI are the session forms' own wordings of the field
// refusals app.VietnameseField words generally, by a phrase of the
// English; %s is the dossier the refusal names.
var sessionFieldVI = []struct{ field, phrase, vi string }{
	{"date", "must be a date", "Ngày họp phải là một ngày có thật, ví dụ 15 12 2026"},
	{"title", "is required", "Nhập tên phiên họp"},
	{"dossiers", "at least one", "Chọn ít nhất một hồ sơ cho chương trình phiên họp"},
	{"dossiers", "at most", "Chương trình phiên họp có quá nhiều hồ sơ"},
	{"dossiers", "not in stage council", "Hồ sơ %s không còn ở giai đoạn Hội đồng xét"},
	{"dossiers", "voted on alone", "Hồ sơ %s đã có thành viên bỏ phiếu riêng, không đưa vào phiên họp được"},
	{"dossiers", "open session", "Hồ sơ %s đã trong chương trình một phiên họp đang mở"},
	{"dossiers", "no such dossier", "Không tìm thấy hồ sơ %s"},
	{"add", "is required", "Chọn ít nhất một hồ sơ để thêm vào hoặc bỏ ra"},
	{"add", "on the agenda already", "Hồ sơ %s đã có trong chương trình"},
	{"add", "open session", "Hồ sơ %s đã trong chương trình một phiên họp đang mở"},
	{"remove", "not on the agenda", "Hồ sơ %s không có trong chương trình"},
	{"member", "is required", "Nhập mã của thành viên vắng mặt"},
}

// sessionVietnamese is app.Vietnamese with the session forms' wording of
// each field.
func sessionVietnamese(err error) (string, []domain.FieldError) {
	msg, fields := app.Vietnamese(err)
	raw := app.AsError(err).Fields
	for i := range fields {
		if i >= len(raw) {
			break
		}
		f := raw[i]
		for _, m := range sessionFieldVI {
			if f.Field != m.field || !strings.Contains(f.Message, m.phrase) {
				continue
			}
			vi := m.vi
			if strings.Contains(vi, "%s") {
				words := strings.Fields(f.Message)
				id := words[0]
				if strings.HasPrefix(f.Message, "no such") || strings.HasPrefix(f.Message, "lists ") {
					id = words[len(words)-1]
					if strings.HasPrefix(f.Message, "lists ") {
						id = strings.TrimSuffix(words[1], ",")
					}
				}
				vi = fmt.Sprintf(vi, id)
			}
			fields[i].Message = vi
			break
		}
	}
	return msg, fields
}
