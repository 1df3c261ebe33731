package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"
	"go.temporal.io/sdk/temporal"

	"tdkt/auth"
	"tdkt/config"
	"tdkt/domain"
	"tdkt/workflows"
)

var testSecret = []byte("server-test-secret-0123456789")

// fakeStore is an in-memory read model.
type fakeStore struct {
	mu      sync.Mutex
	views   map[string]domain.View
	history map[string][]domain.HistoryEntry
	voted   map[string]bool // dossier|member
	keys    map[string]string
	hashes  map[string]string
	docs    map[string]fakeDoc
	seq     int
	pingErr error
	err     error // returned by every read when set
	deleted []string
	cursors map[string]bool
	lastF   ListFilter
	// projectErr, when set, fails ProjectPending only.
	projectErr error
	// pending are the marks set and not cleared, dossier|token.
	pending map[string]bool
	// units is the unit directory: the units of the people below, as
	// the migrations seed them.
	units map[string]domain.Unit
}

type fakeDoc struct {
	dossier string
	doc     domain.Document
	data    []byte
}

func newFakeStore() *fakeStore {
	return &fakeStore{views: map[string]domain.View{}, history: map[string][]domain.HistoryEntry{},
		voted: map[string]bool{}, keys: map[string]string{}, hashes: map[string]string{}, docs: map[string]fakeDoc{},
		cursors: map[string]bool{"c1": true}, pending: map[string]bool{},
		units: map[string]domain.Unit{
			"SGDDT": {Code: "SGDDT", Name: "Sở Giáo dục và Đào tạo", Kind: domain.UnitDepartment, Block: "Khối Văn hóa - Xã hội"},
			"SYT":   {Code: "SYT", Name: "Sở Y tế", Kind: domain.UnitDepartment, Block: "Khối Văn hóa - Xã hội"},
		}}
}

func (f *fakeStore) ListUnits(ctx context.Context) ([]domain.Unit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	out := []domain.Unit{}
	for _, code := range sortedCodes(f.units) {
		out = append(out, f.units[code])
	}
	return out, nil
}

func sortedCodes(m map[string]domain.Unit) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (f *fakeStore) GetUnit(ctx context.Context, code string) (domain.Unit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return domain.Unit{}, f.err
	}
	u, ok := f.units[code]
	if !ok {
		return domain.Unit{}, ErrNotFound
	}
	return u, nil
}

func (f *fakeStore) CreateUnit(ctx context.Context, u domain.Unit) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.units[u.Code]; ok {
		return ErrExists
	}
	f.units[u.Code] = u
	return nil
}

func (f *fakeStore) UpdateUnit(ctx context.Context, u domain.Unit) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.units[u.Code]; !ok {
		return ErrNotFound
	}
	f.units[u.Code] = u
	return nil
}

func (f *fakeStore) MarkPending(ctx context.Context, id, token string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.pending[id+"|"+token] = true
	return nil
}

func (f *fakeStore) HasPending(ctx context.Context, id string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.pending {
		if strings.HasPrefix(k, id+"|") {
			return true, nil
		}
	}
	return false, nil
}

func (f *fakeStore) ClearPending(ctx context.Context, id, token string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.pending, id+"|"+token)
	return nil
}

// ProjectPending writes a newer view, its entries and voters, and clears
// the mark, as the store does.
func (f *fakeStore) ProjectPending(ctx context.Context, token string, v domain.View, entries []domain.HistoryEntry, voters ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if f.projectErr != nil {
		return f.projectErr
	}
	if old, ok := f.views[v.ID]; !ok || old.Version < v.Version {
		f.views[v.ID] = v
	}
	f.history[v.ID] = append(f.history[v.ID], entries...)
	for _, m := range voters {
		f.voted[v.ID+"|"+m] = true
	}
	delete(f.pending, v.ID+"|"+token)
	return nil
}

func (f *fakeStore) put(v domain.View) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.views[v.ID] = v
}

func (f *fakeStore) Ping(ctx context.Context) error { return f.pingErr }

func (f *fakeStore) ReserveSubmission(ctx context.Context, unit, key, hash string, year int) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", false, f.err
	}
	if key != "" {
		if id, ok := f.keys[unit+"|"+key]; ok {
			if f.hashes[unit+"|"+key] != hash {
				return "", false, ErrIdempotencyMismatch
			}
			return id, true, nil
		}
	}
	f.seq++
	id := fmt.Sprintf("HS-%d-%06d", year, f.seq)
	if key != "" {
		f.keys[unit+"|"+key], f.hashes[unit+"|"+key] = id, hash
	}
	f.pending[id+"|start"] = true
	return id, false, nil
}

