package devenv

import (
	"bytes"
	"context"
	"html/template"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	vnTitle = "Hồ sơ thi đua, khen thưởng"
	vnLabel = "Tên đơn vị đề nghị"
	// Typed into the form: precomposed letters with stacked marks (ồ ử ẫ),
	// đ/Đ, and every tone.
	vnTyped = "Ủy ban nhân dân tỉnh Đắk Lắk — Sở Nội vụ: ầ ẩ ẫ ậ ồ ử ữ ự ỹ"
	vnBody  = "Quyết định khen thưởng: Bằng khen của Thủ tướng Chính phủ; Huân chương Lao động hạng Ba; Chiến sĩ thi đua toàn quốc."
)

var vnPage = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
/* The GOV.UK stylesheet's stack once its own font is stripped. */
body { font-family: arial, sans-serif; margin: 0; padding: 20px; min-height: 1600px; }
h1 { font-size: 32px; }
label { display: block; font-weight: bold; margin-bottom: 5px; }
input { font: inherit; font-size: 19px; width: 100%; max-width: 600px; padding: 5px; box-sizing: border-box; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Body}}</p>
{{if .Received}}<p id="result">Đã nhận: {{.Received}}</p>
{{else}}<form method="post" action="/ho-so">
<label for="don-vi">{{.Label}}</label>
<input id="don-vi" name="don_vi" type="text">
<button type="submit">Gửi hồ sơ</button>
</form>
{{end}}</body>
</html>
`))

// TestBrowserRendersVietnamese drives the real browser through a form in
// Vietnamese: what is typed reaches the server, and what the page shows is
// read back, with every diacritic intact; the screenshot and the phone
// viewport work.
func TestBrowserRendersVietnamese(t *testing.T) {
	var mu sync.Mutex
	var received, acceptLanguage string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data := map[string]string{"Title": vnTitle, "Body": vnBody, "Label": vnLabel}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/":
		case r.Method == http.MethodPost && r.URL.Path == "/ho-so":
			mu.Lock()
			received = r.PostFormValue("don_vi")
			acceptLanguage = r.Header.Get("Accept-Language")
			data["Received"] = received
			mu.Unlock()
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := vnPage.Execute(w, data); err != nil {
			t.Errorf("render: %v", err)
		}
	}))
	defer srv.Close()

	ctx := Browser(t)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatalf("open the form: %v", err)
	}
	// Find the field as a user does: by its label.
	label, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("label")))
	if err != nil || label != vnLabel {
		t.Fatalf("label text = %q, %v; want %q", label, err, vnLabel)
	}
	forAttr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("label"), "for"))
	if err != nil || !forAttr.Exists {
		t.Fatalf("label's for: %+v, %v", forAttr, err)
	}
	field := chromedp.ID(forAttr.Value)
	if err := chromedp.Do(ctx, chromedp.SendKeys(field, vnTyped)); err != nil {
		t.Fatalf("type into #%s: %v", forAttr.Value, err)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(field)); err != nil || v != vnTyped {
		t.Fatalf("field holds %q, %v; want %q", v, err, vnTyped)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("submit: HTTP %d", resp.Status)
	}

	mu.Lock()
	gotReceived, gotLang := received, acceptLanguage
	mu.Unlock()
	if gotReceived != vnTyped {
		t.Errorf("server received %q (% x)\nwant %q (% x)", gotReceived, gotReceived, vnTyped, vnTyped)
	}
	if !strings.HasPrefix(gotLang, "vi") {
		t.Errorf("Accept-Language = %q, want Vietnamese first (the browser runs with lang vi-VN)", gotLang)
	}
	if nav, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.language`)); err != nil || !strings.HasPrefix(nav, "vi") {
		t.Errorf("navigator.language = %q, %v; want vi…", nav, err)
	}
	for sel, want := range map[string]string{"h1": vnTitle, "#result": "Đã nhận: " + vnTyped, "p": vnBody} {
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		if got != want {
			t.Errorf("%s reads %q, want %q", sel, got, want)
		}
	}
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title != vnTitle {
		t.Errorf("title = %q, %v; want %q", title, err, vnTitle)
	}

	// Full page, in a directory Screenshot creates.
	shot := filepath.Join(t.TempDir(), "screenshots", "ho-so.png")
	if err := Screenshot(ctx, shot); err != nil {
		t.Fatal(err)
	}
	pageHeight, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, shot, 1280, pageHeight)

	if err := Mobile(ctx); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.clientWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width != 375 {
		t.Errorf("after Mobile, document.documentElement.clientWidth = %d, want 375", width)
	}
	mobileShot := filepath.Join(t.TempDir(), "ho-so-mobile.png")
	if err := Screenshot(ctx, mobileShot); err != nil {
		t.Fatal(err)
	}
	pageHeight, err = chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, mobileShot, 375, pageHeight)
}

// checkPNG: the file is a PNG of the whole page (wide x high CSS pixels)
// with real content in it.
func checkPNG(t *testing.T, path string, wide, high int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s is not a PNG (starts % x)", path, b[:min(len(b), 8)])
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	size := img.Bounds().Size()
	if size.X != wide || size.Y != high || high <= 900 {
		t.Errorf("%s is %dx%d, want the full page %dx%d (taller than the 900 px window)", path, size.X, size.Y, wide, high)
	}
	// A blank page compresses to a few hundred bytes; text makes kilobytes.
	if len(b) < 10<<10 {
		t.Errorf("%s is only %d bytes: is the page blank?", path, len(b))
	}
}

// TestBrowserChromiumPathSaysHowToFix: a missing browser is an error that
// says what to do, and a wrong TDKT_CHROMIUM is not quietly replaced.
func TestBrowserChromiumPathSaysHowToFix(t *testing.T) {
	t.Setenv("TDKT_CHROMIUM", filepath.Join(t.TempDir(), "no-such-chromium"))
	if _, err := ChromiumPath(); err == nil || !strings.Contains(err.Error(), "TDKT_CHROMIUM") {
		t.Errorf("a TDKT_CHROMIUM that names nothing: err = %v, want one naming TDKT_CHROMIUM", err)
	}
	t.Setenv("TDKT_CHROMIUM", "")
	t.Setenv("PATH", t.TempDir())
	_, err := ChromiumPath()
	if err == nil || !strings.Contains(err.Error(), "apt-get install chromium") || !strings.Contains(err.Error(), "TDKT_CHROMIUM") {
		t.Errorf("no browser on PATH: err = %v, want the fix (apt-get install chromium, or TDKT_CHROMIUM)", err)
	}
}
