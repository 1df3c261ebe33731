package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"

	"tdkt/domain"
	"tdkt/store"
)

// The JSON API's lists and inbox are served from the stored views without
// decoding them: each item is the stored JSON with the caller's
// allowed_actions written into it. Decoding every view of a page into a
// domain.View and encoding it again was most of what a list cost. The
// console, which renders views, keeps List and Inbox.

// storedLister is how the read model lists stored views without decoding
// them; *store.Store does. A read model without it (the handler tests'
// fake) is listed through ListDossiers and Inbox, and the views encoded.
type storedLister interface {
	ListStored(ctx context.Context, f store.ListFilter, voter string, fn func(*store.Stored) error) (string, error)
	InboxStored(ctx context.Context, a domain.Actor, limit int, fn func(*store.Stored) error) error
}

var _ storedLister = (*store.Store)(nil)

// JSONItems are dossier objects as the API shows them, encoded: the elements
// of a JSON array, comma-separated, without the brackets. Get one with
// NewJSONItems and give it back with Release once written.
type JSONItems struct {
	b []byte
	n int
}

var itemsPool = sync.Pool{New: func() any { return &JSONItems{b: make([]byte, 0, 64<<10)} }}

// NewJSONItems is an empty JSONItems, its buffer reused from an earlier one.
func NewJSONItems() *JSONItems { return itemsPool.Get().(*JSONItems) }

// Release gives the buffer back; it must not be used afterwards.
func (it *JSONItems) Release() {
	if cap(it.b) > 4<<20 { // one huge answer does not pin its buffer
		return
	}
	it.b, it.n = it.b[:0], 0
	itemsPool.Put(it)
}

// Len is the number of items.
func (it *JSONItems) Len() int { return it.n }

// Bytes are the items, comma-separated.
func (it *JSONItems) Bytes() []byte { return it.b }

func (it *JSONItems) next() {
	if it.n > 0 {
		it.b = append(it.b, ',')
	}
	it.n++
}

// ListJSON is List for the JSON API: the page's dossier objects are
// appended to out, and the next page's cursor returned.
func (s *Service) ListJSON(ctx context.Context, a domain.Actor, f ListFilter, out *JSONItems) (string, error) {
	f, none := scopeList(a, f)
	if none {
		return "", nil
	}
	sl, ok := s.store.(storedLister)
	if !ok {
		views, next, err := s.List(ctx, a, f)
		if err != nil {
			return "", err
		}
		return next, appendViews(out, views)
	}
	voter := ""
	if a.Has(domain.RoleCouncil) {
		voter = a.ID
	}
	pg, err := s.newPage(ctx)
	if err != nil {
		return "", err
	}
	next, err := sl.ListStored(ctx, f, voter, func(st *store.Stored) error { return s.appendStored(ctx, a, out, st, pg) })
	if err != nil {
		if errors.Is(err, store.ErrBadCursor) {
			return "", badCursor()
		}
		return "", storedError("list dossiers", err)
	}
	return next, nil
}

// InboxJSON is Inbox for the JSON API: the dossier objects waiting on a are
// appended to out.
func (s *Service) InboxJSON(ctx context.Context, a domain.Actor, limit int, out *JSONItems) error {
	if err := checkInboxLimit(limit); err != nil {
		return err
	}
	sl, ok := s.store.(storedLister)
	if !ok {
		views, err := s.Inbox(ctx, a, limit)
		if err != nil {
			return err
		}
		return appendViews(out, views)
	}
	pg, err := s.newPage(ctx)
	if err != nil {
		return err
	}
	err = sl.InboxStored(ctx, a, limit, func(st *store.Stored) error { return s.appendStored(ctx, a, out, st, pg) })
	if err != nil {
		return storedError("inbox", err)
	}
	return nil
}

func appendViews(out *JSONItems, views []domain.View) error {
	for _, v := range views {
		b, err := json.Marshal(v)
		if err != nil {
			return failure("encode dossier", err)
		}
		out.next()
		out.b = append(out.b, b...)
	}
	return nil
}

// allowedMemo is the actions of one caller, by domain.AllowedKey: the
// dossiers of a page share a few dozen keys at most.
type allowedMemo map[domain.AllowedKey][]domain.Action

// page is what the dossiers of one list or inbox share: the actions memo,
// and the discipline-review holds standing (a handful in a province; read
// once for the page, so that a hold set a moment ago through any API shows).
type page struct {
	memo  allowedMemo
	holds map[string]domain.Hold
}

