package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"tdkt/devenv"
)

// tab is one person's browser tab on the console: a real headless
// Chromium, driven over the DevTools protocol.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string // where screenshots go (docs/screenshots)
}

func newTab(t *testing.T, a *api) *tab {
	root, err := devenv.ModuleRoot()
	require.NoError(t, err)
	return &tab{t: t, ctx: devenv.Browser(t), base: a.url, dir: filepath.Join(root, "docs", "screenshots")}
}

func (b *tab) timeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, 30*time.Second)
}

// open loads a page and checks its status.
func (b *tab) open(path string, want int) {
	b.t.Helper()
	ctx, cancel := b.timeout()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	require.NoError(b.t, err, path)
	require.EqualValues(b.t, want, resp.Status, "GET %s", path)
	b.checkLabels()
}

// press clicks what navigates (a link, a submit button) and waits for the
// new page; want is its status.
func (b *tab) press(sel string, want int) {
	b.t.Helper()
	ctx, cancel := b.timeout()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	require.NoError(b.t, err, "click %s", sel)
	require.EqualValues(b.t, want, resp.Status, "after clicking %s: %s", sel, b.text("main"))
	b.checkLabels()
}

func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.timeout()
	defer cancel()
	require.NoError(b.t, chromedp.Do(ctx, actions...))
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	ctx, cancel := b.timeout()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(b.t, err, "text of %s", sel)
	return s
}

func (b *tab) eval(js string) string {
	b.t.Helper()
	ctx, cancel := b.timeout()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	require.NoError(b.t, err, js)
	return s
}

func (b *tab) location() string {
	b.t.Helper()
	ctx, cancel := b.timeout()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(b.t, err)
	return strings.TrimPrefix(s, b.base)
}

// checkLabels: every field a person fills in has a label.
func (b *tab) checkLabels() {
	b.t.Helper()
	unlabelled := b.eval(`[...document.querySelectorAll('input:not([type=hidden]),select,textarea')]
		.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name || e.id).join(',')`)
	require.Empty(b.t, unlabelled, "fields without a label on %s", b.location())
}

// shot saves a screenshot for the README.
func (b *tab) shot(name string) {
	b.t.Helper()
	ctx, cancel := b.timeout()
	defer cancel()
	require.NoError(b.t, devenv.Screenshot(ctx, filepath.Join(b.dir, name+".png")))
}

// signIn signs in through the demo sign-in page, as a person would.
func (b *tab) signIn(who string) {
	b.t.Helper()
	b.open("/signin", http.StatusOK)
	b.do(chromedp.Click(chromedp.ID("user-" + who)))
	b.press("#dang-nhap", http.StatusOK)
	require.Contains(b.t, b.text(".tdkt-header__name"), personName(who))
}

// flash is the success banner of the page.
func (b *tab) flash() string { return b.text(".govuk-notification-banner--success") }

// act opens an action's page from the dossier page and confirms it.
func (b *tab) act(action string, fill ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.press("#act-"+action, http.StatusOK)
	if len(fill) > 0 {
		b.do(fill...)
	}
	b.press("#xac-nhan", http.StatusOK)
	require.Contains(b.t, b.flash(), "Đã thực hiện", "no success banner after %s", action)
}

func (b *tab) upload(kind, file string) {
	b.t.Helper()
	b.do(chromedp.SetValue(chromedp.ID("f-kind"), kind), chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{file}))
	b.press("#dinh-kem", http.StatusOK)
	require.Contains(b.t, b.flash(), "Đã đính kèm")
}

func (b *tab) stage() string { return b.text("#giai-doan") }

