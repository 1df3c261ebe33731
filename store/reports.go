package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"tdkt/domain"
)

// Reports read three tables the projection keeps up to date in the same
// transaction as a dossier's row (migration 0008): report_dossiers (one
// narrow row per dossier), report_spells (each completed stay in a stage,
// in working days) and report_stage_days (their histogram). See the
// migration for why: a yearly summary never reads the wide dossiers table
// nor the history.

// defaultCalendar is the calendar stays are measured with when the store
// was given none (SetCalendar).
var defaultCalendar = domain.DefaultCalendar()

// SetCalendar sets the working-day calendar the projection measures stays
// in stages with: the one due dates are computed with (TDKT_HOLIDAYS_FILE).
// Call it before the store is used.
func (s *Store) SetCalendar(c domain.Calendar) { s.calendar = &c }

func (s *Store) workingDays() domain.Calendar {
	if s.calendar != nil {
		return *s.calendar
	}
	return defaultCalendar
}

// reportYear is the year a dossier counts in: the year it was submitted,
// in Vietnam.
func reportYear(v domain.View) int { return v.CreatedAt.In(domain.Local).Year() }

// projectReport writes what reports need of one projection of dossier v:
// its counts row, and each stay in a stage that one of entries ended. Two
// statements at most (one without a move), so that the write path pays
// little: the row and the starts of the stays ended, then the stays and
// their histogram.
func (s *Store) projectReport(ctx context.Context, tx *sqlx.Tx, v domain.View, entries []domain.HistoryEntry) error {
	c := cleanText
	returned := v.ReturnedFrom != nil
	var seqs []int64
	var froms []string
	var ats []time.Time
	for _, e := range entries {
		returned = returned || e.Action == domain.ActReturn
		if e.From != "" && e.From != e.To { // it moved the dossier on
			seqs, froms, ats = append(seqs, e.Seq), append(froms, c(string(e.From))), append(ats, e.At)
		}
	}
	year := reportYear(v)
	// A late (older) projection does not turn the stage back; returned
	// only ever becomes true. The stay each move ended began with the
	// latest entry that moved the dossier into that stage, written before
	// it (in this transaction or an earlier one); none when its start is
	// not in the read model.
	var starts []struct {
		Seq     int64      `db:"seq"`
		Entered *time.Time `db:"entered"`
	}
	err := tx.SelectContext(ctx, &starts, `
WITH row AS (
  INSERT INTO report_dossiers (dossier_id, year, campaign, unit, award_code, stage, overdue, returned, version)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (dossier_id) DO UPDATE SET
    stage = CASE WHEN EXCLUDED.version > report_dossiers.version THEN EXCLUDED.stage ELSE report_dossiers.stage END,
    overdue = CASE WHEN EXCLUDED.version > report_dossiers.version THEN EXCLUDED.overdue ELSE report_dossiers.overdue END,
    version = GREATEST(report_dossiers.version, EXCLUDED.version),
    returned = report_dossiers.returned OR EXCLUDED.returned
)
SELECT m.seq, (SELECT h.at FROM dossier_history h
  WHERE h.dossier_id = $1 AND h.seq < m.seq AND h.to_stage = m.from_stage AND h.from_stage <> h.to_stage
  ORDER BY h.seq DESC LIMIT 1) AS entered
FROM unnest($10::bigint[], $11::text[]) AS m(seq, from_stage)`,
		c(v.ID), year, c(v.Campaign), c(v.Unit), c(v.AwardCode), c(string(v.Stage)), v.Overdue, returned, v.Version,
		pq.Array(seqs), pq.Array(froms))
	if err != nil {
		return fmt.Errorf("project %s: report row: %w", v.ID, err)
	}
	cal := s.workingDays()
	var sSeqs, sDays []int64
	var sStages []string
	at := make(map[int64]int, len(seqs))
	for i, q := range seqs {
		at[q] = i
	}
	for _, st := range starts {
		i, ok := at[st.Seq]
		if st.Entered == nil || !ok {
			continue
		}
		sSeqs = append(sSeqs, st.Seq)
		sStages = append(sStages, froms[i])
		sDays = append(sDays, int64(cal.WorkingDaysBetween(*st.Entered, ats[i])))
	}
	if len(sSeqs) == 0 {
		return nil
	}
	// Each stay once (keyed by the entry that ended it), and only a stay
	// written now goes into the histogram.
	_, err = tx.ExecContext(ctx, `
WITH new AS (
  INSERT INTO report_spells (dossier_id, seq, stage, working_days)
  SELECT $1, m.seq, m.stage, m.days FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS m(seq, stage, days)
  ON CONFLICT (dossier_id, seq) DO NOTHING
  RETURNING stage, working_days
)
INSERT INTO report_stage_days (year, campaign, unit, award_code, stage, working_days, n)
SELECT $5, $6, $7, $8, stage, working_days, count(*) FROM new GROUP BY stage, working_days
ON CONFLICT (year, campaign, unit, award_code, stage, working_days) DO UPDATE SET n = report_stage_days.n + EXCLUDED.n`,
		c(v.ID), pq.Array(sSeqs), pq.Array(sStages), pq.Array(sDays), year, c(v.Campaign), c(v.Unit), c(v.AwardCode))
	if err != nil {
		return fmt.Errorf("project %s: stays in stages: %w", v.ID, err)
	}
	return nil
}

