package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"tdkt/domain"
)

// ErrDuplicate is a registry entry already recorded: the same nominee key,
// award, year and decision number.
var ErrDuplicate = errors.New("duplicate registry entry")

// registryRow is a row of award_registry.
type registryRow struct {
	ID             int64      `db:"id"`
	NomineeType    string     `db:"nominee_type"`
	NomineeKey     string     `db:"nominee_key"`
	Name           string     `db:"name"`
	BirthDate      *time.Time `db:"birth_date"`
	CitizenID      string     `db:"citizen_id"`
	Unit           string     `db:"unit"`
	AwardCode      string     `db:"award_code"`
	Year           int        `db:"year"`
	Period         string     `db:"period"`
	Kind           string     `db:"kind"`
	DecisionNumber string     `db:"decision_number"`
	DecisionDate   *time.Time `db:"decision_date"`
	Authority      string     `db:"authority"`
	Source         string     `db:"source"`
	DossierID      *string    `db:"dossier_id"`
	RecordedBy     string     `db:"recorded_by"`
	RecordedAt     time.Time  `db:"recorded_at"`
}

const registryCols = `id, nominee_type, nominee_key, name, birth_date, citizen_id, unit, award_code, year, period, kind,
  decision_number, decision_date, authority, source, dossier_id, recorded_by, recorded_at`

func (r registryRow) entry() domain.RegistryEntry {
	e := domain.RegistryEntry{ID: r.ID, NomineeType: domain.NomineeType(r.NomineeType), NomineeKey: r.NomineeKey, Name: r.Name,
		CitizenID: r.CitizenID, Unit: r.Unit, AwardCode: r.AwardCode, Year: r.Year, Period: r.Period, Kind: domain.Kind(r.Kind),
		DecisionNumber: r.DecisionNumber, Authority: domain.Authority(r.Authority), Source: domain.RegistrySource(r.Source),
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
	if a, ok := domain.RegistryAward(r.AwardCode); ok {
		e.AwardName = a.Name
	}
	if r.BirthDate != nil {
		e.BirthDate = r.BirthDate.Format(time.DateOnly)
	}
	if r.DecisionDate != nil {
		e.DecisionDate = r.DecisionDate.Format(time.DateOnly)
	}
	if r.DossierID != nil {
		e.DossierID = *r.DossierID
	}
	return e
}

// sqlDate is a YYYY-MM-DD date as a parameter: NULL when empty.
func sqlDate(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// recordGranted writes the registry entry of an awarded dossier, in the
// transaction that projects it into stage awarded (see project): the award
// is recorded exactly when the read model first shows it granted, never
// without it, and once: a repeated or later projection of the dossier, or
// a rebuild by tdkt reproject, meets the unique dossier_id and changes
// nothing. (An activity after the decision would be a second write to
// keep in step with the first, with its own retries and its own window.)
func recordGranted(ctx context.Context, tx *sqlx.Tx, v domain.View) error {
	e, ok := domain.GrantedEntry(v)
	if !ok {
		return nil
	}
	c := cleanText
	_, err := tx.ExecContext(ctx, `
INSERT INTO award_registry (nominee_type, nominee_key, name, search, birth_date, citizen_id, unit, award_code, year,
  period, kind, decision_number, decision_date, authority, source, dossier_id, recorded_by, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'engine', $15, '', $16)
ON CONFLICT DO NOTHING`,
		string(e.NomineeType), c(e.NomineeKey), c(e.Name), c(Fold(e.Name)), sqlDate(validDate(e.BirthDate)), c(e.CitizenID),
		c(e.Unit), c(e.AwardCode), e.Year, c(e.Period), string(e.Kind), c(e.DecisionNumber), sqlDate(validDate(e.DecisionDate)),
		string(e.Authority), c(e.DossierID), v.UpdatedAt)
	if err != nil {
		return fmt.Errorf("record award of %s in the registry: %w", v.ID, err)
	}
	return nil
}

// validDate is s when it is a YYYY-MM-DD date, else "".
func validDate(s string) string {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return ""
	}
	return s
}

// AddRegistryEntry records one entry (source manual or import); ErrDuplicate
// when the registry already has it.
func (s *Store) AddRegistryEntry(ctx context.Context, e domain.RegistryEntry) (domain.RegistryEntry, error) {
	var r registryRow
	c := cleanText
	err := s.DB.GetContext(ctx, &r, `
INSERT INTO award_registry (nominee_type, nominee_key, name, search, birth_date, citizen_id, unit, award_code, year, period,
  kind, decision_number, decision_date, authority, source, recorded_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
RETURNING `+registryCols,
		string(e.NomineeType), c(e.NomineeKey), c(e.Name), c(Fold(e.Name)), sqlDate(e.BirthDate), c(e.CitizenID), c(e.Unit),
		c(e.AwardCode), e.Year, c(e.Period), string(e.Kind), c(e.DecisionNumber), sqlDate(e.DecisionDate), string(e.Authority),
		string(e.Source), c(e.RecordedBy))
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" {
		return domain.RegistryEntry{}, ErrDuplicate
	}
	if err != nil {
		return domain.RegistryEntry{}, fmt.Errorf("add registry entry: %w", err)
	}
	return r.entry(), nil
}

// likeEscaper takes a LIKE pattern's wildcards as text.
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// RegistryFilter selects registry entries. Empty fields do not filter; Q
// is text in the name, insensitive to diacritics.
type RegistryFilter struct {
	Unit, Award, Q string
	// Nominee is a registry key (domain.PersonKey or CollectiveKey).
	Nominee string
	Year    int
	// Limit is the page size: 1–200, 50 when zero.
	Limit  int
	Cursor string
}