// testFiles writes a PDF and a PNG to attach.
func testFiles(t *testing.T) (pdfPath, pngPath string) {
	dir := t.TempDir()
	pdfPath = filepath.Join(dir, "Tờ trình số 15-TTr.pdf")
	require.NoError(t, os.WriteFile(pdfPath, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o600))
	img := image.NewRGBA(image.Rect(0, 0, 600, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 600; x++ {
			c := color.RGBA{250, 246, 230, 255}
			if x < 12 || y < 12 || x >= 588 || y >= 388 {
				c = color.RGBA{139, 26, 26, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	pngPath = filepath.Join(dir, "Báo cáo thành tích.png")
	require.NoError(t, os.WriteFile(pngPath, buf.Bytes(), 0o600))
	return pdfPath, pngPath
}

var idRE = regexp.MustCompile(`HS-\d{4}-\d{6}`)

// TestBrowserJourney takes a provincial award from the unit's submission
// with documents, through a return and resubmission, appraisal, the
// council's secret votes and the secretary's closing, to the chairman's
// decision, signing in as each role in turn in a real browser; then a
// central award up to the Central Board, an administrator's cancel, and
// the pages on a phone.
func TestBrowserJourney(t *testing.T) {
	a := newAPI(t)
	b := newTab(t, a)
	pdf, pngFile := testFiles(t)

	// The unit submits.
	b.signIn("unitA")
	require.Equal(t, "/dossiers", b.location())
	b.press("#nop-moi", http.StatusOK)
	b.do(chromedp.Click(chromedp.ID("award-CO_THI_DUA_TINH")), chromedp.Click(chromedp.ID("nominee-collective")),
		chromedp.SendKeys(chromedp.ID("f-nominee-name"), "Trường THPT Chuyên Lê Quý Đôn"),
		chromedp.SendKeys(chromedp.ID("f-nominee-organization"), "Sở Giáo dục và Đào tạo tỉnh Lai Châu"),
		chromedp.SendKeys(chromedp.ID("f-achievement-period"), "2026"),
		chromedp.SendKeys(chromedp.ID("f-campaign"), "2026-annual"),
		chromedp.SendKeys(chromedp.ID("f-summary"), "Dẫn đầu khối thi đua các trường THPT; 42 học sinh giỏi quốc gia."))
	b.shot("02-unit-new-dossier")
	b.press("#nop-ho-so", http.StatusOK)
	require.Contains(t, b.flash(), "Đã nộp hồ sơ")
	id := idRE.FindString(b.location())
	require.NotEmpty(t, id, b.location())
	require.Equal(t, "Tiếp nhận", b.stage())
	b.upload("to_trinh", pdf)
	b.upload("bao_cao_thanh_tich", pngFile)
	require.Contains(t, b.text("#danh-muc"), "Còn thiếu", "the minutes are still missing")
	b.shot("03-unit-dossier")

	// The office returns it: the minutes of the unit's meeting are missing.
	b.signIn("officer")
	require.Contains(t, b.text("#hop-viec"), id)
	b.shot("04-officer-inbox")
	// The officer reads ten pages; the navigation shows five links on one
	// line, the registers and the plan behind "Sổ sách và kế hoạch".
	require.Equal(t, "5", b.eval(`String(document.querySelectorAll('.govuk-service-navigation__link').length)`))
	b.press(`.govuk-service-navigation__link[href="/books"]`, http.StatusOK)
	require.Contains(t, b.text("#so-sach"), "Xem xét kỷ luật")
	b.press(`#so-sach a[href="/registry"]`, http.StatusOK)
	require.Equal(t, "/books", b.eval(`document.querySelector('[aria-current=page]').getAttribute('href')`),
		"on the registry, the books link is the current one")
	b.press(`.govuk-service-navigation__link[href="/tasks"]`, http.StatusOK)
	b.press(`#hop-viec a[href="/dossiers/`+id+`"]`, http.StatusOK)
	b.press("#act-return", http.StatusOK)
	b.do(chromedp.SendKeys(chromedp.ID("f-comment"), "Đề nghị bổ sung biên bản họp xét khen thưởng của đơn vị."))
	// The kinds still missing come ticked; keep only the minutes.
	b.eval(`document.querySelectorAll('input[name=missing]').forEach(e => e.checked = e.value === 'bien_ban_hop'); ''`)
	b.shot("05-officer-return")
	b.press("#xac-nhan", http.StatusOK)
	require.Equal(t, "Bổ sung", b.stage())

	// The unit sees why, completes and resubmits.
	b.signIn("unitA")
	b.open("/dossiers/"+id, http.StatusOK)
	returned := b.text("#tra-lai")
	require.Contains(t, returned, "Đề nghị bổ sung biên bản họp xét")
	require.Contains(t, b.text("#tra-lai .tdkt-missing"), "Biên bản họp xét khen thưởng")
	require.Contains(t, b.text("#danh-muc .tdkt-asked"), "Được yêu cầu bổ sung")
	b.shot("06-unit-returned")
	b.upload("bien_ban_hop", pdf)
	b.act("resubmit")
	require.Equal(t, "Tiếp nhận", b.stage(), "a resubmission goes back to the stage that returned it")

	// The office accepts and approves: the dossier goes to the council.
	b.signIn("officer")
	b.open("/dossiers/"+id, http.StatusOK)
	b.act("accept")
	require.Equal(t, "Thẩm định", b.stage())
	b.act("approve")
	require.Equal(t, "Hội đồng xét", b.stage())
	b.shot("07-officer-dossier")

	// A council member votes by keyboard alone: Tab to the choice, Space,
	// Tab to the button, Enter.
	b.signIn("c1")
	require.Contains(t, b.text("#hop-viec"), id)
	b.press(`#hop-viec a[href="/dossiers/`+id+`/act/vote"]`, http.StatusOK)
	b.shot("08-council-ballot")
	b.tabTo("approve-yes")
	b.do(chromedp.KeyEvent(" "))
	b.tabTo("xac-nhan")
	ctx, cancel := b.timeout()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
	cancel()
	require.NoError(t, err)
	require.EqualValues(t, http.StatusOK, resp.Status)
	require.Contains(t, b.flash(), "Phiếu của bạn đã được ghi nhận")
	require.Contains(t, b.text("#bieu-quyet"), "1/9", "only how many have voted is shown")
	b.open("/tasks", http.StatusOK)
	require.NotContains(t, b.text("main"), id, "a member who voted is not asked again")

	// Seven more members vote through the API (8 yes of 9; 80% needs 8).
	for i := 2; i <= 8; i++ {
		a.act(id, "vote", fmt.Sprintf("c%d", i), map[string]any{"approve": true}, "council")
	}

	// The secretary sees the quorum reached and closes the vote.
	b.signIn("secretary")
	require.Contains(t, b.text("#hop-viec"), "Đã bỏ phiếu 8/9")
	b.open("/dossiers/"+id, http.StatusOK)
	b.press("#act-close_vote", http.StatusOK)
	require.Contains(t, b.text("#tien-do"), "8/9")
	require.Contains(t, b.text("#tien-do"), "đã đủ")
	b.shot("09-secretary-close")
	b.press("#xac-nhan", http.StatusOK)
	require.Equal(t, "UBND tỉnh quyết định", b.stage())
	require.Contains(t, b.text("#bieu-quyet"), "8 đồng ý")

	// The member sees the tally once the vote has closed.
	b.signIn("c1")
	b.open("/dossiers/"+id, http.StatusOK)
	require.Contains(t, b.text("#bieu-quyet"), "8 đồng ý, 0 không đồng ý")

	// Another decision this year first, so that the number to come is not
	// simply 1.
	o := a.submit("BK_UBND_TINH", "individual", "Quyết Định Trước")["id"].(string)
	a.act(o, "accept", "officer", nil, "appraisal")
	a.act(o, "approve", "officer", nil, "decision")
	earlier := a.act(o, "decide", "chairman", nil, "awarded")["decision"].(map[string]any)["number"].(string)

	// The chairman decides; the confirmation shows the number it issues.
	b.signIn("chairman")
	require.Contains(t, b.text("#hop-viec"), id)
	b.press(`#hop-viec a[href="/dossiers/`+id+`"]`, http.StatusOK)
	b.press("#act-decide", http.StatusOK)
	next := b.text("#so-du-kien .govuk-heading-l")
	require.Regexp(t, `^\d+/QĐ-UBND$`, next)
	var n1, n2 int
	_, _ = fmt.Sscanf(earlier, "%d/", &n1)
	_, _ = fmt.Sscanf(next, "%d/", &n2)
	require.Equal(t, n1+1, n2, "the confirmation shows the number after %s", earlier)
	b.shot("10-chairman-decide")
	b.press("#xac-nhan", http.StatusOK)
	require.Contains(t, b.flash(), "Đã ban hành Quyết định số "+next)
	require.Equal(t, "Đã khen thưởng", b.stage())
	require.Contains(t, b.text("#quyet-dinh"), next)
	b.shot("11-awarded")
	got := a.get(id, "admin").body
	require.Equal(t, "awarded", got["stage"])
	require.Equal(t, next, got["decision"].(map[string]any)["number"])

	// A central award: the chairman proposes it to the central level.
	c := a.submit("BK_TTG", "individual", "Lò Thị Trung Ương")
	cid := c["id"].(string)
	for _, k := range []string{"to_trinh", "bao_cao_thanh_tich", "bien_ban_hop"} {
		require.Equal(t, http.StatusCreated, a.upload(cid, "unitA", k, k+".pdf", []byte("%PDF-1.7 "+k)).status)
	}
	a.act(cid, "accept", "officer", nil, "appraisal")
	a.act(cid, "approve", "officer", nil, "council")
	for i := 1; i <= 6; i++ {
		a.act(cid, "vote", fmt.Sprintf("c%d", i), map[string]any{"approve": true}, "council")
	}
	a.act(cid, "close_vote", "secretary", nil, "decision")
	b.signIn("chairman")
	b.open("/dossiers/"+cid, http.StatusOK)
	b.press("#act-propose", http.StatusOK)
	require.Regexp(t, `^\d+/TTr-UBND$`, b.text("#so-du-kien .govuk-heading-l"))
	b.press("#xac-nhan", http.StatusOK)
	require.Contains(t, b.flash(), "Tờ trình số")
	require.Equal(t, "Ban TĐKT Trung ương thẩm định", b.stage())
	b.signIn("officer")
	b.open("/tasks", http.StatusOK)
	require.Contains(t, b.text("#hop-viec"), cid, "the office records the Central Board's outcome")
	require.Contains(t, b.text("#hop-viec"), "Ghi nhận Ban TĐKT Trung ương chấp thuận")

	// The administrator cancels a stuck dossier with a reason.
	s := a.submit("BK_UBND_TINH", "individual", "Hồ Sơ Bị Kẹt")
	sid := s["id"].(string)
	b.signIn("admin")
	require.Equal(t, "/admin", b.location())
	b.shot("12-admin")
	b.open("/dossiers/"+sid, http.StatusOK)
	require.Contains(t, b.eval(`document.getElementById('temporal-link').href`), "/workflows/dossier-"+sid)
	b.press("#act-cancel", http.StatusOK)
	b.press("#xac-nhan", http.StatusUnprocessableEntity)
	require.Contains(t, b.text(".govuk-error-summary"), "Ý kiến là bắt buộc với thao tác này")
	b.do(chromedp.SendKeys(chromedp.ID("f-comment"), "Đơn vị đề nghị hủy do nộp trùng."))
	b.press("#xac-nhan", http.StatusOK)
	require.Equal(t, "Đã hủy", b.stage())

	// Every page reads on a 375 px phone: nothing wider than the screen.
	b.signIn("unitA")
	ctx, cancel = b.timeout()
	require.NoError(t, devenv.Mobile(ctx))
	cancel()
	for _, p := range []string{"/dossiers", "/dossiers/" + id, "/dossiers/new"} {
		b.open(p, http.StatusOK)
		require.Equal(t, "375", b.eval(`String(document.documentElement.scrollWidth)`), "%s is wider than the phone", p)
	}
	b.open("/dossiers/"+id, http.StatusOK)
	b.shot("13-mobile-dossier")
}

// tabTo presses Tab until the element with id has the focus.
func (b *tab) tabTo(id string) {
	b.t.Helper()
	for i := 0; i < 40; i++ {
		if b.eval(`document.activeElement ? document.activeElement.id : ''`) == id {
			return
		}
		b.do(chromedp.KeyEvent(kb.Tab))
	}
	b.t.Fatalf("Tab never reached #%s", id)
}

// A batch in the browser: the officer ticks the dossiers waiting for a
// decision and drafts the list; the chairman reviews and signs it; the
// signed decision is offered for download.
func TestBrowserBatch(t *testing.T) {
	a := newAPI(t)
	var ids []string
	for _, name := range []string{"Nguyễn Thị Hương Giang", "Lò Văn Thắng", "Trường Tiểu học Bản Hon"} {
		kind := "individual"
		if strings.HasPrefix(name, "Trường") {
			kind = "collective"
		}
		id := a.submit("BK_UBND_TINH", kind, name)["id"].(string)
		a.act(id, "accept", "officer", nil, "appraisal")
		a.act(id, "approve", "officer", nil, "decision")
		ids = append(ids, id)
	}
	b := newTab(t, a)
	b.signIn("officer")
	b.open("/batches", http.StatusOK)
	b.press("#lap-danh-sach", http.StatusOK)
	b.do(chromedp.SendKeys(chromedp.ID("f-title"), "Tặng Bằng khen của Chủ tịch UBND tỉnh năm học 2025–2026"))
	for _, id := range ids {
		b.do(chromedp.Click(chromedp.ID("d-" + id)))
	}
	b.shot("14-officer-batch")
	b.press("#lap", http.StatusOK)
	require.Contains(t, b.flash(), "Đã lập danh sách")
	page := b.location()

	b.signIn("chairman")
	b.open(page, http.StatusOK)
	require.Contains(t, b.text("#ho-so"), "Lò Văn Thắng")
	b.shot("15-chairman-batch")
	b.press("#ky", http.StatusOK)
	require.Contains(t, b.flash(), "/QĐ-UBND")
	require.Contains(t, b.text("#so-van-ban"), "/QĐ-UBND")
	require.Contains(t, b.eval(`document.getElementById('tai-van-ban').href`), page+"/document")
	b.shot("16-batch-signed")
}

// A council session in the browser: the secretary opens it with two of
// three dossiers in council and adds the third before any ballot; a close
// without the quorum is refused and changes nothing; six members cast
// their ballots through the form (one by keyboard alone, after an
// incomplete ballot was refused and cast nothing), the secretary records
// one written opinion and closes; the page shows each tally, the minutes
// are a PDF, and each dossier moved as its tally says.
func TestBrowserSession(t *testing.T) {
	a := newAPI(t)
	// The council's roster names the members: the written opinion is
	// picked from it, and the page lists who has not cast.
	withRoster(t, a)
	type dossier struct{ award, kind, name string }
	var ids []string
	for _, d := range []dossier{
		{"BK_TTG", "individual", "Nguyễn Thị Phương Thảo"},
		{"BK_TTG", "collective", "Trường Mầm non Hoa Ban"},
		{"CO_THI_DUA_TINH", "collective", "Trường THPT Chuyên Lai Châu"},
	} {
		id := a.submit(d.award, d.kind, d.name)["id"].(string)
		a.act(id, "accept", "officer", nil, "appraisal")
		a.act(id, "approve", "officer", nil, "council")
		ids = append(ids, id)
	}
	// Each member's choices on the three dossiers; c7's is the written
	// opinion. 1: 6 yes, 1 abstain (5 needed) → decision; 2: 2 yes, 4 no,
	// 1 abstain → rejected; 3: 6 yes, 1 no (80%: 8 needed) → rejected.
	choices := map[string][3]string{
		"c1": {"yes", "yes", "yes"}, "c2": {"yes", "yes", "yes"}, "c3": {"yes", "no", "yes"},
		"c4": {"yes", "no", "yes"}, "c5": {"yes", "no", "yes"}, "c6": {"abstain", "abstain", "yes"},
		"c7": {"yes", "no", "no"},
	}
	radio := func(id, choice string) string {
		if choice == "yes" {
			return "f-choices-" + id
		}
		return "c-" + id + "-" + choice
	}
	fill := func(b *tab, who string) {
		for i, id := range ids {
			b.do(chromedp.Click(chromedp.ID(radio(id, choices[who][i]))))
		}
	}

	b := newTab(t, a)
	b.signIn("secretary")
	b.open("/sessions", http.StatusOK)
	b.press("#mo-phien-hop", http.StatusOK)
	// Nothing filled in: each field is named, nothing is opened.
	b.press("#mo", http.StatusUnprocessableEntity)
	summary := b.text(".govuk-error-summary")
	require.Contains(t, summary, "Nhập tên phiên họp")
	require.Contains(t, summary, "Ngày họp phải là một ngày có thật")
	require.Equal(t, "#f-date", b.eval(`document.querySelector('.govuk-error-summary__list a[href="#f-date"]').getAttribute('href')`))
	for _, id := range ids {
		require.Equal(t, "false", b.eval(`String(document.getElementById('d-`+id+`').checked)`), "no dossier comes ticked")
	}
	b.do(chromedp.SendKeys(chromedp.ID("f-title"), "Phiên họp xét khen thưởng tổng kết năm 2026"),
		chromedp.SendKeys(chromedp.ID("f-date"), "15"), chromedp.SendKeys(chromedp.ID("f-date-month"), "12"),
		chromedp.SendKeys(chromedp.ID("f-date-year"), "2026"))
	b.press("#mo", http.StatusUnprocessableEntity)
	require.Contains(t, b.text(".govuk-error-summary"), "Chọn ít nhất một hồ sơ")
	require.Equal(t, "15", b.eval(`document.getElementById('f-date').value`), "what was typed stays")
	b.do(chromedp.Click(chromedp.ID("d-"+ids[0])), chromedp.Click(chromedp.ID("d-"+ids[1])))
	b.press("#mo", http.StatusOK)
	require.Contains(t, b.flash(), "Đã mở phiên họp")
	page := b.location()
	sid := strings.TrimPrefix(page, "/sessions/")
	require.Regexp(t, `^PH-\d{4}-\d{4}$`, sid)
	require.Contains(t, b.text("#trang-thai"), "Đang mở")
	require.Contains(t, b.text("#tom-tat"), "15/12/2026")

	// The third dossier joins the agenda before any ballot.
	b.press("#sua-chuong-trinh", http.StatusOK)
	b.do(chromedp.Click(chromedp.ID("a-" + ids[2])))
	b.press("#luu", http.StatusOK)
	require.Contains(t, b.flash(), "3 hồ sơ")
	for _, id := range ids {
		require.Contains(t, b.text("#chuong-trinh"), id)
	}

	// Closing without the quorum is refused with the reason, and changes
	// nothing.
	b.press("#ket-thuc", http.StatusOK)
	require.Contains(t, b.text("#tuc-so"), "chưa đủ")
	b.press("#xac-nhan", http.StatusConflict)
	require.Contains(t, b.text("#ly-do"), "Chưa đủ túc số")
	b.open(page, http.StatusOK)
	require.Contains(t, b.text("#trang-thai"), "Đang mở")

	// The dossier page says it is voted through the session.
	b.open("/dossiers/"+ids[0], http.StatusOK)
	require.Contains(t, b.text("#bieu-quyet"), "biểu quyết qua phiên họp")
	require.Contains(t, b.eval(`document.getElementById('phien-hop').href`), page)

	// c1: an incomplete ballot is refused, naming each dossier without a
	// choice, and casts nothing; then the ballot by keyboard alone.
	b.signIn("c1")
	require.Contains(t, b.text("#phien-hop-cho"), "chờ phiếu của bạn")
	// The agenda's dossiers wait on the session, not one by one.
	require.Equal(t, "none", b.eval(`document.querySelector('main a[href="/dossiers/`+ids[0]+`"]') ? 'listed' : 'none'`))
	b.open("/sessions", http.StatusOK)
	require.Contains(t, b.text("#danh-sach"), "Chờ phiếu của bạn")
	b.open(page, http.StatusOK)
	b.press("#bo-phieu", http.StatusOK)
	b.do(chromedp.Click(chromedp.ID(radio(ids[0], "yes"))))
	b.press("#gui-phieu", http.StatusUnprocessableEntity)
	summary = b.text(".govuk-error-summary")
	require.Contains(t, summary, "Trường Mầm non Hoa Ban")
	require.Contains(t, summary, "Trường THPT Chuyên Lai Châu")
	require.NotContains(t, summary, "Nguyễn Thị Phương Thảo")
	require.Equal(t, "#f-choices-"+ids[1], b.eval(`document.querySelector('.govuk-error-summary__list a').getAttribute('href')`))
	got := a.do("GET", "/api/v1/council-sessions/"+sid, "secretary", nil, nil)
	require.EqualValues(t, 0, got.body["ballots_cast"], "a refused ballot casts nothing")
	// In the page's order: Tab to each group (onto its checked radio, or
	// its first), Space chooses "Đồng ý" where nothing is chosen yet.
	for _, radio := range strings.Fields(b.eval(`[...document.querySelectorAll('input[id^="f-choices-"]')].map(e => e.id).join(' ')`)) {
		b.tabTo(radio)
		if b.eval(`String(document.activeElement.checked)`) == "false" {
			b.do(chromedp.KeyEvent(" "))
		}
	}
	require.Equal(t, "3", b.eval(`String(document.querySelectorAll('input[type=radio]:checked').length)`))
	b.tabTo("gui-phieu")
	ctx, cancel := b.timeout()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
	cancel()
	require.NoError(t, err)
	require.EqualValues(t, http.StatusOK, resp.Status)
	require.Contains(t, b.flash(), "Phiếu của bạn đã được ghi nhận")
	require.Contains(t, b.text("#phieu-cua-ban"), "Bạn đã bỏ phiếu; phiếu đã bỏ không thể thay đổi.")
	require.Contains(t, b.text("#tien-do"), "1/9")
	b.open(page+"/ballot", http.StatusOK)
	require.Contains(t, b.text("#phieu-cua-ban"), "Bạn đã bỏ phiếu")

	// c2 to c6 click through the form.
	for i := 2; i <= 6; i++ {
		who := fmt.Sprintf("c%d", i)
		b.signIn(who)
		b.open(page, http.StatusOK)
		b.press("#bo-phieu", http.StatusOK)
		fill(b, who)
		if i == 3 {
			b.eval(`document.activeElement.blur(); ''`)
			b.shot("18-ballot")
		}
		b.press("#gui-phieu", http.StatusOK)
		require.Contains(t, b.flash(), "Phiếu của bạn đã được ghi nhận", who)
	}

	// The secretary records c7's written opinion.
	b.signIn("secretary")
	b.open(page, http.StatusOK)
	require.Contains(t, b.text("#tien-do"), "6/9")
	require.Contains(t, b.text("#tien-do"), "đã đủ")
	require.Empty(t, b.eval(`document.getElementById('sua-chuong-trinh') ? 'there' : ''`), "no agenda change after a ballot")
	b.press("#ghi-y-kien", http.StatusOK)
	b.do(chromedp.Click(chromedp.CSS(`input[name=member][value=c7]`)))
	fill(b, "c7")
	b.do(chromedp.SendKeys(chromedp.ID("f-comment"), "Ý kiến gửi bằng văn bản ngày 14/12/2026."))
	b.press("#gui-phieu", http.StatusOK)
	require.Contains(t, b.flash(), "Đã ghi nhận ý kiến bằng văn bản của "+personName("c7"))
	attendance := b.text("#tham-du")
	require.Contains(t, attendance, personName("c1"))
	require.Contains(t, attendance, personName("c7")+" (ý kiến bằng văn bản)")
	require.NotRegexp(t, `(?i)đồng ý|không biểu quyết`, attendance, "never how anyone voted")
	notYet := b.text("#vang-mat")
	require.Contains(t, notYet, personName("c8"))
	require.NotContains(t, notYet, personName("c7"))
	b.shot("17-session")

	// Every session page reads on a 375 px phone, for a member who has
	// not cast and for the secretary.
	m := newTab(t, a)
	ctx, cancel = m.timeout()
	require.NoError(t, devenv.Mobile(ctx))
	cancel()
	m.signIn("c8")
	for _, p := range []string{"/sessions", page, page + "/ballot"} {
		m.open(p, http.StatusOK)
		require.Equal(t, "375", m.eval(`String(document.documentElement.scrollWidth)`), "%s is wider than the phone", p)
	}
	m.signIn("secretary")
	for _, p := range []string{"/sessions/new", page + "/written-opinion", page + "/close", page + "/agenda"} {
		m.open(p, http.StatusOK)
		require.Equal(t, "375", m.eval(`String(document.documentElement.scrollWidth)`), "%s is wider than the phone", p)
	}

	// The secretary closes: every tally is applied.
	b.press("#ket-thuc", http.StatusOK)
	require.Contains(t, b.text("#tuc-so"), "7/9")
	require.Contains(t, b.text("#tuc-so"), "đã đủ")
	b.press("#xac-nhan", http.StatusOK)
	require.Contains(t, b.flash(), "1 hồ sơ được thông qua, 2 hồ sơ không được thông qua")
	require.Contains(t, b.text("#trang-thai"), "Đã kết thúc")
	row := func(i int) string { return strings.Join(strings.Fields(b.text("#kq-"+ids[i])), " ") }
	require.Contains(t, row(0), "6 0 1 5 Đạt")
	require.Contains(t, row(1), "2 4 1 5 Không đạt")
	require.Contains(t, row(2), "6 1 0 8 Không đạt")
	b.shot("19-session-closed")
	require.Contains(t, b.eval(`document.getElementById('bien-ban').href`), page+"/minutes")
	minutes := a.signIn("secretary").get(page + "/minutes")
	require.Equal(t, http.StatusOK, minutes.status)
	require.Equal(t, "application/pdf", minutes.header.Get("Content-Type"))
	require.True(t, strings.HasPrefix(minutes.body, "%PDF-"))

	for i, want := range []string{"decision", "rejected", "rejected"} {
		require.Equal(t, want, a.get(ids[i], "admin").body["stage"], ids[i])
	}
	b.open("/dossiers/"+ids[0], http.StatusOK)
	timeline := b.text("#lich-su")
	require.Contains(t, timeline, "Kết quả phiên họp Hội đồng")
	require.Contains(t, timeline, "Kết quả: 6 đồng ý, 0 không đồng ý, 1 không biểu quyết")
	require.Contains(t, b.eval(`document.querySelector('#lich-su a[href="`+page+`"]').textContent`), sid)

	m.open(page, http.StatusOK)
	require.Equal(t, "375", m.eval(`String(document.documentElement.scrollWidth)`), "the closed session is wider than the phone")

	// The administrator's roster page, reached through the books page.
	b.signIn("admin")
	b.open("/books", http.StatusOK)
	b.press(`#so-sach a[href="/council"]`, http.StatusOK)
	require.Contains(t, b.text("#thanh-vien"), personName("c9"))
	b.shot("27-council")
	m.signIn("admin")
	m.open("/council", http.StatusOK)
	require.Equal(t, "375", m.eval(`String(document.documentElement.scrollWidth)`), "the roster is wider than the phone")
}
