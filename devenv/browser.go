package devenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Browser tests drive a real headless Chromium through the DevTools protocol
// (chromedp). `make test` installs Debian's chromium when it can (see the
// check-chromium target); $TDKT_CHROMIUM names another Chromium or Chrome.

// chromiumFix says how to get a browser, for every message that lacks one.
const chromiumFix = "install Chromium (Debian: apt-get install chromium fonts-liberation2 fonts-noto-core; `make check-chromium` does it as root) or set TDKT_CHROMIUM to the path of a Chromium or Chrome executable"

// browserStartTimeout bounds the first start of the browser: a Chromium that
// neither starts nor fails must not hang the test until the test binary's
// own timeout.
const browserStartTimeout = 90 * time.Second

// ChromiumPath finds the browser: $TDKT_CHROMIUM, else chromium, chromium-browser on PATH; error with the fix when none.
// A TDKT_CHROMIUM that names no executable is an error, not a reason to
// quietly use another browser.
func ChromiumPath() (string, error) {
	if want := os.Getenv("TDKT_CHROMIUM"); want != "" {
		path, err := exec.LookPath(want)
		if err != nil {
			return "", fmt.Errorf("TDKT_CHROMIUM=%q is not an executable browser (%v): set it to the path of a Chromium or Chrome executable, or unset it to use chromium from PATH", want, err)
		}
		return path, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errors.New("no Chromium for the browser tests (neither chromium nor chromium-browser is on PATH): " + chromiumFix)
}

// Browser starts a headless Chromium for t (chromedp.NewExecAllocator with chromedp.DefaultExecAllocatorOptions plus
// --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update
// --disable-sync, a fresh user-data-dir under t.TempDir(), window size 1280x900, lang vi-VN)
// and returns a chromedp context; everything stops at t.Cleanup. A browser that cannot start fails t with what to do.
//
// The browser has started and opened its tab when Browser returns; run actions
// with chromedp.Do or chromedp.Run on the returned context (derive timeouts
// from it with context.WithTimeout; never cancel it yourself).
func Browser(t testing.TB) context.Context {
	t.Helper()
	path, err := ChromiumPath()
	if err != nil {
		t.Fatalf("devenv: %v", err)
	}
	// t.TempDir before t.Cleanup below: cleanups run last-registered first,
	// so the browser is gone before its profile is removed.
	profile := filepath.Join(t.TempDir(), "chromium-profile")
	if err := os.Mkdir(profile, 0o700); err != nil {
		t.Fatalf("devenv: browser profile directory: %v", err)
	}
	output := newTail(8 << 10)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("no-sandbox", true), // tests often run as root, in containers
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		// Chromium on Linux takes its UI language from the environment and
		// ignores --lang for pages; --accept-lang sets Accept-Language and
		// navigator.language(s).
		chromedp.Flag("lang", "vi-VN"),
		chromedp.Flag("accept-lang", "vi-VN,vi"),
		chromedp.CombinedOutput(output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	stop := func() {
		// Close the browser politely, then make sure: cancelAlloc kills
		// what is left and waits for the process to exit.
		closeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		chromedp.Cancel(closeCtx)
		cancel()
		cancelCtx()
		cancelAlloc()
		killBrowserLeftovers(profile)
	}

	// Start it now, so a browser that cannot start says so here, with the
	// reason, rather than in the test's first action.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(browserStartTimeout):
		err = fmt.Errorf("no answer in %v", browserStartTimeout)
	}
	if err != nil {
		stop()
		msg := fmt.Sprintf("devenv: Chromium (%s) did not start: %s", path, strings.TrimSpace(err.Error()))
		if out := output.String(); out != "" {
			msg += "\nbrowser output:\n" + out
		}
		msg += fmt.Sprintf("\nFix: check that `%s --headless --no-sandbox --disable-gpu --dump-dom about:blank` works on this machine; else %s", path, chromiumFix)
		t.Fatal(msg)
	}
	t.Cleanup(stop)
	return ctx
}

// Screenshot saves a full-page PNG of the current page to path (creating the directory), for the README's screenshots.
// The image is the whole scrollable page at the current viewport's width
// (1280 CSS px, or 375 after Mobile), one image pixel per CSS pixel.
func Screenshot(ctx context.Context, path string) error {
	png, err := chromedp.Run(ctx, fullPagePNG())
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	return nil
}

// fullPagePNG captures the page's whole scrollable area, not only what the
// viewport shows.
func fullPagePNG() chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, fmt.Errorf("page size: %w", err)
		}
		if m.CSSContentSize == nil {
			return nil, errors.New("page size: the browser reported none")
		}
		yes := true
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng,
			Clip: &page.Viewport{
				Width:  math.Ceil(m.CSSContentSize.Width),
				Height: math.Ceil(m.CSSContentSize.Height),
				Scale:  1,
			},
			FromSurface:           &yes,
			CaptureBeyondViewport: &yes,
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	}
}

// Mobile switches the page to a 375 px wide viewport (emulation), for responsive checks.
// It emulates a phone (375x812 CSS px, portrait, touch, device scale 1):
// pages lay out at 375 px when they carry
// <meta name="viewport" content="width=device-width, initial-scale=1">, as
// the GOV.UK template does; without it a phone browser lays out at 980 px.
// It lasts for the life of the tab, across navigations.
func Mobile(ctx context.Context) error {
	err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 812,
		chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	if err != nil {
		return fmt.Errorf("emulate a 375 px wide phone: %w", err)
	}
	return nil
}

// killBrowserLeftovers kills the processes still running with the profile
// directory: Chromium's helpers (zygote, network service) can outlive a main
// process that was killed, and would write into the profile while the test's
// cleanup removes it. Every helper carries --user-data-dir, and the directory
// is this test's own.
func killBrowserLeftovers(profile string) {
	want := []byte("--user-data-dir=" + profile)
	deadline := time.Now().Add(2 * time.Second)
	for quiet := 0; quiet < 3 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		entries, err := os.ReadDir("/proc")
		if err != nil {
			return
		}
		found := 0
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == os.Getpid() {
				continue
			}
			cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
			if err != nil {
				continue
			}
			for _, arg := range bytes.Split(cmdline, []byte{0}) {
				if bytes.Equal(arg, want) {
					syscall.Kill(pid, syscall.SIGKILL)
					found++
					break
				}
			}
		}
		if found == 0 {
			quiet++
		} else {
			quiet = 0
		}
	}
}