func (f *fakeStore) GetDossier(ctx context.Context, id string) (domain.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return domain.View{}, f.err
	}
	v, ok := f.views[id]
	if !ok {
		return domain.View{}, fmt.Errorf("dossier %s: %w", id, ErrNotFound)
	}
	return v, nil
}

func (f *fakeStore) History(ctx context.Context, id string) ([]domain.HistoryEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.views[id]; !ok {
		return nil, ErrNotFound
	}
	return f.history[id], nil
}

func (f *fakeStore) ListDossiers(ctx context.Context, lf ListFilter) ([]domain.View, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastF = lf
	if f.err != nil {
		return nil, "", f.err
	}
	if lf.Cursor != "" && !f.cursors[lf.Cursor] {
		return nil, "", ErrBadCursor
	}
	var out []domain.View
	for _, v := range f.views {
		if (lf.Unit == "" || v.Unit == lf.Unit) && (lf.Stage == "" || string(v.Stage) == lf.Stage) {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, "", nil
}

func (f *fakeStore) Inbox(ctx context.Context, a domain.Actor, limit int) ([]domain.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.View
	for _, v := range f.views {
		for _, r := range a.Roles {
			i, _ := domain.Info(v.Stage)
			for _, w := range i.WaitsOn {
				if w == r && (r != domain.RoleUnit || v.Unit == a.Unit) {
					out = append(out, v)
				}
			}
		}
	}
	return out, nil
}

func (f *fakeStore) HasVoted(ctx context.Context, dossierID, memberID string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.voted[dossierID+"|"+memberID], nil
}

func (f *fakeStore) PutDocument(ctx context.Context, dossierID string, kind domain.DocumentKind, filename, contentType string, r io.Reader, maxBytes int64) (domain.Document, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return domain.Document{}, err
	}
	if int64(len(data)) > maxBytes {
		return domain.Document{}, ErrTooLarge
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	sum := sha256.Sum256(data)
	d := domain.Document{ID: fmt.Sprintf("doc-%d", f.seq), Kind: kind, Filename: filename, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), ContentType: contentType}
	f.docs[d.ID] = fakeDoc{dossier: dossierID, doc: d, data: data}
	return d, nil
}

func (f *fakeStore) DeleteDocument(ctx context.Context, docID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.docs, docID)
	f.deleted = append(f.deleted, docID)
	return nil
}

func (f *fakeStore) OpenDocument(ctx context.Context, dossierID, docID string) (domain.Document, io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.docs[docID]
	if !ok || d.dossier != dossierID {
		return domain.Document{}, nil, ErrNotFound
	}
	return d.doc, io.NopCloser(bytes.NewReader(d.data)), nil
}

// env is a server over a Temporal mock and a fake store.
type env struct {
	t     testing.TB
	s     *Server
	tc    *mocks.Client
	store *fakeStore
	logs  *bytes.Buffer
	// reconcile stands for the worker's reconciler (app.Deps.Reconcile).
	reconcile func(ctx context.Context, id string) error
}

