// Package reminders sends the reminders of the yearly plan: e-mail to
// units before a campaign's window closes and to the emulation office when
// a dossier's stage becomes overdue, and the same events to configured
// webhooks, signed with HMAC-SHA256. The Reminders workflow (workflows/)
// runs the pass; a Temporal Schedule created at worker start (Ensure)
// starts it every interval. The activities here are its side effects.
package reminders

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"

	"tdkt/domain"
)

// Mailer sends e-mail over SMTP.
type Mailer struct {
	host     string
	port     int
	ssl      bool
	user     string
	password string
	from     string
}

// NewMailer is the mailer of an SMTP URL: smtp://[user:password@]host:port
// (STARTTLS when the server offers it; port 25 when none is given) or
// smtps://… (TLS from the start; port 465).
func NewMailer(smtpURL, from string) (*Mailer, error) {
	u, err := url.Parse(smtpURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("TDKT_SMTP_URL: must be smtp://host:port or smtps://host:port")
	}
	m := &Mailer{host: u.Hostname(), ssl: u.Scheme == "smtps", from: from, port: 25}
	if m.ssl {
		m.port = 465
	}
	if p := u.Port(); p != "" {
		if m.port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("TDKT_SMTP_URL: bad port %q", p)
		}
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.password, _ = u.User.Password()
	}
	return m, nil
}

// Send sends one message, in UTF-8 plain text.
func (m *Mailer) Send(ctx context.Context, to []string, subject, body string) error {
	msg := mail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return fmt.Errorf("sender %q: %w", m.from, err)
	}
	if err := msg.To(to...); err != nil {
		return fmt.Errorf("recipients: %w", err)
	}
	msg.Subject(subject)
	msg.SetBodyString(mail.TypeTextPlain, body)
	opts := []mail.Option{mail.WithPort(m.port), mail.WithTimeout(30 * time.Second)}
	if m.ssl {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if m.user != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(m.user), mail.WithPassword(m.password))
	}
	c, err := mail.NewClient(m.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail via %s: %w", net.JoinHostPort(m.host, strconv.Itoa(m.port)), err)
	}
	return nil
}

// SignatureHeader carries the webhook body's HMAC-SHA256 under the
// configured secret, as "sha256=<hex>".
const SignatureHeader = "X-TDKT-Signature"

// Sign is the SignatureHeader value of body under secret.
func Sign(secret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

// WebhookEvent is what a webhook receives: the event without its e-mail
// recipients.
type WebhookEvent struct {
	Key      string              `json:"key"`
	Kind     domain.ReminderKind `json:"kind"`
	Campaign string              `json:"campaign,omitempty"`
	Unit     string              `json:"unit,omitempty"`
	Dossier  string              `json:"dossier_id,omitempty"`
	Stage    domain.Stage        `json:"stage,omitempty"`
	Closes   string              `json:"closes,omitempty"`
	Due      *time.Time          `json:"due_at,omitempty"`
	Subject  string              `json:"subject"`
	Body     string              `json:"body"`
}

func webhookBody(ev domain.ReminderEvent) ([]byte, error) {
	return json.Marshal(WebhookEvent{Key: ev.Key, Kind: ev.Kind, Campaign: ev.Campaign, Unit: ev.Unit, Dossier: ev.Dossier,
		Stage: ev.Stage, Closes: ev.Closes, Due: ev.Due, Subject: ev.Subject, Body: ev.Body})
}

// post sends one event to one webhook; anything but a 2xx is an error
// (Temporal retries the activity).
func post(ctx context.Context, hc *http.Client, hook, secret string, body []byte, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(secret, body))
	req.Header.Set("X-TDKT-Event", key)
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", redact(hook), err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %s answered %s", redact(hook), resp.Status)
	}
	return nil
}

// redact is a webhook URL without its query and credentials (which may
// hold a token), for logs and the outbox.
func redact(hook string) string {
	u, err := url.Parse(hook)
	if err != nil {
		return "webhook"
	}
	return u.Scheme + "://" + u.Host + u.Path
}
