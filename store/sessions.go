package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// SessionRow is a council session as the read model holds it.
type SessionRow struct {
	ID        string    `db:"id"`
	Title     string    `db:"title"`
	Date      time.Time `db:"date"`
	Status    string    `db:"status"`
	Version   int64     `db:"version"`
	CreatedAt time.Time `db:"created_at"`
	View      []byte    `db:"view"`
}

// ErrOnOpenSession is PutSession's answer when a dossier of the agenda is
// on another open session already.
var ErrOnOpenSession = errors.New("a dossier of the agenda is on another open session")

// NextSessionID gives a new session its id, PH-<year>-<NNNN>, from a
// sequence per year.
func (s *Store) NextSessionID(ctx context.Context, year int) (string, error) {
	n, err := s.yearlyNumber(ctx, "session", year)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("PH-%d-%04d", year, n), nil
}

// PutSession writes a session and its agenda (open while the session is
// not closed). It is idempotent and monotonic: a version older than the
// stored one changes nothing.
func (s *Store) PutSession(ctx context.Context, r SessionRow, dossiers []string) error {
	c := cleanText
	err := s.putWithMembers(ctx, "session "+r.ID, r.View, `
INSERT INTO council_sessions (id, title, date, status, version, created_at, view)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, status = EXCLUDED.status, version = EXCLUDED.version,
  view = EXCLUDED.view, updated_at = now()
WHERE council_sessions.version < EXCLUDED.version`,
		[]any{c(r.ID), c(r.Title), r.Date, c(r.Status), r.Version, r.CreatedAt},
		`DELETE FROM council_session_dossiers WHERE session_id = $1`, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `
INSERT INTO council_session_dossiers (session_id, dossier_id, open) SELECT $1, unnest($2::text[]), $3`,
				c(r.ID), pq.Array(dossiers), r.Status != "closed")
			return err
		})
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" {
		return ErrOnOpenSession
	}
	return err
}

// GetSession reads one session; ErrNotFound if there is none.
func (s *Store) GetSession(ctx context.Context, id string) (SessionRow, error) {
	var r SessionRow
	err := s.DB.GetContext(ctx, &r, `SELECT id, title, date, status, version, created_at, view::text AS view FROM council_sessions WHERE id = $1`, cleanText(id))
	if errors.Is(err, sql.ErrNoRows) {
		return SessionRow{}, ErrNotFound
	}
	if err != nil {
		return SessionRow{}, fmt.Errorf("read session %s: %w", id, err)
	}
	return r, nil
}

// ListSessions lists sessions, newest first, at most limit; status, when
// set, keeps only those.
func (s *Store) ListSessions(ctx context.Context, status string, limit int) ([]SessionRow, error) {
	var out []SessionRow
	err := s.DB.SelectContext(ctx, &out, `
SELECT id, title, date, status, version, created_at, view::text AS view FROM council_sessions
WHERE $1 = '' OR status = $1
ORDER BY created_at DESC, id DESC LIMIT $2`, cleanText(status), limit)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// OpenSessionsOf says which open session (other than except) has each of
// the dossiers on its agenda, for those one has.
func (s *Store) OpenSessionsOf(ctx context.Context, dossiers []string, except string) (map[string]string, error) {
	var rows []struct {
		Dossier string `db:"dossier_id"`
		Session string `db:"session_id"`
	}
	err := s.DB.SelectContext(ctx, &rows, `
SELECT dossier_id, session_id FROM council_session_dossiers
WHERE open AND dossier_id = ANY($1::text[]) AND session_id <> $2`, pq.Array(dossiers), cleanText(except))
	if err != nil {
		return nil, fmt.Errorf("open sessions of dossiers: %w", err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Dossier] = r.Session
	}
	return out, nil
}