func newEnv(t testing.TB) *env {
	t.Helper()
	tc := &mocks.Client{}
	st := newFakeStore()
	v, err := auth.NewVerifier(context.Background(), auth.Options{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.MaxUploadMB = 1
	logs := &bytes.Buffer{}
	e := &env{t: t, tc: tc, store: st}
	s, err := New(Deps{Temporal: tc, Store: st, Config: cfg, Policy: domain.DefaultPolicy(), Verifier: v,
		Reconcile: func(ctx context.Context, id string) error {
			if e.reconcile == nil {
				return errors.New("no reconciler in this test")
			}
			return e.reconcile(ctx, id)
		},
		Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, nil)),
		Now:    func() time.Time { return time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC) }}) // 2026 in Vietnam
	if err != nil {
		t.Fatal(err)
	}
	e.s, e.logs = s, logs
	return e
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// People.
var (
	unitA    = domain.Actor{ID: "u-a", Name: "Đơn vị A", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	unitB    = domain.Actor{ID: "u-b", Name: "Đơn vị B", Roles: []domain.Role{domain.RoleUnit}, Unit: "SYT"}
	officer  = domain.Actor{ID: "o-1", Name: "Chuyên viên", Roles: []domain.Role{domain.RoleOfficer}}
	member   = domain.Actor{ID: "m-1", Name: "Thành viên", Roles: []domain.Role{domain.RoleCouncil}}
	admin    = domain.Actor{ID: "ad", Name: "Quản trị", Roles: []domain.Role{domain.RoleAdmin}}
	unitPlus = domain.Actor{ID: "u-x", Name: "Trưởng đơn vị", Roles: []domain.Role{domain.RoleUnit, domain.RoleCouncil}, Unit: "SYT"}
)

func token(t testing.TB, a domain.Actor) string {
	t.Helper()
	tok, err := auth.Mint(testSecret, a.ID, a.Name, a.Roles, a.Unit, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type req struct {
	method, path string
	as           *domain.Actor
	body         string
	ct           string
	headers      map[string]string
}

func (e *env) do(r req) *httptest.ResponseRecorder {
	e.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		ct := r.ct
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	if r.as != nil {
		hr.Header.Set("Authorization", "Bearer "+token(e.t, *r.as))
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.s.Handler().ServeHTTP(rec, hr)
	return rec
}

// view is a dossier of unit SGDDT in a stage.
func view(id string, stage domain.Stage) domain.View {
	a, _ := domain.AwardByCode("CSTD_TINH")
	v := domain.View{ID: id, Unit: "SGDDT", AwardCode: a.Code, AwardName: a.Name, Authority: a.Authority,
		Kind: domain.KindMerit, Procedure: domain.ProcedureRegular, AchievementPeriod: "2025",
		Nominee: domain.Nominee{Type: domain.Individual, Name: "Lò Văn A"}, Stage: stage,
		Status: domain.StatusOf(stage), Version: 3, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	// A complete dossier: every required document attached.
	for i, k := range domain.RequiredDocuments(a, domain.ProcedureRegular) {
		v.Documents = append(v.Documents, domain.Document{ID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i+1), Kind: k,
			Filename: string(k) + ".pdf", ContentType: "application/pdf"})
	}
	if stage == domain.Council {
		v.Votes = &domain.VotesView{Cast: 1, Members: 9, Needed: 9}
	}
	return v
}

// handle is an update handle whose Get yields v or err.
func handle(v domain.View, err error) *mocks.WorkflowUpdateHandle {
	h := &mocks.WorkflowUpdateHandle{}
	h.On("Get", mock.Anything, mock.Anything).Return(func(ctx context.Context, ptr any) error {
		if err != nil {
			return err
		}
		*(ptr.(*workflows.Outcome)) = workflows.Outcome{View: v}
		return nil
	}).Maybe()
	return h
}

// refusalErr is a refusal as it arrives from the server: through the
// failure converter, the way the SDK decodes it.
func refusalErr(e domain.Error) error {
	err := temporal.NewApplicationErrorWithOptions(e.Detail, string(e.Kind), temporal.ApplicationErrorOptions{
		NonRetryable: true, Details: []interface{}{e}})
	fc := temporal.GetDefaultFailureConverter()
	return fc.FailureToError(fc.ErrorToFailure(err))
}

// problemOf decodes and checks a problem+json body.
func problemOf(t testing.TB, rec *httptest.ResponseRecorder, status int) Problem {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != ProblemContentType {
		t.Fatalf("Content-Type %q, want problem+json; body %s", ct, rec.Body.String())
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != status || p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Fatalf("incomplete problem %+v", p)
	}
	if rec.Header().Get(RequestIDHeader) == "" || p.RequestID != rec.Header().Get(RequestIDHeader) {
		t.Fatalf("request id: header %q body %q", rec.Header().Get(RequestIDHeader), p.RequestID)
	}
	return p
}

func fields(p Problem) []string {
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	sort.Strings(out)
	return out
}

// stateChanging are the Temporal client calls that could change a dossier.
var stateChanging = []string{"UpdateWorkflow", "UpdateWithStartWorkflow", "ExecuteWorkflow", "SignalWorkflow",
	"SignalWithStartWorkflow", "TerminateWorkflow", "CancelWorkflow"}

func assertNoStateChange(t testing.TB, tc *mocks.Client) {
	t.Helper()
	for _, call := range tc.Calls {
		for _, m := range stateChanging {
			if call.Method == m {
				t.Fatalf("refused request called %s", m)
			}
		}
	}
}

var _ = client.WorkflowUpdateStageCompleted
