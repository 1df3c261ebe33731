package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"tdkt/domain"
)

// Eligibility's reads and writes (app/eligibility.go): a nominee's registry
// rows, the other dossiers proposing them, discipline-review holds.

// holdRow is a standing row of holds.
type holdRow struct {
	PersonKey string    `db:"person_key"`
	Reason    string    `db:"reason"`
	SetBy     string    `db:"set_by"`
	SetByName string    `db:"set_by_name"`
	SetAt     time.Time `db:"set_at"`
}

func (h holdRow) hold() domain.Hold {
	return domain.Hold{PersonKey: h.PersonKey, Reason: h.Reason, SetBy: h.SetBy, SetByName: h.SetByName, SetAt: h.SetAt.UTC()}
}

const holdCols = `person_key, reason, set_by, set_by_name, set_at`

// SetHold sets a hold on h.PersonKey, or gives the one standing h's reason;
// it answers the hold as it stands.
func (s *Store) SetHold(ctx context.Context, h domain.Hold) (domain.Hold, error) {
	var r holdRow
	c := cleanText
	err := s.DB.GetContext(ctx, &r, `
INSERT INTO holds (person_key, reason, set_by, set_by_name) VALUES ($1, $2, $3, $4)
ON CONFLICT (person_key) WHERE lifted_at IS NULL
DO UPDATE SET reason = EXCLUDED.reason, set_by = EXCLUDED.set_by, set_by_name = EXCLUDED.set_by_name, set_at = now()
RETURNING `+holdCols, c(h.PersonKey), c(h.Reason), c(h.SetBy), c(h.SetByName))
	if err != nil {
		return domain.Hold{}, fmt.Errorf("set hold: %w", err)
	}
	return r.hold(), nil
}

// LiftHold lifts the hold standing on key; ErrNotFound when none stands.
func (s *Store) LiftHold(ctx context.Context, key, by, reason string) error {
	res, err := s.DB.ExecContext(ctx, `
UPDATE holds SET lifted_by = $2, lifted_at = now(), lift_reason = $3 WHERE person_key = $1 AND lifted_at IS NULL`,
		cleanText(key), cleanText(by), cleanText(reason))
	if err != nil {
		return fmt.Errorf("lift hold: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Holds lists the holds standing, newest first.
func (s *Store) Holds(ctx context.Context) ([]domain.Hold, error) {
	var rows []holdRow
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+holdCols+` FROM holds WHERE lifted_at IS NULL ORDER BY set_at DESC, id DESC`); err != nil {
		return nil, fmt.Errorf("list holds: %w", err)
	}
	out := make([]domain.Hold, len(rows))
	for i, r := range rows {
		out[i] = r.hold()
	}
	return out, nil
}

// HoldOn is the hold standing on any of keys (the earliest set), or nil.
func (s *Store) HoldOn(ctx context.Context, keys []string) (*domain.Hold, error) {
	holds, err := s.HoldsOn(ctx, keys)
	if err != nil {
		return nil, err
	}
	return EarliestHold(holds, keys), nil
}

// HoldsOn is every hold standing on one of keys, by person key: one query
// for a whole page of dossiers.
func (s *Store) HoldsOn(ctx context.Context, keys []string) (map[string]domain.Hold, error) {
	out := map[string]domain.Hold{}
	if len(keys) == 0 {
		return out, nil
	}
	var rows []holdRow
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+holdCols+` FROM holds WHERE person_key = ANY($1) AND lifted_at IS NULL`,
		pq.Array(cleanAll(keys))); err != nil {
		return nil, fmt.Errorf("read holds: %w", err)
	}
	for _, r := range rows {
		out[r.PersonKey] = r.hold()
	}
	return out, nil
}

// EarliestHold is the earliest set of the holds standing on keys, or nil.
func EarliestHold(holds map[string]domain.Hold, keys []string) *domain.Hold {
	var first *domain.Hold
	for _, k := range keys {
		if h, ok := holds[cleanText(k)]; ok && (first == nil || h.SetAt.Before(first.SetAt)) {
			first = &h
		}
	}
	return first
}

func cleanAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = cleanText(x)
	}
	return out
}

// NomineeRegistry is every registry row of the nominee keys, oldest year
// first: a nominee's award history.
func (s *Store) NomineeRegistry(ctx context.Context, keys []string) ([]domain.RegistryEntry, error) {
	var rows []registryRow
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+registryCols+` FROM award_registry WHERE nominee_key = ANY($1)
ORDER BY year, id`, pq.Array(cleanAll(keys))); err != nil {
		return nil, fmt.Errorf("nominee registry: %w", err)
	}
	out := make([]domain.RegistryEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// ProposalsOf are the dossiers for award whose nominee's name folds to
// name's fold, running or awarded, oldest first: the candidates for a
// duplicate proposal, which the caller narrows to the nominee's key (the
// read model keeps no key; the folded name is where the search column
// starts, which its trigram index serves).
func (s *Store) ProposalsOf(ctx context.Context, award, name string) ([]domain.View, error) {
	folded := Fold(name)
	if folded == "" || !storable(award, name) {
		return nil, nil
	}
	esc := likeEscaper.Replace(folded)
	var raws [][]byte
	if err := s.DB.SelectContext(ctx, &raws, `SELECT view FROM dossiers
WHERE award_code = $1 AND status IN ('active', 'awarded') AND search LIKE $2 ORDER BY created_at, id`,
		award, esc+"%"); err != nil {
		return nil, fmt.Errorf("proposals of a nominee: %w", err)
	}
	out := make([]domain.View, 0, len(raws))
	for _, raw := range raws {
		v, err := decodeView(raw)
		if err != nil {
			return nil, err
		}
		if Fold(v.Nominee.Name) == folded {
			out = append(out, v)
		}
	}
	return out, nil
}