// ListRegistry lists entries newest year first, then newest recorded, a
// page at a time (keyset paging); nextCursor is "" on the last page.
func (s *Store) ListRegistry(ctx context.Context, f RegistryFilter) (items []domain.RegistryEntry, nextCursor string, err error) {
	limit := pageSize(f.Limit)
	items = []domain.RegistryEntry{}
	if !storable(f.Unit, f.Award, f.Q, f.Nominee) {
		return items, "", nil
	}
	var a sqlArgs
	var where []string
	if f.Unit != "" {
		where = append(where, "unit = "+a.arg(f.Unit))
	}
	if f.Award != "" {
		where = append(where, "award_code = "+a.arg(f.Award))
	}
	if f.Nominee != "" {
		where = append(where, "nominee_key = "+a.arg(f.Nominee))
	}
	if f.Year != 0 {
		where = append(where, "year = "+a.arg(f.Year))
	}
	if q := Fold(f.Q); q != "" {
		// LIKE, which the trigram index serves, with the query's own
		// wildcards escaped.
		esc := likeEscaper.Replace(q)
		where = append(where, "search LIKE "+a.arg("%"+esc+"%"))
	}
	if f.Cursor != "" {
		year, id, err := decodeRegistryCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(year, id) < ("+a.arg(year)+", "+a.arg(id)+")")
	}
	q := "SELECT " + registryCols + " FROM award_registry"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY year DESC, id DESC LIMIT " + a.arg(limit+1)
	var rows []registryRow
	if err := s.DB.SelectContext(ctx, &rows, q, a.args...); err != nil {
		return nil, "", fmt.Errorf("list registry: %w", err)
	}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		nextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(last.Year) + ":" + strconv.FormatInt(last.ID, 10)))
	}
	for _, r := range rows {
		items = append(items, r.entry())
	}
	return items, nextCursor, nil
}

func decodeRegistryCursor(c string) (int, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, ErrBadCursor
	}
	ys, ids, ok := strings.Cut(string(b), ":")
	if !ok {
		return 0, 0, ErrBadCursor
	}
	year, err1 := strconv.Atoi(ys)
	id, err2 := strconv.ParseInt(ids, 10, 64)
	if err1 != nil || err2 != nil || id < 0 {
		return 0, 0, ErrBadCursor
	}
	return year, id, nil
}

// ImportRegistry records entries (source import) all or nothing, in one
// transaction: COPY into a temporary table, a check against what the
// registry holds, one INSERT … SELECT. dups maps the index of each entry
// the registry already holds to that entry's id; when there is any,
// nothing is recorded. Entries must already be checked (app).
func (s *Store) ImportRegistry(ctx context.Context, entries []domain.RegistryEntry) (dups map[int]int64, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
CREATE TEMP TABLE registry_import (
  n int, nominee_type text, nominee_key text, name text, search text, birth_date date, citizen_id text, unit text,
  award_code text, year int, period text, kind text, decision_number text, decision_date date, authority text,
  recorded_by text
) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("import: staging table: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, pq.CopyIn("registry_import", "n", "nominee_type", "nominee_key", "name", "search",
			"birth_date", "citizen_id", "unit", "award_code", "year", "period", "kind", "decision_number", "decision_date",
			"authority", "recorded_by"))
		if err != nil {
			return fmt.Errorf("import: copy: %w", err)
		}
		c := cleanText
		for i, e := range entries {
			if _, err := stmt.ExecContext(ctx, i, string(e.NomineeType), c(e.NomineeKey), c(e.Name), c(Fold(e.Name)),
				sqlDate(e.BirthDate), c(e.CitizenID), c(e.Unit), c(e.AwardCode), e.Year, c(e.Period), string(e.Kind),
				c(e.DecisionNumber), sqlDate(e.DecisionDate), string(e.Authority), c(e.RecordedBy)); err != nil {
				stmt.Close()
				return fmt.Errorf("import: copy row %d: %w", i, err)
			}
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			stmt.Close()
			return fmt.Errorf("import: copy: %w", err)
		}
		if err := stmt.Close(); err != nil {
			return fmt.Errorf("import: copy: %w", err)
		}
		var found []struct {
			N  int   `db:"n"`
			ID int64 `db:"id"`
		}
		if err := tx.SelectContext(ctx, &found, `
SELECT i.n, r.id FROM registry_import i
JOIN award_registry r ON r.nominee_key = i.nominee_key AND r.award_code = i.award_code AND r.year = i.year
  AND r.decision_number = i.decision_number
ORDER BY i.n`); err != nil {
			return fmt.Errorf("import: duplicates: %w", err)
		}
		if len(found) > 0 {
			dups = map[int]int64{}
			for _, f := range found {
				dups[f.N] = f.ID
			}
			return errRollback
		}
		_, err = tx.ExecContext(ctx, `
INSERT INTO award_registry (nominee_type, nominee_key, name, search, birth_date, citizen_id, unit, award_code, year, period,
  kind, decision_number, decision_date, authority, source, recorded_by)
SELECT nominee_type, nominee_key, name, search, birth_date, citizen_id, unit, award_code, year, period,
  kind, decision_number, decision_date, authority, 'import', recorded_by
FROM registry_import ORDER BY n`)
		var pe *pq.Error
		if errors.As(err, &pe) && pe.Code == "23505" {
			// Another import recorded one of these meanwhile.
			return ErrDuplicate
		}
		if err != nil {
			return fmt.Errorf("import: insert: %w", err)
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return dups, nil
	}
	return nil, err
}

// errRollback ends a transaction without an error for the caller.
var errRollback = errors.New("rollback")
