package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"tdkt/devenv"
	"tdkt/domain"
)

// The plan and the reports in the browser: the officer creates a campaign
// through the form (a wrong one first, refused with each field named),
// the plan shows it on the year's timeline with its dossiers per stage,
// the unit's submission form offers it, and the chairman reads the
// reports page and downloads the spreadsheet; both pages fit a phone.
func TestBrowserPlanAndReports(t *testing.T) {
	a := newAPI(t)
	now := time.Now().In(domain.Local)
	year := now.Year()
	// The rest of the year's plan, as the seed has it (codes of this test:
	// the shared stack's other tests use the seed's own codes freely).
	suffix := strings.ToLower(fmt.Sprint(now.UnixNano() % 100000))
	for _, c := range domain.SeedPlan(year) {
		c.Code = "e2e-" + c.Code + "-" + suffix
		r := a.do("POST", "/api/v1/campaigns", "officer", c, nil)
		require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	}

	b := newTab(t, a)
	b.signIn("officer")
	b.open(fmt.Sprintf("/plan?year=%d", year), http.StatusOK)
	b.press("#tao-dot", http.StatusOK)
	b.do(chromedp.SendKeys(chromedp.ID("f-code"), "có dấu"),
		chromedp.SendKeys(chromedp.ID("f-opens"), "31/02/2026"))
	b.press("#tao", http.StatusUnprocessableEntity)
	summary := b.text(".govuk-error-summary")
	for _, want := range []string{"Tên đợt", "Mã đợt", "Ngày bắt đầu nhận hồ sơ", "Ngày kết thúc nhận hồ sơ", "Hình thức khen thưởng của đợt"} {
		require.Contains(t, summary, want)
	}
	opens, closes := now.AddDate(0, 0, -5), now.AddDate(0, 0, 25)
	if opens.Year() != year { // early January: the window starts the plan's year
		opens = time.Date(year, 1, 1, 0, 0, 0, 0, domain.Local)
	}
	code := "e2e-chuyen-de-" + suffix
	b.do(chromedp.SetValue(chromedp.ID("f-code"), code),
		chromedp.SendKeys(chromedp.ID("f-name"), "Khen thưởng chuyên đề phòng, chống thiên tai"),
		chromedp.SetValue(chromedp.ID("f-opens"), opens.Format("02/01/2006")),
		chromedp.SetValue(chromedp.ID("f-closes"), closes.Format("02/01/2006")),
		chromedp.Click(chromedp.ID("kind-thematic")),
		chromedp.Click(chromedp.ID("award-BK_UBND_TINH")), chromedp.Click(chromedp.ID("award-TTLDXS")))
	b.press("#tao", http.StatusOK)
	require.Contains(t, b.flash(), "Đã tạo đợt «Khen thưởng chuyên đề phòng, chống thiên tai»")

	// Its dossiers, at different stages.
	var ids []string
	for _, n := range []string{"Trường Tiểu học Bản Lang", "Trạm Y tế xã Mường So", "Đội Tình nguyện Sìn Hồ"} {
		r := a.submitTo(code, "TTLDXS", n)
		require.Equal(t, http.StatusCreated, r.status, string(r.raw))
		id := r.body["id"].(string)
		for _, k := range []string{"to_trinh", "bao_cao_thanh_tich", "bien_ban_hop"} {
			require.Equal(t, http.StatusCreated, a.upload(id, "unitA", k, k+".pdf", []byte("%PDF-1.7 "+k)).status)
		}
		ids = append(ids, id)
	}
	a.act(ids[0], "accept", "officer", nil, "appraisal")
	a.act(ids[0], "approve", "officer", nil, "decision")
	a.act(ids[0], "decide", "chairman", nil, "awarded")
	a.act(ids[1], "accept", "officer", nil, "appraisal")
	a.act(ids[1], "return", "officer", map[string]any{"comment": "Bổ sung biên bản"}, "supplement")

	b.open(fmt.Sprintf("/plan?year=%d", year), http.StatusOK)
	row := b.text("#dot-" + code)
	require.Contains(t, row, "3 hồ sơ")
	require.Contains(t, row, "Đã khen thưởng")
	require.Contains(t, row, "Bổ sung")
	require.Contains(t, row, "Đang nhận")
	require.Equal(t, "4", b.eval(`String(document.querySelectorAll('#dong-thoi-gian rect').length)`), "one bar a campaign")
	b.shot("23-plan")

	// The unit's submission form offers the open campaigns, not the others.
	b.signIn("unitA")
	b.open("/dossiers/new", http.StatusOK)
	options := b.eval(`[...document.querySelectorAll('#f-campaign option')].map(o => o.value).join(',')`)
	require.Contains(t, options, code)
	for _, c := range domain.SeedPlan(year) {
		open := c.Opens <= now.Format(time.DateOnly) && now.Format(time.DateOnly) <= c.Closes
		require.Equal(t, open, strings.Contains(options, "e2e-"+c.Code+"-"+suffix), "%s offered while open only", c.Code)
	}
	require.Equal(t, http.StatusForbidden, func() int { b.open("/reports", http.StatusForbidden); return http.StatusForbidden }())

	b.signIn("chairman")
	q := url.Values{"year": {fmt.Sprint(year)}, "campaign": {code}}
	b.open("/reports?"+q.Encode(), http.StatusOK)
	require.Equal(t, "3", b.text("#tong-nop"))
	require.Contains(t, b.text("#theo-nhom"), "Tập thể lao động xuất sắc")
	require.Equal(t, "7", b.eval(`String(document.querySelectorAll('#bieu-do-ket-qua rect').length)`))
	xlsx := b.eval(`document.getElementById('tai-xlsx').getAttribute('href')`)
	require.Equal(t, "/reports/summary.xlsx?"+q.Encode(), xlsx)
	b.shot("24-reports")
	b.open("/reports?year=1900", http.StatusUnprocessableEntity)
	require.Contains(t, b.text(".govuk-error-summary"), "Năm phải là năm từ 2000 đến 2100")

	// The download, with the chairman's console session.
	p := a.signIn("chairman")
	r := p.get(xlsx)
	require.Equal(t, http.StatusOK, r.status)
	wb, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
	require.NoError(t, err)
	v, err := wb.GetCellValue("Tổng hợp", "E4")
	require.NoError(t, err)
	require.Equal(t, "3", v, "submitted")
	v, err = wb.GetCellValue("Tổng hợp", "G4")
	require.NoError(t, err)
	require.Equal(t, "1", v, "awarded")

	ctx, cancel := b.timeout()
	require.NoError(t, devenv.Mobile(ctx))
	cancel()
	for _, pth := range []string{fmt.Sprintf("/plan?year=%d", year), "/reports?" + q.Encode()} {
		b.open(pth, http.StatusOK)
		require.Equal(t, "375", b.eval(`String(document.documentElement.scrollWidth)`), "%s is wider than the phone", pth)
	}
	b.signIn("officer")
	for _, pth := range []string{"/plan/campaigns/new"} {
		b.open(pth, http.StatusOK)
		require.Equal(t, "375", b.eval(`String(document.documentElement.scrollWidth)`), "%s is wider than the phone", pth)
	}
}
