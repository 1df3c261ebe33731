package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"tdkt/domain"
)

// Project writes one transition of a dossier: its view, the history entries
// the transition wrote and, for a vote, who voted (with any earlier voters
// whose projection failed). It is idempotent and
// monotonic: the row is replaced only by a newer version, an entry already
// written is left alone, so a retried or late projection changes nothing.
func (s *Store) Project(ctx context.Context, v domain.View, entries []domain.HistoryEntry, voters ...string) error {
	return s.project(ctx, v, entries, voters, "")
}

// ProjectPending is Project, clearing in the same transaction the mark the
// caller set before it sent the transition to Temporal (MarkPending).
func (s *Store) ProjectPending(ctx context.Context, token string, v domain.View, entries []domain.HistoryEntry, voters ...string) error {
	return s.project(ctx, v, entries, voters, token)
}

func (s *Store) project(ctx context.Context, v domain.View, entries []domain.HistoryEntry, voters []string, token string) error {
	// Allowed actions depend on the caller; the API computes them per read.
	v.AllowedActions = []domain.Action{}
	view, err := json.Marshal(v)
	if err == nil {
		view, err = cleanJSON(view)
	}
	if err != nil {
		return fmt.Errorf("project %s: encode view: %w", v.ID, err)
	}
	c := cleanText
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO dossiers (id, unit, award_code, authority, kind, procedure, campaign, stage, status,
  version, due_at, overdue, nominee_name, search, view, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
ON CONFLICT (id) DO UPDATE SET unit = EXCLUDED.unit, award_code = EXCLUDED.award_code,
  authority = EXCLUDED.authority, kind = EXCLUDED.kind, procedure = EXCLUDED.procedure,
  campaign = EXCLUDED.campaign, stage = EXCLUDED.stage, status = EXCLUDED.status,
  version = EXCLUDED.version, due_at = EXCLUDED.due_at, overdue = EXCLUDED.overdue,
  nominee_name = EXCLUDED.nominee_name, search = EXCLUDED.search, view = EXCLUDED.view,
  updated_at = EXCLUDED.updated_at
WHERE dossiers.version < EXCLUDED.version`,
			c(v.ID), c(v.Unit), c(v.AwardCode), c(string(v.Authority)), c(string(v.Kind)), c(string(v.Procedure)), c(v.Campaign),
			c(string(v.Stage)), c(string(v.Status)), v.Version, v.DueAt, v.Overdue, c(v.Nominee.Name),
			c(Fold(v.Nominee.Name+" "+v.Summary)), view, v.CreatedAt, v.UpdatedAt)
		if err != nil {
			return fmt.Errorf("project dossier %s v%d: %w", v.ID, v.Version, err)
		}
		for _, e := range entries {
			var details []byte
			if e.Details != nil {
				details, err = json.Marshal(e.Details)
				if err == nil {
					details, err = cleanJSON(details)
				}
				if err != nil {
					return fmt.Errorf("project %s: encode details of entry %d: %w", v.ID, e.Seq, err)
				}
			}
			_, err := tx.ExecContext(ctx, `
INSERT INTO dossier_history (dossier_id, seq, at, actor_id, actor_name, actor_role, action,
  from_stage, to_stage, comment, details)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (dossier_id, seq) DO NOTHING`,
				c(v.ID), e.Seq, e.At, c(e.ActorID), c(e.ActorName), c(string(e.ActorRole)), c(string(e.Action)),
				c(string(e.From)), c(string(e.To)), c(e.Comment), nullJSON(details))
			if err != nil {
				return fmt.Errorf("project %s: history entry %d: %w", v.ID, e.Seq, err)
			}
		}
		for _, voter := range voters {
			if voter == "" {
				continue
			}
			_, err := tx.ExecContext(ctx, `
INSERT INTO dossier_votes (dossier_id, member_id) VALUES ($1, $2)
ON CONFLICT (dossier_id, member_id) DO NOTHING`, c(v.ID), c(voter))
			if err != nil {
				return fmt.Errorf("project %s: vote: %w", v.ID, err)
			}
		}
		if err := recordGranted(ctx, tx, v); err != nil {
			return err
		}
		if err := s.projectReport(ctx, tx, v, entries); err != nil {
			return err
		}
		if token != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM projection_pending WHERE dossier_id = $1 AND token = $2`,
				c(v.ID), c(token)); err != nil {
				return fmt.Errorf("project %s: clear pending %s: %w", v.ID, token, err)
			}
		}
		return nil
	})
}

// nullJSON is SQL NULL for no document, else the JSON text.
func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// HasVoted reports whether a council member has voted on a dossier.
func (s *Store) HasVoted(ctx context.Context, dossierID, memberID string) (bool, error) {
	if !storable(dossierID, memberID) {
		return false, nil
	}
	var ok bool
	err := s.DB.GetContext(ctx, &ok,
		`SELECT EXISTS (SELECT 1 FROM dossier_votes WHERE dossier_id = $1 AND member_id = $2)`, dossierID, memberID)
	if err != nil {
		return false, fmt.Errorf("has %s voted on %s: %w", memberID, dossierID, err)
	}
	return ok, nil
}
