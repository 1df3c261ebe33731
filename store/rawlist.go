package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"tdkt/domain"
)

// Stored is one dossier of a list or an inbox as the read model holds it:
// its view as stored JSON, not decoded, and the few facts the caller's
// allowed actions are worked out from (domain.View.AllowedFor). Decoding
// every view of a page and encoding it again was most of what a list cost.
type Stored struct {
	// JSON is the stored view (allowed_actions left empty), as PostgreSQL
	// writes jsonb out (kept as text beside it). It is valid only until the
	// callback returns.
	JSON []byte
	// Facts is the view with only what AllowedFor reads: id, unit, award,
	// authority, procedure, stage, status, version, returned_from, votes and
	// missing_documents. Nothing else is set.
	Facts domain.View
	// Voted says whether the voter the query named has voted on the dossier
	// (false when it named none).
	Voted bool
	// Session is the open council session whose agenda holds the dossier,
	// while it is in council ("" when none).
	Session string
}

// storedCols are the columns a Stored is read from, in the order
// eachStored scans them; voted is the SQL of the Voted column. The view is
// its text, kept beside the jsonb (migration 0004); the facts not kept in
// columns of their own are taken out of the jsonb by PostgreSQL, which is
// cheap.
func storedCols(voted, table string) string {
	return `id, created_at, COALESCE(view_text, view::text), unit, award_code, authority, procedure, stage, status, version,
  view->>'returned_from', view->'votes', view->'missing_documents', ` + voted + `,
  CASE WHEN ` + table + `.stage = 'council' THEN (SELECT s.session_id FROM council_session_dossiers s
    WHERE s.open AND s.dossier_id = ` + table + `.id) END`
}

// votedSQL is the SQL of the Voted column for a table aliased d: whether
// voter (already a placeholder) has voted, false when there is none.
func votedSQL(a *sqlArgs, voter string, table string) string {
	if voter == "" || !storable(voter) {
		return "false"
	}
	return "EXISTS (SELECT 1 FROM dossier_votes v WHERE v.dossier_id = " + table + ".id AND v.member_id = " + a.arg(voter) + ")"
}

// ListStored is ListDossiers without decoding: it calls fn for each
// dossier of the page, in order, and returns the next page's cursor ("" on
// the last page). voter, when not "", is a council member: Stored.Voted
// says whether it has voted on each dossier. An error of fn stops the list
// and is returned as it is.
func (s *Store) ListStored(ctx context.Context, f ListFilter, voter string, fn func(*Stored) error) (nextCursor string, err error) {
	q, args, limit, err := s.listSQL(ctx, f, func(a *sqlArgs) string { return storedCols(votedSQL(a, voter, "dossiers"), "dossiers") })
	if err != nil || q == "" {
		return "", err
	}
	var (
		n        int
		lastAt   time.Time
		lastID   string
		stored   Stored
		interned = map[string]string{}
	)
	err = s.eachStored(ctx, q, args, &stored, interned, func(at time.Time) error {
		if n++; n > limit {
			nextCursor = encodeCursor(lastAt, lastID)
			return nil
		}
		lastAt, lastID = at, stored.Facts.ID
		return fn(&stored)
	})
	if err != nil {
		return "", fmt.Errorf("list dossiers: %w", err)
	}
	return nextCursor, nil
}

// InboxStored is Inbox without decoding: it calls fn for each dossier
// waiting on a, in order. Stored.Voted says whether a, when a council
// member, has voted on it (a member who is also the secretary finds there
// council dossiers it voted on). An error of fn stops the inbox and is
// returned.
func (s *Store) InboxStored(ctx context.Context, a domain.Actor, limit int, fn func(*Stored) error) error {
	q, args := inboxSQL(a, limit, `d.id, d.due_at, d.created_at, d.view, d.view_text, d.unit, d.award_code, d.authority,
  d.procedure, d.stage, d.status, d.version`, func(sa *sqlArgs, votedShown bool) string {
		voter := "" // a council member's inbox holds no dossier it has voted on
		if votedShown {
			voter = cleanText(a.ID)
		}
		return storedCols(votedSQL(sa, voter, "x"), "x")
	})
	if q == "" {
		return nil
	}
	var stored Stored
	err := s.eachStored(ctx, q, args, &stored, map[string]string{}, func(time.Time) error { return fn(&stored) })
	if err != nil {
		return fmt.Errorf("inbox of %s: %w", a.ID, err)
	}
	return nil
}

// eachStored runs q, whose columns are storedCols, and calls fn for each row
// after scanning it into st (with its created_at). Codes that repeat from row
// to row (unit, stage, award...) are interned, so a page does not allocate
// them again for every row.
func (s *Store) eachStored(ctx context.Context, q string, args []any, st *Stored, interned map[string]string, fn func(createdAt time.Time) error) error {
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	intern := func(b sql.RawBytes) string {
		if s, ok := interned[string(b)]; ok {
			return s
		}
		s := string(b)
		interned[s] = s
		return s
	}
	var (
		id, view, unit, award, authority, procedure, stage, status sql.RawBytes
		returnedFrom, votes, missing, session                      sql.RawBytes
		createdAt                                                  time.Time
		returned                                                   domain.Stage
	)
	for rows.Next() {
		if err := rows.Scan(&id, &createdAt, &view, &unit, &award, &authority, &procedure, &stage, &status,
			&st.Facts.Version, &returnedFrom, &votes, &missing, &st.Voted, &session); err != nil {
			return err
		}
		st.Session = string(session)
		f := &st.Facts
		f.ID, f.Unit, f.AwardCode = string(id), intern(unit), intern(award)
		f.Authority, f.Procedure = domain.Authority(intern(authority)), domain.Procedure(intern(procedure))
		f.Stage, f.Status = domain.Stage(intern(stage)), domain.Status(intern(status))
		f.ReturnedFrom = nil
		if returnedFrom != nil {
			returned = domain.Stage(intern(returnedFrom))
			f.ReturnedFrom = &returned
		}
		f.Votes = nil
		if len(votes) > 0 && string(votes) != "null" {
			f.Votes = new(domain.VotesView)
			if err := json.Unmarshal(votes, f.Votes); err != nil {
				return fmt.Errorf("%s: decode votes: %w", f.ID, err)
			}
		}
		f.MissingDocuments = []domain.DocumentKind{}
		if len(missing) > 0 && string(missing) != "[]" && string(missing) != "null" {
			if err := json.Unmarshal(missing, &f.MissingDocuments); err != nil {
				return fmt.Errorf("%s: decode missing documents: %w", f.ID, err)
			}
		}
		st.JSON = view
		if err := fn(createdAt); err != nil {
			return err
		}
	}
	return rows.Err()
}
