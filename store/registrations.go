package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"tdkt/domain"
)

type registrationRow struct {
	ID          int64     `db:"id"`
	Year        int       `db:"year"`
	Unit        string    `db:"unit"`
	NomineeType string    `db:"nominee_type"`
	NomineeKey  string    `db:"nominee_key"`
	Name        string    `db:"name"`
	Position    string    `db:"position"`
	AwardCode   string    `db:"award_code"`
	CreatedBy   string    `db:"created_by"`
	CreatedAt   time.Time `db:"created_at"`
}

func (r registrationRow) registration() domain.Registration {
	out := domain.Registration{ID: r.ID, Year: r.Year, Unit: r.Unit, AwardCode: r.AwardCode, NomineeKey: r.NomineeKey,
		Nominee:   domain.Nominee{Type: domain.NomineeType(r.NomineeType), Name: r.Name, Position: r.Position},
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	if a, ok := domain.RegistryAward(r.AwardCode); ok {
		out.AwardName = a.Name
	}
	return out
}

const registrationColumns = `id, year, unit, nominee_type, nominee_key, name, position, award_code, created_by, created_at`

// CreateRegistration stores a registration (validated by the caller) and
// returns it; ErrExists when the nominee is already registered for that
// title in that year.
func (s *Store) CreateRegistration(ctx context.Context, r domain.Registration) (domain.Registration, error) {
	cl := cleanText
	var row registrationRow
	err := s.DB.GetContext(ctx, &row, `
INSERT INTO registrations (year, unit, nominee_type, nominee_key, name, position, award_code, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (year, nominee_key, award_code) DO NOTHING
RETURNING `+registrationColumns,
		r.Year, cl(r.Unit), string(r.Nominee.Type), cl(r.NomineeKey), cl(r.Nominee.Name), cl(r.Nominee.Position), cl(r.AwardCode), cl(r.CreatedBy))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Registration{}, ErrExists
	}
	if err != nil {
		return domain.Registration{}, fmt.Errorf("create registration: %w", err)
	}
	return row.registration(), nil
}

// RegistrationFilter narrows the list of registrations; zero values do
// not filter.
type RegistrationFilter struct {
	Year  int
	Unit  string
	Award string
}

// MaxRegistrations bounds one list of registrations.
const MaxRegistrations = 5000

// Registrations lists registrations, newest year first, then by unit and
// the order they were made.
func (s *Store) Registrations(ctx context.Context, f RegistrationFilter) ([]domain.Registration, error) {
	var rows []registrationRow
	err := s.DB.SelectContext(ctx, &rows, `SELECT `+registrationColumns+` FROM registrations
WHERE ($1 = 0 OR year = $1) AND ($2 = '' OR unit = $2) AND ($3 = '' OR award_code = $3)
ORDER BY year DESC, unit, id LIMIT $4`, f.Year, cleanText(f.Unit), cleanText(f.Award), MaxRegistrations)
	if err != nil {
		return nil, fmt.Errorf("list registrations: %w", err)
	}
	out := make([]domain.Registration, len(rows))
	for i, r := range rows {
		out[i] = r.registration()
	}
	return out, nil
}

// FindRegistration is the registration of a nominee (its key) for a title
// in a year; ErrNotFound when there is none.
func (s *Store) FindRegistration(ctx context.Context, year int, nomineeKey, award string) (domain.Registration, error) {
	var row registrationRow
	err := s.DB.GetContext(ctx, &row, `SELECT `+registrationColumns+` FROM registrations
WHERE year = $1 AND nominee_key = $2 AND award_code = $3`, year, cleanText(nomineeKey), cleanText(award))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Registration{}, ErrNotFound
	}
	if err != nil {
		return domain.Registration{}, fmt.Errorf("find registration: %w", err)
	}
	return row.registration(), nil
}

// RegistrationDeadline is the officer's deadline for a year's
// registrations (YYYY-MM-DD), or "" when none was set.
func (s *Store) RegistrationDeadline(ctx context.Context, year int) (string, error) {
	var d time.Time
	err := s.DB.GetContext(ctx, &d, `SELECT closes FROM registration_deadlines WHERE year = $1`, year)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read registration deadline %d: %w", year, err)
	}
	return d.Format(time.DateOnly), nil
}

// SetRegistrationDeadline sets a year's deadline (YYYY-MM-DD).
func (s *Store) SetRegistrationDeadline(ctx context.Context, year int, closes, by string) error {
	_, err := s.DB.ExecContext(ctx, `
INSERT INTO registration_deadlines (year, closes, set_by) VALUES ($1, $2, $3)
ON CONFLICT (year) DO UPDATE SET closes = EXCLUDED.closes, set_by = EXCLUDED.set_by, updated_at = now()`,
		year, closes, cleanText(by))
	if err != nil {
		return fmt.Errorf("set registration deadline %d: %w", year, err)
	}
	return nil
}

// SentReminder is one event of the reminders' outbox.
type SentReminder struct {
	Key        string         `db:"key" json:"key"`
	Kind       string         `db:"kind" json:"kind"`
	Subject    string         `db:"subject" json:"subject"`
	Recipients pq.StringArray `db:"recipients" json:"recipients"`
	Webhooks   int            `db:"webhooks" json:"webhooks"`
	SentAt     time.Time      `db:"sent_at" json:"sent_at"`
}

// ClaimReminder records that the event key is being sent, in tx; false
// when it was recorded already (sent before: send nothing).
func ClaimReminder(ctx context.Context, tx *sql.Tx, r SentReminder) (bool, error) {
	res, err := tx.ExecContext(ctx, `
INSERT INTO reminders_sent (key, kind, subject, recipients, webhooks) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (key) DO NOTHING`, cleanText(r.Key), cleanText(r.Kind), cleanText(r.Subject), pq.Array([]string(r.Recipients)), r.Webhooks)
	if err != nil {
		return false, fmt.Errorf("record reminder %s: %w", r.Key, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// SentKeys reports which of keys the outbox holds.
func (s *Store) SentKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	var have []string
	if err := s.DB.SelectContext(ctx, &have, `SELECT key FROM reminders_sent WHERE key = ANY($1)`, pq.Array(keys)); err != nil {
		return nil, fmt.Errorf("read sent reminders: %w", err)
	}
	for _, k := range have {
		out[k] = true
	}
	return out, nil
}

// SentReminders is the outbox, newest first (at most limit rows).
func (s *Store) SentReminders(ctx context.Context, limit int) ([]SentReminder, error) {
	out := []SentReminder{}
	err := s.DB.SelectContext(ctx, &out, `SELECT key, kind, subject, recipients, webhooks, sent_at FROM reminders_sent
ORDER BY sent_at DESC, key LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list sent reminders: %w", err)
	}
	return out, nil
}

// OverdueDossiers are the dossiers whose stage is past its due date (the
// workflow flagged it), oldest due first, at most limit.
func (s *Store) OverdueDossiers(ctx context.Context, limit int) ([]domain.View, error) {
	var raws [][]byte
	err := s.DB.SelectContext(ctx, &raws, `SELECT view FROM dossiers WHERE overdue ORDER BY due_at, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list overdue dossiers: %w", err)
	}
	out := make([]domain.View, 0, len(raws))
	for _, raw := range raws {
		v, err := decodeView(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
