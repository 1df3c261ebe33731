package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// RestoreNumber records that dossierID was issued number n of a kind in a
// year, and makes the counter give later numbers only (tdkt reproject). An
// issued number is never changed.
func (s *Store) RestoreNumber(ctx context.Context, dossierID, kind string, year, n int) error {
	dossierID, kind = cleanText(dossierID), cleanText(kind)
	_, err := s.DB.ExecContext(ctx, `
WITH issued AS (
  INSERT INTO issued_numbers (dossier_id, kind, year, n) VALUES ($1, $2, $3, $4)
  ON CONFLICT DO NOTHING
)
INSERT INTO number_counters (kind, year, last) VALUES ($2, $3, $4)
ON CONFLICT (kind, year) DO UPDATE SET last = GREATEST(number_counters.last, EXCLUDED.last)`,
		dossierID, kind, year, n)
	if err != nil {
		return fmt.Errorf("restore %s number %d/%d for %s: %w", kind, n, year, dossierID, err)
	}
	return nil
}

// RestoreDossierID makes the yearly id counter give ids after id
// (HS-<year>-<NNNNNN>), so a new submission never reuses the id of a dossier
// Temporal already has. Ids of another shape are left alone.
func (s *Store) RestoreDossierID(ctx context.Context, id string) error {
	parts := strings.Split(id, "-")
	if len(parts) != 3 || parts[0] != "HS" {
		return nil
	}
	year, err1 := strconv.Atoi(parts[1])
	n, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return nil
	}
	if year < 2000 || year > 9999 {
		return nil
	}
	if err := s.ensureSequence(ctx, dossierSequence(year)); err != nil {
		return err
	}
	// setval(seq, n) makes the next nextval give n+1; never move it back.
	seq := dossierSequence(year)
	_, err := s.DB.ExecContext(ctx, `
SELECT setval($1::regclass, GREATEST($2, (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM `+seq+`)))`, seq, n)
	if err != nil {
		return fmt.Errorf("restore dossier id %s: %w", id, err)
	}
	return nil
}

// MissingDocuments counts the documents dossier id's view lists whose bytes
// the read model does not hold.
func (s *Store) MissingDocuments(ctx context.Context, id string) (int, error) {
	var n int
	err := s.DB.GetContext(ctx, &n, `
SELECT count(*) FROM dossiers d, jsonb_array_elements(COALESCE(d.view->'documents', '[]'::jsonb)) doc
WHERE d.id = $1 AND NOT EXISTS (SELECT 1 FROM documents x WHERE x.id::text = doc->>'id')`, cleanText(id))
	if err != nil {
		return 0, fmt.Errorf("count missing documents of %s: %w", id, err)
	}
	return n, nil
}