// ReportFilter is a summary's query: a year, and optionally one campaign,
// unit or award.
type ReportFilter struct {
	Year                  int
	Campaign, Unit, Award string
}

// ReportCounts are the counts of one group of dossiers.
type ReportCounts struct {
	Campaign  string `db:"campaign" json:"campaign"`
	Unit      string `db:"unit" json:"unit"`
	AwardCode string `db:"award_code" json:"award_code"`
	Submitted int64  `db:"submitted" json:"submitted"`
	Active    int64  `db:"active" json:"active"`
	Awarded   int64  `db:"awarded" json:"awarded"`
	Rejected  int64  `db:"rejected" json:"rejected"`
	Returned  int64  `db:"returned" json:"returned"`
	Withdrawn int64  `db:"withdrawn" json:"withdrawn"`
	Cancelled int64  `db:"cancelled" json:"cancelled"`
	Overdue   int64  `db:"overdue" json:"overdue"`
	// InStage counts the group's dossiers in each of the stages asked for,
	// in their order.
	InStage pq.Int64Array `db:"in_stage" json:"-"`
}

// StageDays is how many stays in a stage took a number of working days.
type StageDays struct {
	Stage       string `db:"stage"`
	WorkingDays int    `db:"working_days"`
	N           int64  `db:"n"`
}

// ReportGroups counts a year's dossiers per campaign, unit and award, and
// how many of each group are in each of stages now: one pass over the
// year's slice of report_dossiers.
func (s *Store) ReportGroups(ctx context.Context, f ReportFilter, stages []domain.Stage) ([]ReportCounts, error) {
	in := make([]string, len(stages))
	for i, st := range stages {
		// Stage codes from the domain's list, never from a request.
		in[i] = "count(*) FILTER (WHERE stage = " + pq.QuoteLiteral(string(st)) + ")"
	}
	inStage := "ARRAY[]::bigint[]"
	if len(in) > 0 {
		inStage = "ARRAY[" + strings.Join(in, ", ") + "]"
	}
	var out []ReportCounts
	err := s.DB.SelectContext(ctx, &out, `
SELECT campaign, unit, award_code, count(*) AS submitted,
  count(*) FILTER (WHERE stage NOT IN ('awarded', 'rejected', 'withdrawn', 'cancelled')) AS active,
  count(*) FILTER (WHERE stage = 'awarded') AS awarded,
  count(*) FILTER (WHERE stage = 'rejected') AS rejected,
  count(*) FILTER (WHERE returned) AS returned,
  count(*) FILTER (WHERE stage = 'withdrawn') AS withdrawn,
  count(*) FILTER (WHERE stage = 'cancelled') AS cancelled,
  count(*) FILTER (WHERE overdue AND stage NOT IN ('awarded', 'rejected', 'withdrawn', 'cancelled')) AS overdue,
  `+inStage+` AS in_stage
FROM report_dossiers
WHERE year = $1 AND ($2 = '' OR campaign = $2) AND ($3 = '' OR unit = $3) AND ($4 = '' OR award_code = $4)
GROUP BY campaign, unit, award_code
ORDER BY campaign, unit, award_code`, f.Year, cleanText(f.Campaign), cleanText(f.Unit), cleanText(f.Award))
	if err != nil {
		return nil, fmt.Errorf("report counts: %w", err)
	}
	return out, nil
}

// ReportStageDays sums the histogram of working days per stage over a
// year's dossiers (those of the filter).
func (s *Store) ReportStageDays(ctx context.Context, f ReportFilter) ([]StageDays, error) {
	var out []StageDays
	err := s.DB.SelectContext(ctx, &out, `
SELECT stage, working_days, sum(n)::bigint AS n FROM report_stage_days
WHERE year = $1 AND ($2 = '' OR campaign = $2) AND ($3 = '' OR unit = $3) AND ($4 = '' OR award_code = $4)
GROUP BY stage, working_days`,
		f.Year, cleanText(f.Campaign), cleanText(f.Unit), cleanText(f.Award))
	if err != nil {
		return nil, fmt.Errorf("report stage days: %w", err)
	}
	return out, nil
}

// CampaignStages counts the dossiers of each of the campaigns per stage
// they are in now (the plan's timeline).
func (s *Store) CampaignStages(ctx context.Context, codes []string) (map[string]map[string]int64, error) {
	var rows []struct {
		Campaign string `db:"campaign"`
		Stage    string `db:"stage"`
		N        int64  `db:"n"`
	}
	clean := make([]string, len(codes))
	for i, c := range codes {
		clean[i] = cleanText(c)
	}
	err := s.DB.SelectContext(ctx, &rows, `
SELECT campaign, stage, count(*) AS n FROM report_dossiers WHERE campaign = ANY($1::text[]) GROUP BY campaign, stage`,
		pq.Array(clean))
	if err != nil {
		return nil, fmt.Errorf("campaign stages: %w", err)
	}
	out := map[string]map[string]int64{}
	for _, r := range rows {
		if out[r.Campaign] == nil {
			out[r.Campaign] = map[string]int64{}
		}
		out[r.Campaign][r.Stage] = r.N
	}
	return out, nil
}
