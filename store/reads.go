package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tdkt/domain"
)

// GetDossier reads one dossier's view; ErrNotFound if there is none.
func (s *Store) GetDossier(ctx context.Context, id string) (domain.View, error) {
	if !storable(id) {
		return domain.View{}, ErrNotFound
	}
	var raw []byte
	err := s.DB.GetContext(ctx, &raw, `SELECT view FROM dossiers WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.View{}, ErrNotFound
	}
	if err != nil {
		return domain.View{}, fmt.Errorf("read dossier %s: %w", id, err)
	}
	return decodeView(raw)
}

func decodeView(raw []byte) (domain.View, error) {
	var v domain.View
	if err := json.Unmarshal(raw, &v); err != nil {
		return domain.View{}, fmt.Errorf("decode dossier view: %w", err)
	}
	if v.AllowedActions == nil {
		v.AllowedActions = []domain.Action{}
	}
	return v, nil
}

type historyRow struct {
	Seq       int64     `db:"seq"`
	At        time.Time `db:"at"`
	ActorID   string    `db:"actor_id"`
	ActorName string    `db:"actor_name"`
	ActorRole string    `db:"actor_role"`
	Action    string    `db:"action"`
	From      string    `db:"from_stage"`
	To        string    `db:"to_stage"`
	Comment   string    `db:"comment"`
	Details   []byte    `db:"details"`
}

// History is a dossier's history, oldest first. A dossier without entries
// (or no dossier at all) gives an empty list; the caller checks existence.
func (s *Store) History(ctx context.Context, id string) ([]domain.HistoryEntry, error) {
	if !storable(id) {
		return []domain.HistoryEntry{}, nil
	}
	var rows []historyRow
	err := s.DB.SelectContext(ctx, &rows, `
SELECT seq, at, actor_id, actor_name, actor_role, action, from_stage, to_stage, comment, details
FROM dossier_history WHERE dossier_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", id, err)
	}
	out := make([]domain.HistoryEntry, 0, len(rows))
	for _, r := range rows {
		e := domain.HistoryEntry{Seq: r.Seq, At: r.At.UTC(), ActorID: r.ActorID, ActorName: r.ActorName,
			ActorRole: domain.Role(r.ActorRole), Action: domain.Action(r.Action), From: domain.Stage(r.From),
			To: domain.Stage(r.To), Comment: r.Comment}
		if r.Details != nil {
			e.Details = &domain.Details{}
			if err := json.Unmarshal(r.Details, e.Details); err != nil {
				return nil, fmt.Errorf("decode history %s/%d: %w", id, r.Seq, err)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// ListFilter selects dossiers for a list. Empty fields do not filter; Q is
// text in the nominee's name or the summary, insensitive to diacritics.
type ListFilter struct {
	Stage, Status, Unit, Award, Campaign, Q string
	// Overdue keeps only overdue dossiers, NotOverdue only the others
	// (overdue=true, overdue=false).
	Overdue, NotOverdue bool
	// Limit is the page size: 1–200, 50 when zero.
	Limit int
	// Cursor is the next_cursor of the previous page.
	Cursor string
}

const (
	defaultLimit = 50
	maxLimit     = 200
)

func pageSize(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}

// ListDossiers lists dossiers newest first, a page at a time. nextCursor is
// "" on the last page.
func (s *Store) ListDossiers(ctx context.Context, f ListFilter) (items []domain.View, nextCursor string, err error) {
	q, args, limit, err := s.listSQL(ctx, f, func(*sqlArgs) string { return "id, created_at, view" })
	if err != nil || q == "" {
		return []domain.View{}, "", err
	}
	var rows []struct {
		ID        string    `db:"id"`
		CreatedAt time.Time `db:"created_at"`
		View      []byte    `db:"view"`
	}
	if err := s.DB.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, "", fmt.Errorf("list dossiers: %w", err)
	}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		nextCursor = encodeCursor(last.CreatedAt, last.ID)
	}
	items = make([]domain.View, 0, len(rows))
	for _, r := range rows {
		v, err := decodeView(r.View)
		if err != nil {
			return nil, "", fmt.Errorf("list dossiers: %s: %w", r.ID, err)
		}
		items = append(items, v)
	}
	return items, nextCursor, nil
}

// sqlArgs collects a statement's bind parameters.
type sqlArgs struct{ args []any }

// arg adds a bind parameter and returns its placeholder.
func (a *sqlArgs) arg(v any) string {
	a.args = append(a.args, v)
	return "$" + strconv.Itoa(len(a.args))
}

// listSQL is the list's statement for f: the columns cols gives, the rows f
// selects, newest first, one more than the page (limit) to tell whether
// another page follows. q is "" when nothing stored can match; err is
// ErrBadCursor for a cursor this store did not hand out. A text search
// (see planSearch) first picks the page's ids, from an index alone where it
// can, then reads their rows.
func (s *Store) listSQL(ctx context.Context, f ListFilter, cols func(*sqlArgs) string) (q string, args []any, limit int, err error) {
	limit = pageSize(f.Limit)
	var cursorAt time.Time
	var cursorID string
	if f.Cursor != "" {
		if cursorAt, cursorID, err = decodeCursor(f.Cursor); err != nil {
			return "", nil, 0, err
		}
	}
	if !storable(f.Stage, f.Status, f.Unit, f.Award, f.Campaign) {
		// Nothing stored has such a value; an empty last page.
		return "", nil, limit, nil
	}
	var a sqlArgs
	selected := cols(&a)
	var where []string
	if f.Stage != "" {
		where = append(where, "stage = "+a.arg(f.Stage))
	}
	if f.Status != "" {
		where = append(where, "status = "+a.arg(f.Status))
	}
	if f.Unit != "" {
		where = append(where, "unit = "+a.arg(f.Unit))
	}
	if f.Award != "" {
		where = append(where, "award_code = "+a.arg(f.Award))
	}
	if f.Campaign != "" {
		where = append(where, "campaign = "+a.arg(f.Campaign))
	}
	if f.Overdue {
		where = append(where, "overdue")
	}
	if f.NotOverdue {
		where = append(where, "NOT overdue")
	}
	text := Fold(f.Q)
	if text != "" {
		for _, t := range s.planSearch(ctx, text, limit).trigrams {
			// The expression of dossiers_search_joined_idx, to the letter.
			where = append(where, "translate(search, ' ', '"+searchJoin+"') LIKE "+a.arg("%"+t+"%"))
		}
		// The text as it is, anywhere in search (no LIKE pattern to escape).
		where = append(where, "strpos(search, "+a.arg(text)+") > 0")
	}
	if f.Cursor != "" {
		where = append(where, "(created_at, id) < ("+a.arg(cursorAt)+", "+a.arg(cursorID)+")")
	}
	page := ""
	if len(where) > 0 {
		page = " WHERE " + strings.Join(where, " AND ")
	}
	page += " ORDER BY created_at DESC, id DESC LIMIT " + a.arg(limit+1)
	if text == "" {
		return "SELECT " + selected + " FROM dossiers" + page, a.args, limit, nil
	}
	q = "SELECT " + selected + " FROM (SELECT id AS page_id FROM dossiers" + page + ") page" +
		" JOIN dossiers ON dossiers.id = page.page_id ORDER BY created_at DESC, id DESC"
	return q, a.args, limit, nil
}

// A cursor is the (created_at, id) of the last row of a page, in
// microseconds since the epoch (PostgreSQL's precision), opaque to clients.
func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + ":" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	micros, id, ok := strings.Cut(string(b), ":")
	if !ok || id == "" || !storable(id) {
		return time.Time{}, "", ErrBadCursor
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil || us < 0 {
		return time.Time{}, "", ErrBadCursor
	}
	return time.UnixMicro(us).UTC(), id, nil
}

// Inbox lists the dossiers waiting on the actor, due date first (none last),
// then oldest first. For each of the actor's roles it takes the stages that
// wait on the role (domain.StagesWaitingOn): a unit sees only its own
// dossiers, a council member only those whose open vote it has not voted in,
// other roles every dossier in those stages.
func (s *Store) Inbox(ctx context.Context, a domain.Actor, limit int) ([]domain.View, error) {
	q, args := inboxSQL(a, limit, "d.id, d.due_at, d.created_at, d.view", func(*sqlArgs, bool) string { return "id, view" })
	if q == "" {
		return []domain.View{}, nil
	}
	var rows []struct {
		ID   string `db:"id"`
		View []byte `db:"view"`
	}
	if err := s.DB.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("inbox of %s: %w", a.ID, err)
	}
	out := make([]domain.View, 0, len(rows))
	for _, r := range rows {
		v, err := decodeView(r.View)
		if err != nil {
			return nil, fmt.Errorf("inbox: %s: %w", r.ID, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// inboxSQL is the inbox's statement for a (see Inbox): inner are the
// columns of table dossiers d each stage's scan takes, which must include
// d.due_at, d.created_at and d.id; outer those the statement gives, from the
// merged rows, told whether a may find there dossiers it has voted on (a
// council member who also holds a role that sees every council dossier).
// q is "" when nothing waits on a.
func inboxSQL(a domain.Actor, limit int, inner string, outer func(sa *sqlArgs, votedShown bool) string) (q string, args []any) {
	limit = pageSize(limit)
	a.ID, a.Unit = cleanText(a.ID), cleanText(a.Unit)
	// Per stage, who of the stage's dossiers wait on the actor.
	type scope struct {
		all     bool // every dossier of the stage
		unit    bool // the actor's unit's dossiers
		notVote bool // council dossiers the actor has not voted on
	}
	var stages []domain.Stage
	scopes := map[domain.Stage]*scope{}
	for _, r := range a.Roles {
		for _, st := range domain.StagesWaitingOn(r) {
			sc := scopes[st]
			if sc == nil {
				sc = &scope{}
				scopes[st] = sc
				stages = append(stages, st)
			}
			switch r {
			case domain.RoleUnit:
				sc.unit = sc.unit || a.Unit != ""
			case domain.RoleCouncil:
				sc.notVote = true
			default:
				sc.all = true
			}
		}
	}
	votedShown := false
	for _, sc := range scopes {
		votedShown = votedShown || (sc.notVote && sc.all)
	}
	var sa sqlArgs
	cols := outer(&sa, votedShown)
	// One ordered, limited index scan per stage, merged: the stages are
	// disjoint, so no dossier appears twice.
	lim := sa.arg(limit)
	var parts []string
	for _, st := range stages {
		sc := scopes[st]
		w := "d.stage = " + sa.arg(string(st))
		if st == domain.Council {
			// A dossier on an open session's agenda waits on the session
			// (one ballot for the agenda), not on anyone's single vote.
			w += " AND NOT EXISTS (SELECT 1 FROM council_session_dossiers cs WHERE cs.open AND cs.dossier_id = d.id)"
		}
		if !sc.all {
			var anyOf []string
			if sc.unit {
				anyOf = append(anyOf, "d.unit = "+sa.arg(a.Unit))
			}
			if sc.notVote {
				anyOf = append(anyOf, "NOT EXISTS (SELECT 1 FROM dossier_votes v WHERE v.dossier_id = d.id AND v.member_id = "+sa.arg(a.ID)+")")
			}
			if len(anyOf) == 0 {
				continue // a unit role without a unit: nothing
			}
			w += " AND (" + strings.Join(anyOf, " OR ") + ")"
		}
		parts = append(parts, "(SELECT "+inner+" FROM dossiers d WHERE "+w+
			" ORDER BY d.due_at ASC NULLS LAST, d.created_at, d.id LIMIT "+lim+")")
	}
	if len(parts) == 0 {
		return "", nil
	}
	q = "SELECT " + cols + " FROM (" + strings.Join(parts, " UNION ALL ") +
		") x ORDER BY due_at ASC NULLS LAST, created_at, id LIMIT " + lim
	return q, sa.args
}
