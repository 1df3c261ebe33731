package app

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"tdkt/domain"
)

// MaxIdempotencyKey is the longest Idempotency-Key accepted.
const MaxIdempotencyKey = 128

// Length limits of free-text fields, in characters.
const (
	MaxCode    = 64
	MaxName    = 300
	MaxPeriod  = 100
	MaxSummary = 20000
	MaxComment = 10000
)

// CheckText checks a free-text field: valid UTF-8 (already guaranteed for
// JSON), no control characters but newlines and tabs, at most max runes.
func CheckText(field, s string, max int) *domain.FieldError {
	if utf8.RuneCountInString(s) > max {
		return &domain.FieldError{Field: field, Message: fmt.Sprintf("must be at most %d characters", max)}
	}
	for _, r := range s {
		if r == utf8.RuneError || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f {
			return &domain.FieldError{Field: field, Message: "must not hold control characters or U+FFFD"}
		}
	}
	return nil
}

// ValidID accepts the shape of a dossier or document id, so that garbage
// never reaches the database.
func ValidID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// CheckIdempotencyKey checks an Idempotency-Key header.
func CheckIdempotencyKey(key string) *domain.FieldError {
	if len(key) > MaxIdempotencyKey {
		return &domain.FieldError{Field: "Idempotency-Key", Message: "must be at most 128 characters"}
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return &domain.FieldError{Field: "Idempotency-Key", Message: "must be printable ASCII without spaces"}
		}
	}
	return nil
}

func checkSubmissionText(sub domain.Submission) []domain.FieldError {
	var out []domain.FieldError
	for _, f := range []struct {
		field, value string
		max          int
	}{
		{"award_code", sub.AwardCode, MaxCode}, {"kind", string(sub.Kind), MaxCode},
		{"procedure", string(sub.Procedure), MaxCode}, {"campaign", sub.Campaign, MaxPeriod},
		{"achievement_period", sub.AchievementPeriod, MaxPeriod},
		{"nominee.type", string(sub.Nominee.Type), MaxCode}, {"nominee.name", sub.Nominee.Name, MaxName},
		{"nominee.position", sub.Nominee.Position, MaxName}, {"nominee.organization", sub.Nominee.Organization, MaxName},
		{"nominee.birth_date", sub.Nominee.BirthDate, MaxCode}, {"nominee.citizen_id", sub.Nominee.CitizenID, MaxCode},
		{"summary", sub.Summary, MaxSummary},
	} {
		if fe := CheckText(f.field, f.value, f.max); fe != nil {
			out = append(out, *fe)
		}
	}
	return out
}

// maxFilename is the longest file name kept, in bytes.
const maxFilename = 255

// CleanFilename keeps a file name safe to store and to send back: valid
// UTF-8, no path, no control characters, at most maxFilename bytes.
func CleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > maxFilename {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		name = "document"
	}
	return name
}

// ContentDisposition is a Content-Disposition header (attachment or inline)
// with an ASCII fallback name and the real one in RFC 5987 form, so that
// Vietnamese names survive.
func ContentDisposition(disposition, name string) string {
	var fallback strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';':
			fallback.WriteByte('_')
		default:
			fallback.WriteRune(r)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disposition, fallback.String(), rfc5987(name))
}

// rfc5987 percent-encodes everything but RFC 5987's attr-char.
func rfc5987(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte(attr, ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}
