package e2e

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// person is someone using the console over plain HTTP: a cookie jar and
// the CSRF token of their session.
type person struct {
	t    *testing.T
	a    *api
	c    *http.Client
	csrf string
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// page is a console answer.
type page struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (p *person) do(req *http.Request) page {
	p.t.Helper()
	resp, err := p.c.Do(req)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(p.t, err)
	out := page{status: resp.StatusCode, body: html.UnescapeString(string(b)), location: resp.Header.Get("Location"), header: resp.Header}
	if m := csrfRE.FindStringSubmatch(out.body); m != nil {
		p.csrf = m[1]
	}
	return out
}

func (p *person) get(path string) page {
	p.t.Helper()
	req, err := http.NewRequest("GET", p.a.url+path, nil)
	require.NoError(p.t, err)
	return p.do(req)
}

// post sends a form; the session's CSRF token is added unless the form
// already says what csrf_token is (present, even empty).
func (p *person) post(path string, form url.Values, hdr ...string) page {
	p.t.Helper()
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", p.csrf)
	}
	req, err := http.NewRequest("POST", p.a.url+path, strings.NewReader(form.Encode()))
	require.NoError(p.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return p.do(req)
}

func (p *person) upload(id, kind, filename string, content []byte, csrf string) page {
	return p.uploadKeyed(id, kind, filename, content, csrf, "")
}

// uploadKeyed sends the upload form with its key field ("" none).
func (p *person) uploadKeyed(id, kind, filename string, content []byte, csrf, key string) page {
	p.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(p.t, mw.WriteField("csrf_token", csrf))
	if key != "" {
		require.NoError(p.t, mw.WriteField("key", key))
	}
	require.NoError(p.t, mw.WriteField("kind", kind))
	fw, err := mw.CreateFormFile("file", filename)
	require.NoError(p.t, err)
	_, _ = fw.Write(content)
	require.NoError(p.t, mw.Close())
	req, err := http.NewRequest("POST", p.a.url+"/dossiers/"+id+"/documents", &buf)
	require.NoError(p.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return p.do(req)
}

// signIn signs who in through the demo sign-in page.
func (a *api) signIn(who string) *person {
	a.t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(a.t, err)
	p := &person{t: a.t, a: a, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	require.Equal(a.t, http.StatusOK, p.get("/signin").status)
	r := p.post("/signin", url.Values{"user": {who}})
	require.Equal(a.t, http.StatusSeeOther, r.status, r.body)
	// Follow the redirects to a page: it carries the new session's token.
	for i := 0; i < 5 && r.location != ""; i++ {
		r = p.get(r.location)
	}
	require.Equal(a.t, http.StatusOK, r.status, r.body)
	return p
}

func TestConsoleSignIn(t *testing.T) {
	a := newAPI(t)
	anon := &person{t: t, a: a, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	r := anon.get("/tasks?stage=reception")
	require.Equal(t, http.StatusSeeOther, r.status)
	require.Equal(t, "/signin?next="+url.QueryEscape("/tasks?stage=reception"), r.location)

	for who, home := range map[string]string{"officer": "/tasks", "unitA": "/dossiers", "admin": "/admin", "chairman": "/tasks", "c1": "/tasks"} {
		p := a.signIn(who)
		r := p.get("/")
		require.Equal(t, http.StatusSeeOther, r.status, who)
		require.Equal(t, home, r.location, who)
		r = p.get(home)
		require.Equal(t, http.StatusOK, r.status, who)
		require.Contains(t, r.body, personName(who), "%s: the header names who is signed in", who)
	}

	// The session cookie: HttpOnly, SameSite=Lax, not Secure on loopback.
	jar, _ := cookiejar.New(nil)
	p := &person{t: t, a: a, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	p.get("/signin")
	r = p.post("/signin", url.Values{"user": {"officer"}})
	cookie := strings.Join(r.header.Values("Set-Cookie"), "\n")
	require.Contains(t, cookie, "tdkt_session=")
	require.Contains(t, cookie, "HttpOnly")
	require.Contains(t, cookie, "SameSite=Lax")
	require.NotContains(t, cookie, "Secure")

	// A sign-in renews the session token: the pre-sign-in one is dead.
	// Sign-out ends the session.
	require.Equal(t, http.StatusOK, p.get("/tasks").status)
	r = p.post("/signout", url.Values{})
	require.Equal(t, http.StatusSeeOther, r.status)
	require.Equal(t, http.StatusSeeOther, p.get("/tasks").status, "still signed in after sign-out")

	// Someone not in the list is refused, in Vietnamese.
	q := &person{t: t, a: a, c: &http.Client{Jar: jar}}
	q.get("/signin")
	r = q.post("/signin", url.Values{"user": {"mallory"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, "Hãy chọn một người dùng trong danh sách")
}

func TestConsoleUnitSeesOnlyItsOwn(t *testing.T) {
	a := newAPI(t)
	d := a.submit("BK_UBND_TINH", "individual", "Hoàng Thị Riêng Tư")
	id := d["id"].(string)
	require.Equal(t, http.StatusCreated, a.upload(id, "unitA", "to_trinh", "tt.pdf", []byte("%PDF-1.7 x")).status)
	doc := a.get(id, "unitA").body["documents"].([]any)[0].(map[string]any)["id"].(string)

	b := a.signIn("unitB")
	for _, path := range []string{"/dossiers/" + id, "/dossiers/" + id + "/act/withdraw", "/dossiers/" + id + "/documents/" + doc,
		"/dossiers/" + id + "/documents/" + doc + "/view"} {
		r := b.get(path)
		require.Equal(t, http.StatusNotFound, r.status, path)
		require.NotContains(t, r.body, "Hoàng Thị Riêng Tư", path)
	}
	require.Contains(t, b.get("/dossiers/"+id).body, "Không tìm thấy hồ sơ")
	r := b.get("/dossiers?q=" + url.QueryEscape("Riêng Tư"))
	require.Equal(t, http.StatusOK, r.status)
	require.NotContains(t, r.body, id)
	r = b.get("/dossiers?unit=SGDDT")
	require.NotContains(t, r.body, id, "a filter naming another unit shows nothing")
	// Withdrawing another unit's dossier changes nothing.
	r = b.post("/dossiers/"+id+"/act/withdraw", url.Values{})
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "reception", a.get(id, "admin").body["stage"])
	require.Equal(t, http.StatusForbidden, b.get("/admin").status)

	own := a.signIn("unitA")
	r = own.get("/dossiers?q=" + url.QueryEscape("rieng tu"))
	require.Contains(t, r.body, id, "the unit finds its own dossier without diacritics")
	r = own.get("/dossiers/" + id + "/documents/" + doc)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "application/pdf", r.header.Get("Content-Type"))
	require.Contains(t, r.header.Get("Content-Disposition"), "inline")
	require.Contains(t, r.header.Get("Content-Security-Policy"), "sandbox")
	require.Contains(t, a.signIn("officer").get("/dossiers/"+id).body, "Hoàng Thị Riêng Tư")
}

func TestConsoleRefusesWithoutCSRF(t *testing.T) {
	a := newAPI(t)
	id := a.submit("BK_UBND_TINH", "individual", "Nguyễn CSRF")["id"].(string)
	officer := a.signIn("officer")
	token := officer.csrf
	require.NotEmpty(t, token)
	for name, form := range map[string]url.Values{
		"no token":    {"comment": {"x"}, "csrf_token": {""}},
		"wrong token": {"comment": {"x"}, "csrf_token": {"not-the-token"}},
		"other's":     {"comment": {"x"}, "csrf_token": {a.signIn("chairman").csrf}},
	} {
		r := officer.post("/dossiers/"+id+"/act/reject", form)
		require.Equal(t, http.StatusForbidden, r.status, name)
		require.Contains(t, r.body, "CSRF", name)
	}
	// A cross-site request is refused even with the right token.
	r := officer.post("/dossiers/"+id+"/act/reject", url.Values{"comment": {"x"}, "csrf_token": {token}}, "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusForbidden, r.status, r.body)
	got := a.get(id, "admin").body
	require.Equal(t, "reception", got["stage"], "a refused form changed the dossier")
	require.EqualValues(t, 4, got["version"], "submitted with 3 documents, then nothing")

	unit := a.signIn("unitA")
	before := len(a.do("GET", "/api/v1/dossiers?limit=200", "unitA", nil, nil).body["items"].([]any))
	r = unit.post("/dossiers", url.Values{"csrf_token": {""}, "award_code": {"BK_UBND_TINH"}, "kind": {"merit"},
		"nominee.type": {"individual"}, "nominee.name": {"Không được tạo"}, "achievement_period": {"2026"}})
	require.Equal(t, http.StatusForbidden, r.status)
	up := unit.upload(id, "to_trinh", "a.pdf", []byte("%PDF-1.7"), "bad")
	require.Equal(t, http.StatusForbidden, up.status, up.body)
	after := a.do("GET", "/api/v1/dossiers?limit=200", "unitA", nil, nil).body["items"].([]any)
	require.Len(t, after, before, "a submission without the token created a dossier")
	require.Len(t, a.get(id, "admin").body["documents"], 3, "an upload without the token was stored")
}

func TestConsoleRefusedActionShowsWhyAndChangesNothing(t *testing.T) {
	a := newAPI(t)
	id := a.submit("BK_UBND_TINH", "individual", "Trần Từ Chối")["id"].(string)
	officer := a.signIn("officer")

	// Reject needs a comment: the form comes back with the reason at the
	// top, linked to the field.
	officer.get("/dossiers/" + id + "/act/reject")
	r := officer.post("/dossiers/"+id+"/act/reject", url.Values{"comment": {"  "}, "version": {"4"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, "Chưa thực hiện được")
	require.Contains(t, r.body, `href="#f-comment"`)
	require.Contains(t, r.body, "Ý kiến là bắt buộc với thao tác này")
	require.Contains(t, r.body, `id="f-comment"`)

	// Not in this stage: 409 naming the stage in Vietnamese.
	r = officer.post("/dossiers/"+id+"/act/approve", url.Values{})
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, r.body, "khi hồ sơ đang ở giai đoạn «tiếp nhận»")

	// Never for this role: 403.
	unit := a.signIn("unitA")
	r = unit.post("/dossiers/"+id+"/act/decide", url.Values{})
	require.Equal(t, http.StatusForbidden, r.status)
	require.Contains(t, r.body, "Vai trò của bạn không được phép")

	got := a.get(id, "admin").body
	require.Equal(t, "reception", got["stage"])
	require.EqualValues(t, 4, got["version"])
	require.Len(t, a.history(id), 4, "a refused action wrote history")

	// A form from before someone else's change: 412, nothing done.
	officer.get("/dossiers/" + id + "/act/accept")
	a.act(id, "return", "officer", map[string]any{"comment": "Thiếu biên bản", "missing": []string{"bien_ban_hop"}}, "supplement")
	a.act(id, "resubmit", "unitA", nil, "reception")
	r = officer.post("/dossiers/"+id+"/act/accept", url.Values{"version": {"4"}})
	require.Equal(t, http.StatusPreconditionFailed, r.status)
	require.Contains(t, r.body, "vừa được người khác cập nhật")
	require.Equal(t, "reception", a.get(id, "admin").body["stage"])

	// The same action taken properly goes through and says so.
	r = officer.post("/dossiers/"+id+"/act/accept", url.Values{"version": {fmt.Sprint(a.get(id, "admin").body["version"])}, "comment": {"Đủ"}})
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	r = officer.get(r.location)
	require.Contains(t, r.body, "Đã thực hiện «Tiếp nhận»")
	require.Equal(t, "appraisal", a.get(id, "admin").body["stage"])
}

func TestConsoleSubmitForm(t *testing.T) {
	a := newAPI(t)
	unit := a.signIn("unitA")
	r := unit.get("/dossiers/new")
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.body, "Chiến sĩ thi đua cấp tỉnh")
	require.Contains(t, r.body, "Thủ tục đơn giản (Điều 85")
	key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(r.body)[1]

	form := url.Values{"key": {key}, "award_code": {"CSTD_TINH"}, "kind": {"merit"}, "procedure": {"regular"},
		"nominee.type": {"individual"}, "nominee.name": {""}, "achievement_period": {"2026"}}
	r = unit.post("/dossiers", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, "Họ tên cá nhân hoặc tên tập thể không được để trống")
	require.Contains(t, r.body, `href="#f-nominee-name"`)

	form.Set("nominee.name", "Lò Văn Biểu Mẫu")
	form.Set("csrf_token", unit.csrf)
	r = unit.post("/dossiers", form)
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	require.True(t, strings.HasPrefix(r.location, "/dossiers/HS-"), r.location)
	id := strings.TrimPrefix(r.location, "/dossiers/")
	r = unit.get(r.location)
	require.Contains(t, r.body, "Đã nộp hồ sơ "+id)
	require.Contains(t, r.body, "Còn thiếu")

	// The same form sent again (a double click) is the same dossier.
	form.Set("csrf_token", unit.csrf)
	r = unit.post("/dossiers", form)
	require.Equal(t, "/dossiers/"+id, r.location)
	require.Equal(t, http.StatusForbidden, a.signIn("officer").get("/dossiers/new").status)
}

// The secretary records an absent member's written opinion from the
// console; a close without the quorum is not offered and, forced, refused.
func TestConsoleWrittenOpinion(t *testing.T) {
	a := newAPI(t)
	id := a.submit("BK_TTG", "individual", "Vũ Thị Văn Bản")["id"].(string)
	a.act(id, "accept", "officer", nil, "appraisal")
	a.act(id, "approve", "officer", nil, "council")
	for i := 1; i <= 4; i++ {
		a.act(id, "vote", fmt.Sprintf("c%d", i), map[string]any{"approve": true}, "council")
	}
	sec := a.signIn("secretary")
	r := sec.get("/dossiers/" + id)
	require.Contains(t, r.body, `id="act-written_opinion"`)
	require.NotContains(t, r.body, `id="act-close_vote"`, "close offered without a quorum")
	r = sec.post("/dossiers/"+id+"/act/close_vote", url.Values{})
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, r.body, "Chưa đủ túc số")

	r = sec.get("/dossiers/" + id + "/act/written_opinion")
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.body, "Mã thành viên vắng mặt")
	r = sec.post("/dossiers/"+id+"/act/written_opinion", url.Values{"approve": {"yes"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, "Thành viên vắng mặt cần ghi rõ")
	r = sec.post("/dossiers/"+id+"/act/written_opinion", url.Values{"member": {"c5"}, "approve": {"yes"}, "comment": {"Gửi bằng văn bản ngày 20/1"}})
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	require.EqualValues(t, 5, a.get(id, "admin").body["votes"].(map[string]any)["cast"])
	r = sec.post("/dossiers/"+id+"/act/written_opinion", url.Values{"member": {"c5"}, "approve": {"no"}})
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, r.body, "Thành viên này đã bỏ phiếu")
}

var uploadKeyRE = regexp.MustCompile(`name="key" value="([^"]+)"`)

// The upload form carries its own key: sent twice (a double click, or again
// after a lost answer), it attaches the document once.
func TestConsoleUploadSentTwiceAttachesOnce(t *testing.T) {
	a := newAPI(t)
	id := a.bareSubmit("BK_UBND_TINH", "individual", "Lò Văn Bấm Hai Lần")["id"].(string)
	unit := a.signIn("unitA")
	pg := unit.get("/dossiers/" + id)
	require.Equal(t, http.StatusOK, pg.status)
	m := uploadKeyRE.FindStringSubmatch(pg.body)
	require.NotNil(t, m, "the upload form has no key")
	for range 2 {
		r := unit.uploadKeyed(id, "to_trinh", "Tờ trình.pdf", []byte("%PDF-1.7 hai lan"), unit.csrf, m[1])
		require.Equal(t, http.StatusSeeOther, r.status, r.body)
	}
	got := a.get(id, "admin").body
	require.Len(t, got["documents"], 1)
	require.EqualValues(t, 2, got["version"])
}

// Council session pages over plain HTTP: who may see and do what, each
// refusal saying why in Vietnamese and changing nothing.
func TestConsoleSessionRefusals(t *testing.T) {
	a := newAPI(t)
	var ids []string
	for _, name := range []string{"Lường Văn Phiếu", "Hoàng Thị Ý Kiến"} {
		id := a.submit("BK_TTG", "individual", name)["id"].(string)
		a.act(id, "accept", "officer", nil, "appraisal")
		a.act(id, "approve", "officer", nil, "council")
		ids = append(ids, id)
	}
	cast := func(sid string) any {
		return a.do("GET", "/api/v1/council-sessions/"+sid, "secretary", nil, nil).body["ballots_cast"]
	}

	// Who may see the sessions, and who opens one.
	require.Equal(t, http.StatusForbidden, a.signIn("unitA").get("/sessions").status)
	officer := a.signIn("officer")
	r := officer.get("/sessions")
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.body, `href="/sessions"`, "the navigation leads there")
	require.NotContains(t, r.body, `id="mo-phien-hop"`)
	require.Equal(t, http.StatusForbidden, officer.get("/sessions/new").status)

	secretary := a.signIn("secretary")
	r = secretary.get("/sessions/new")
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.body, `id="d-`+ids[0]+`"`)
	open := url.Values{"title": {"Phiên họp bất thường tháng 12"}, "date-day": {"3"}, "date-month": {"12"}, "date-year": {"2026"}, "dossiers": ids}
	form := url.Values{"csrf_token": {""}}
	for k, v := range open {
		form[k] = v
	}
	require.Equal(t, http.StatusForbidden, secretary.post("/sessions", form).status, "no CSRF token, no session")
	bad := url.Values{"title": {"x"}, "date-day": {"31"}, "date-month": {"2"}, "date-year": {"2026"}, "dossiers": ids}
	r = secretary.post("/sessions", bad)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, `href="#f-date"`)
	require.Contains(t, r.body, "Ngày họp phải là một ngày có thật")
	open.Set("key", "console-session-"+ids[0])
	r = secretary.post("/sessions", open)
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	page := r.location
	// The same form sent again (a double click) opens no second session.
	again := secretary.post("/sessions", open)
	require.Equal(t, http.StatusSeeOther, again.status, again.body)
	require.Equal(t, page, again.location)
	sid := strings.TrimPrefix(page, "/sessions/")
	r = secretary.get(page)
	require.Contains(t, r.body, "Đã mở phiên họp "+sid)
	require.Contains(t, r.body, "03/12/2026")
	// Changed and sent again, the form says it opened one already.
	open.Set("title", "Một phiên họp khác")
	r = secretary.post("/sessions", open)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, "Biểu mẫu này đã được dùng để mở một phiên họp")
	require.NotContains(t, r.body, `name="key" value="console-session-`, "a fresh key for what is another request")
	// A dossier is on one open session at a time: the form no longer offers it.
	require.NotContains(t, secretary.get("/sessions/new").body, `id="d-`+ids[0]+`"`)

	// The minutes exist once the session is closed.
	r = secretary.get(page + "/minutes")
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, r.body, "biên bản có sau khi kết thúc phiên họp")

	// A ballot with a choice that is none of the three casts nothing.
	c1 := a.signIn("c1")
	r = c1.get(page + "/ballot")
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.body, "không thể thay đổi")
	r = c1.post(page+"/ballot", url.Values{"choices." + ids[0]: {"yes"}, "choices." + ids[1]: {"maybe"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, r.body)
	require.Contains(t, r.body, `href="#f-choices-`+ids[1]+`"`)
	require.Contains(t, r.body, "Hoàng Thị Ý Kiến")
	require.EqualValues(t, 0, cast(sid))
	r = c1.post(page+"/ballot", url.Values{"choices." + ids[0]: {"yes"}, "choices." + ids[1]: {"no"}})
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	require.EqualValues(t, 1, cast(sid))
	r = c1.post(page+"/ballot", url.Values{"choices." + ids[0]: {"no"}, "choices." + ids[1]: {"no"}})
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, r.body, "phiếu đã bỏ không thể thay đổi")
	require.EqualValues(t, 1, cast(sid))
	require.Equal(t, http.StatusForbidden, c1.get(page+"/written-opinion").status, "a member records no written opinion")

	// A written opinion for a member who has cast a ballot is refused.
	r = secretary.post(page+"/written-opinion", url.Values{"member": {"c1"}, "choices." + ids[0]: {"yes"}, "choices." + ids[1]: {"yes"}})
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, r.body, "Thành viên này đã bỏ phiếu")
	r = secretary.post(page+"/written-opinion", url.Values{"choices." + ids[0]: {"yes"}, "choices." + ids[1]: {"yes"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, `href="#f-member"`)
	require.EqualValues(t, 1, cast(sid))

	// No agenda change after a ballot; no close without the quorum.
	r = secretary.post(page+"/agenda", url.Values{"remove": {ids[1]}})
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, r.body, "không thể thay đổi chương trình phiên họp")
	r = secretary.post(page+"/close", url.Values{})
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, r.body, "Chưa đủ túc số")
	got := a.do("GET", "/api/v1/council-sessions/"+sid, "secretary", nil, nil).body
	require.Equal(t, "open", got["status"])
	require.Len(t, got["agenda"], 2)
	require.Equal(t, http.StatusForbidden, c1.post(page+"/close", url.Values{}).status)
}