func (s *Service) newPage(ctx context.Context) (*page, error) {
	pg := &page{memo: allowedMemo{}}
	es, err := s.eligibilityStore()
	if err != nil {
		return pg, nil // a read model without holds (the handler tests' fake)
	}
	hs, err := es.Holds(ctx)
	if err != nil {
		return nil, storedError("read holds", err)
	}
	if len(hs) > 0 {
		pg.holds = make(map[string]domain.Hold, len(hs))
		for _, h := range hs {
			pg.holds[h.PersonKey] = h
		}
	}
	return pg, nil
}

// holdOn is the hold standing on the nominee of a running stored dossier,
// or nil. Only when some hold stands is the nominee read out of the view.
func (pg *page) holdOn(st *store.Stored) (*domain.Hold, error) {
	if len(pg.holds) == 0 || st.Facts.Status != domain.StatusActive {
		return nil, nil
	}
	var n struct {
		Nominee domain.Nominee `json:"nominee"`
	}
	if err := json.Unmarshal(st.JSON, &n); err != nil {
		return nil, err
	}
	return store.EarliestHold(pg.holds, NomineeKeys(n.Nominee, st.Facts.Unit)), nil
}

// appendStored appends one stored dossier as a sees it, as present would
// show it: with a's allowed actions. One on an open council session, or
// whose nominee is held, is decoded and presented whole.
func (s *Service) appendStored(ctx context.Context, a domain.Actor, out *JSONItems, st *store.Stored, pg *page) error {
	f := &st.Facts
	if !Visible(a, f.Unit) { // belt and braces: never leak another unit's dossier
		return nil
	}
	// As present: whether a voted matters only while a's vote is open.
	voted := st.Voted && a.Has(domain.RoleCouncil) && openVote(*f)
	hold, err := pg.holdOn(st)
	if err != nil {
		return failure("decode dossier "+f.ID, err)
	}
	if at, end, ok := spliceable(st); ok && hold == nil && (st.Session == "" || !openVote(*f)) {
		key := f.AllowedKey(a, voted)
		allowed, ok := pg.memo[key]
		if !ok {
			allowed = f.AllowedFor(a, voted)
			pg.memo[key] = allowed
		}
		out.next()
		out.b = append(out.b, st.JSON[:at]...)
		out.b = appendActions(out.b, allowed)
		out.b = append(out.b, st.JSON[end:]...)
		return nil
	}
	// On a session, held, or stored in an older shape: decoded, presented
	// and encoded.
	v, err := decodeStored(st.JSON)
	if err != nil {
		return failure("decode dossier "+f.ID, err)
	}
	v = s.presentOn(ctx, a, v, &voted, map[string]string{v.ID: st.Session})
	if hold != nil {
		v = withHoldOf(v, hold)
	}
	return appendViews(out, []domain.View{v})
}

func decodeStored(raw []byte) (domain.View, error) {
	var v domain.View
	err := json.Unmarshal(raw, &v)
	return v, err
}

var (
	allowedKey = []byte(`"allowed_actions":`)
	quorumKey  = []byte(`"quorum":`)
)

// spliceable finds the stored empty allowed_actions, st.JSON[at:end], and
// reports whether the stored JSON, with the actions written there, is what
// decoding and presenting the view would give (the same fields and
// values). A view stored before the vote's quorum was shown lacks it (a
// decoded one shows 0): those are decoded. (Documents and missing documents
// have been stored as arrays, never null, since the first view.)
//
// The key can only be the view's own: inside a JSON string every quote is
// escaped, and no object nested in a view has such a key. It is looked for
// from the end, where PostgreSQL writes it (jsonb keys shortest first).
func spliceable(st *store.Stored) (at, end int, ok bool) {
	raw := st.JSON
	i := bytes.LastIndex(raw, allowedKey)
	if i < 0 {
		return 0, 0, false
	}
	at = i + len(allowedKey)
	for at < len(raw) && raw[at] == ' ' {
		at++
	}
	if !bytes.HasPrefix(raw[at:], []byte("[]")) {
		return 0, 0, false
	}
	if st.Facts.Votes != nil && !bytes.Contains(raw, quorumKey) {
		return 0, 0, false
	}
	return at, at + 2, true
}

// appendActions appends actions as a JSON array of strings.
func appendActions(b []byte, actions []domain.Action) []byte {
	b = append(b, '[')
	for i, act := range actions {
		if i > 0 {
			b = append(b, ',')
		}
		if plainCode(string(act)) {
			b = append(b, '"')
			b = append(b, act...)
			b = append(b, '"')
			continue
		}
		q, _ := json.Marshal(string(act))
		b = append(b, q...)
	}
	return append(b, ']')
}

// plainCode reports whether s needs no escaping in a JSON string (action
// codes are lower-case words joined by underscores).
func plainCode(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// storedError is the error of a listing: one of appendStored's as it is,
// the store's as a use case error.
func storedError(what string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return storeError(what, err)
}
