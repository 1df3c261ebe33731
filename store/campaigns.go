package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"tdkt/domain"
)

// ErrExists is a thing created under a key that is already taken (a
// unit's or a campaign's code); nothing was stored.
var ErrExists = errors.New("already exists")

type campaignRow struct {
	Code   string         `db:"code"`
	Name   string         `db:"name"`
	Year   int            `db:"year"`
	Kind   string         `db:"kind"`
	Opens  time.Time      `db:"opens"`
	Closes time.Time      `db:"closes"`
	Awards pq.StringArray `db:"awards"`
}

func (r campaignRow) campaign() domain.Campaign {
	return domain.Campaign{Code: r.Code, Name: r.Name, Year: r.Year, Kind: domain.CampaignKind(r.Kind),
		Opens: r.Opens.Format(time.DateOnly), Closes: r.Closes.Format(time.DateOnly), Awards: append([]string{}, r.Awards...)}
}

const campaignColumns = `code, name, year, kind, opens, closes, awards`

// CreateCampaign stores a new campaign (validated by the caller); ErrExists
// when its code is taken.
func (s *Store) CreateCampaign(ctx context.Context, c domain.Campaign, by string) error {
	cl := cleanText
	res, err := s.DB.ExecContext(ctx, `
INSERT INTO campaigns (code, name, year, kind, opens, closes, awards, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING`,
		cl(c.Code), cl(c.Name), c.Year, cl(string(c.Kind)), c.Opens, c.Closes, pq.Array(c.Awards), cl(by))
	if err != nil {
		return fmt.Errorf("create campaign %s: %w", c.Code, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrExists
	}
	return nil
}

// SeedCampaigns stores the campaigns whose codes are not taken yet, and
// leaves the others as they are (an officer's own campaign of that code
// wins over the seed).
func (s *Store) SeedCampaigns(ctx context.Context, cs []domain.Campaign) error {
	for _, c := range cs {
		if err := s.CreateCampaign(ctx, c, "seed"); err != nil && !errors.Is(err, ErrExists) {
			return err
		}
	}
	return nil
}

// Campaign reads one campaign; ErrNotFound when there is none.
func (s *Store) Campaign(ctx context.Context, code string) (domain.Campaign, error) {
	var r campaignRow
	err := s.DB.GetContext(ctx, &r, `SELECT `+campaignColumns+` FROM campaigns WHERE code = $1`, cleanText(code))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Campaign{}, ErrNotFound
	}
	if err != nil {
		return domain.Campaign{}, fmt.Errorf("read campaign %s: %w", code, err)
	}
	return r.campaign(), nil
}

// CampaignFilter narrows the list of campaigns; zero values do not filter.
type CampaignFilter struct {
	Year int
	Kind string
	// OpenOn, when not zero, keeps the campaigns open on that day (a
	// YYYY-MM-DD in Vietnam).
	OpenOn string
}

// MaxCampaigns bounds a list of campaigns: a plan has a handful a year.
const MaxCampaigns = 1000

// Campaigns lists campaigns by year, then opening day, then code.
func (s *Store) Campaigns(ctx context.Context, f CampaignFilter) ([]domain.Campaign, error) {
	var rows []campaignRow
	var open any
	if f.OpenOn != "" {
		open = f.OpenOn
	}
	err := s.DB.SelectContext(ctx, &rows, `SELECT `+campaignColumns+` FROM campaigns
WHERE ($1 = 0 OR year = $1) AND ($2 = '' OR kind = $2) AND ($3::date IS NULL OR (opens <= $3::date AND $3::date <= closes))
ORDER BY year DESC, opens, code LIMIT $4`, f.Year, cleanText(f.Kind), open, MaxCampaigns)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	out := make([]domain.Campaign, len(rows))
	for i, r := range rows {
		out[i] = r.campaign()
	}
	return out, nil
}

// SubmissionKeyUsed reports whether a unit already used an
// Idempotency-Key for a submission (any request).
func (s *Store) SubmissionKeyUsed(ctx context.Context, unit, idempotencyKey string) (bool, error) {
	if idempotencyKey == "" {
		return false, nil
	}
	if !storable(idempotencyKey) {
		idempotencyKey = "hex:" + hex.EncodeToString([]byte(idempotencyKey))
	}
	var used bool
	err := s.DB.GetContext(ctx, &used, `SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE unit = $1 AND key = $2)`,
		cleanText(unit), idempotencyKey)
	if err != nil {
		return false, fmt.Errorf("read idempotency key: %w", err)
	}
	return used, nil
}

// ReleaseSubmission undoes ReserveSubmission for a submission refused
// before its workflow was started: the key and the mark go, so that
// nothing is left of it but a number the id sequence skips.
func (s *Store) ReleaseSubmission(ctx context.Context, unit, idempotencyKey, id string) error {
	if !storable(idempotencyKey) {
		idempotencyKey = "hex:" + hex.EncodeToString([]byte(idempotencyKey))
	}
	_, err := s.DB.ExecContext(ctx, `
WITH k AS (DELETE FROM idempotency_keys WHERE unit = $1 AND key = $2 AND dossier_id = $3)
DELETE FROM projection_pending WHERE dossier_id = $3 AND token = $4`, cleanText(unit), idempotencyKey, cleanText(id), PendingStart)
	if err != nil {
		return fmt.Errorf("release submission %s: %w", id, err)
	}
	return nil
}
