package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"tdkt/devenv"
	"tdkt/domain"
)

// Registration in the browser: the officer keeps this year's registration
// open to the year's end (API), the unit registers a title through the
// form (an empty one first, refused with each field named), lists its
// own; a title dossier of the registered person shows it registered, one
// of a person not registered shows the finding, in the console and the
// API; the officer filters everyone's by unit; the administrator reads the
// reminders' outbox, which a unit may not; every page fits a phone.
func TestBrowserRegistrations(t *testing.T) {
	a := newAPI(t)
	now := time.Now().In(domain.Local)
	year := now.Year()
	r := a.do("PUT", fmt.Sprintf("/api/v1/registration-deadlines/%d", year), "officer", map[string]any{"closes": fmt.Sprintf("%d-12-31", year)}, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Equal(t, http.StatusForbidden, a.do("PUT", fmt.Sprintf("/api/v1/registration-deadlines/%d", year), "unitA", map[string]any{"closes": fmt.Sprintf("%d-12-31", year)}, nil).status)
	suffix := fmt.Sprint(now.UnixNano() % 100000)
	person := "Nguyễn Thị Đăng Ký " + suffix

	b := newTab(t, a)
	b.signIn("unitA")
	b.open("/registrations", http.StatusOK)
	require.Contains(t, b.text("#han-dang-ky"), fmt.Sprintf("31/12/%d", year))
	b.press("#dang-ky-moi", http.StatusOK)
	b.do(chromedp.Click(chromedp.ID("type-collective")))
	b.press("#dang-ky", http.StatusUnprocessableEntity)
	summary := b.text(".govuk-error-summary")
	for _, want := range []string{"Họ tên cá nhân hoặc tên tập thể", "Hình thức khen thưởng"} {
		require.Contains(t, summary, want)
	}
	b.do(chromedp.Click(chromedp.ID("type-individual")),
		chromedp.SendKeys(chromedp.ID("f-name"), person),
		chromedp.SendKeys(chromedp.ID("f-position"), "Giáo viên"),
		chromedp.SetValue(chromedp.ID("f-award-code"), "CSTD_TINH"))
	b.press("#dang-ky", http.StatusOK)
	require.Contains(t, b.flash(), "Đã đăng ký danh hiệu «Chiến sĩ thi đua cấp tỉnh» năm "+fmt.Sprint(year))
	require.Contains(t, b.text("#dang-ky"), person)
	// Twice is refused, on the form, naming the name.
	b.open("/registrations/new", http.StatusOK)
	b.do(chromedp.SetValue(chromedp.ID("f-year"), fmt.Sprint(year)), chromedp.SendKeys(chromedp.ID("f-name"), person),
		chromedp.SetValue(chromedp.ID("f-award-code"), "CSTD_TINH"))
	b.press("#dang-ky", http.StatusConflict)
	require.Contains(t, b.text(".govuk-error-summary"), "đã được đăng ký")
	r = a.do("POST", "/api/v1/registrations", "unitA", map[string]any{"year": year,
		"nominee": map[string]any{"type": "collective", "name": "Trường THPT Đăng Ký " + suffix}, "award_code": "TTLDXS"}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	r = a.do("POST", "/api/v1/registrations", "unitA", map[string]any{"year": year, "unit": "SYT",
		"nominee": map[string]any{"type": "individual", "name": "Người Khác"}, "award_code": "LDTT"}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "another unit's registration")

	// The findings of two title dossiers.
	submit := func(name string) string {
		r := a.do("POST", "/api/v1/dossiers", "unitA", map[string]any{"award_code": "CSTD_TINH", "kind": "merit", "campaign": fmt.Sprintf("%d-annual", year),
			"achievement_period": fmt.Sprint(year), "nominee": map[string]any{"type": "individual", "name": name}}, nil)
		require.Equal(t, http.StatusCreated, r.status, string(r.raw))
		return r.body["id"].(string)
	}
	registered, unregistered := submit(strings.ToUpper(person)), submit("Lò Văn Chưa Đăng Ký "+suffix)
	reg := a.get(registered, "unitA").body["registration"].(map[string]any)
	require.Equal(t, true, reg["ok"], "%v", reg)
	reg = a.get(unregistered, "officer").body["registration"].(map[string]any)
	require.Equal(t, false, reg["ok"], "%v", reg)
	require.Equal(t, "registration", reg["rule"])
	b.open("/dossiers/"+registered, http.StatusOK)
	require.Contains(t, b.text("#dang-ky-ket-qua"), "Đã đăng ký")
	b.open("/dossiers/"+unregistered, http.StatusOK)
	require.Contains(t, b.text("#dang-ky-ket-qua"), "Chưa đăng ký")
	require.Contains(t, b.text("#dang-ky-ket-qua"), "chưa đăng ký thi đua danh hiệu «Chiến sĩ thi đua cấp tỉnh»")
	b.open("/reminders", http.StatusForbidden)

	b.signIn("officer")
	q := url.Values{"year": {fmt.Sprint(year)}, "unit": {"SGDDT"}}
	b.open("/registrations?"+q.Encode(), http.StatusOK)
	list := b.text("#dang-ky")
	require.Contains(t, list, person)
	require.Contains(t, list, "Trường THPT Đăng Ký "+suffix)
	require.Contains(t, list, "Sở Giáo dục và Đào tạo")
	b.shot("26-registrations")
	r = a.do("GET", "/api/v1/registrations?"+q.Encode(), "officer", nil, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, fmt.Sprintf("%d-12-31", year), r.body["deadline"])
	r = a.do("GET", "/api/v1/registrations?unit=SGDDT", "unitB", nil, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Empty(t, r.body["items"], "a unit reads only its own")
	b.open("/registrations?year=1900", http.StatusUnprocessableEntity)
	require.Contains(t, b.text(".govuk-error-summary"), "Năm")

	b.signIn("admin")
	b.open("/reminders", http.StatusOK)
	require.Equal(t, http.StatusOK, a.do("GET", "/api/v1/reminders/sent", "admin", nil, nil).status)
	require.Equal(t, http.StatusForbidden, a.do("GET", "/api/v1/reminders/sent", "officer", nil, nil).status)

	ctx, cancel := b.timeout()
	require.NoError(t, devenv.Mobile(ctx))
	cancel()
	b.open("/reminders", http.StatusOK)
	require.Equal(t, "375", b.eval(`String(document.documentElement.scrollWidth)`), "/reminders is wider than the phone")
	b.signIn("officer")
	b.open("/registrations?"+q.Encode(), http.StatusOK)
	require.Equal(t, "375", b.eval(`String(document.documentElement.scrollWidth)`), "/registrations is wider than the phone")
	b.signIn("unitA")
	b.open("/registrations/new", http.StatusOK)
	require.Equal(t, "375", b.eval(`String(document.documentElement.scrollWidth)`), "/registrations/new is wider than the phone")
}
