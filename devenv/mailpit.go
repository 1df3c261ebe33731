package devenv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Mailpit is a running mailpit (github.com/axllent/mailpit, pinned in
// tools/go.mod, built by `make bin/mailpit`): a real SMTP server that keeps
// what it receives and shows it through an HTTP API. The reminders' tests
// send to it.
type Mailpit struct {
	// SMTPURL is what TDKT_SMTP_URL takes: smtp://127.0.0.1:port.
	SMTPURL string
	// APIURL is the HTTP API's base, http://127.0.0.1:port.
	APIURL string

	proc   *Proc
	output *tail
}

// MailpitBinary is $TDKT_MAILPIT_BIN, else bin/mailpit of the module.
func MailpitBinary() (string, error) {
	if p := os.Getenv("TDKT_MAILPIT_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TDKT_MAILPIT_BIN=%s: %w", p, err)
		}
		return p, nil
	}
	notBuilt := errors.New("mailpit not built: run `make bin/mailpit`")
	root, err := ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("%w (%v)", notBuilt, err)
	}
	p := filepath.Join(root, "bin", "mailpit")
	if _, err := os.Stat(p); err != nil {
		return "", notBuilt
	}
	return p, nil
}

// StartMailpit starts mailpit on free SMTP and HTTP ports of 127.0.0.1,
// its messages in a database under dir, and returns once its API answers.
func StartMailpit(ctx context.Context, dir string) (*Mailpit, error) {
	bin, err := MailpitBinary()
	if err != nil {
		return nil, err
	}
	smtpPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	out := newTail(16 << 10)
	cmd := exec.Command(bin, "--smtp", "127.0.0.1:"+strconv.Itoa(smtpPort), "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
		"--database", filepath.Join(dir, "mailpit.db"), "--disable-version-check", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--quiet")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	p, err := Spawn(cmd)
	if err != nil {
		return nil, fmt.Errorf("start mailpit %s: %w", bin, err)
	}
	m := &Mailpit{SMTPURL: "smtp://127.0.0.1:" + strconv.Itoa(smtpPort), APIURL: "http://127.0.0.1:" + strconv.Itoa(httpPort), proc: p, output: out}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if _, err := m.Messages(ctx); err == nil {
			return m, nil
		}
		select {
		case <-p.Done():
			return nil, fmt.Errorf("mailpit exited (%v) before it was ready; its output: %s", p.Err(), out)
		case <-ctx.Done():
			m.Stop()
			return nil, fmt.Errorf("mailpit not ready on %s: its output: %s", m.APIURL, out)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestMailpit starts a mailpit for t, stopped when t ends.
func TestMailpit(t testing.TB) *Mailpit {
	t.Helper()
	m, err := StartMailpit(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("devenv: no mailpit for the test: %v", err)
	}
	t.Cleanup(m.Stop)
	return m
}

// Stop stops mailpit and waits for it.
func (m *Mailpit) Stop() {
	if m.proc.Exited() {
		return
	}
	_ = m.proc.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.proc.Done():
	case <-time.After(10 * time.Second):
		_ = m.proc.cmd.Process.Kill()
		<-m.proc.Done()
	}
}

// MailAddress is one address of a message.
type MailAddress struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// MailMessage is a message as mailpit's API lists it, with its text body
// read from the message's own endpoint.
type MailMessage struct {
	ID      string        `json:"ID"`
	From    MailAddress   `json:"From"`
	To      []MailAddress `json:"To"`
	Subject string        `json:"Subject"`
	Text    string        `json:"Text"`
}

// Messages lists every message received, newest first (GET
// /api/v1/messages), each with its text (GET /api/v1/message/{ID}).
func (m *Mailpit) Messages(ctx context.Context) ([]MailMessage, error) {
	var list struct {
		Messages []MailMessage `json:"messages"`
	}
	if err := m.get(ctx, "/api/v1/messages?limit=1000", &list); err != nil {
		return nil, err
	}
	for i := range list.Messages {
		var full MailMessage
		if err := m.get(ctx, "/api/v1/message/"+list.Messages[i].ID, &full); err != nil {
			return nil, err
		}
		list.Messages[i].Text = full.Text
	}
	return list.Messages, nil
}

func (m *Mailpit) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.APIURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}
