package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"

	"tdkt/domain"
	"tdkt/metrics"
	"tdkt/workflows"
)

func TestRequestID(t *testing.T) {
	e := newEnv(t)
	rec := e.do(req{method: "GET", path: "/healthz", headers: map[string]string{RequestIDHeader: "abc-123_x.y"}})
	if rec.Code != 200 || rec.Header().Get(RequestIDHeader) != "abc-123_x.y" {
		t.Fatalf("code %d id %q", rec.Code, rec.Header().Get(RequestIDHeader))
	}
	for _, bad := range []string{strings.Repeat("a", 65), "has space", "semi;colon", "ünï"} {
		rec := e.do(req{method: "GET", path: "/healthz", headers: map[string]string{RequestIDHeader: bad}})
		if got := rec.Header().Get(RequestIDHeader); got == bad || got == "" {
			t.Errorf("incoming %q kept or missing: %q", bad, got)
		}
	}
	rec = e.do(req{method: "GET", path: "/nowhere"})
	problemOf(t, rec, http.StatusNotFound)
	if !strings.Contains(e.logs.String(), `"request_id":"`+rec.Header().Get(RequestIDHeader)+`"`) {
		t.Errorf("access log lacks the request id: %s", e.logs.String())
	}
	if !strings.Contains(e.logs.String(), `"route":"unmatched"`) {
		t.Errorf("access log lacks the route: %s", e.logs.String())
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	e := newEnv(t)
	problemOf(t, e.do(req{method: "GET", path: "/api/v2/x"}), http.StatusNotFound)
	rec := e.do(req{method: "DELETE", path: "/healthz"})
	problemOf(t, rec, http.StatusMethodNotAllowed)
	if rec.Header().Get("Allow") == "" {
		t.Error("405 without Allow")
	}
}

func TestAuthFailures(t *testing.T) {
	e := newEnv(t)
	claims := func(exp time.Time) jwt.MapClaims {
		return jwt.MapClaims{"sub": "o", "roles": []string{"officer"}, "exp": exp.Unix()}
	}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(time.Now().Add(time.Hour))).SignedString(jwt.UnsafeAllowNoneSignatureType)
	badSig, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(time.Now().Add(time.Hour))).SignedString([]byte("wrong-secret-0123456789"))
	expired, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(time.Now().Add(-time.Hour))).SignedString(testSecret)
	noRoles, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "o", "exp": time.Now().Add(time.Hour).Unix()}).SignedString(testSecret)
	for name, h := range map[string]string{
		"no header": "", "not bearer": "Basic dXNlcjpwYXNz", "empty bearer": "Bearer ",
		"alg none": "Bearer " + none, "bad signature": "Bearer " + badSig, "expired": "Bearer " + expired,
		"no roles": "Bearer " + noRoles, "garbage": "Bearer x.y.z",
	} {
		t.Run(name, func(t *testing.T) {
			hs := map[string]string{}
			if h != "" {
				hs["Authorization"] = h
			}
			rec := e.do(req{method: "GET", path: "/api/v1/awards", headers: hs})
			problemOf(t, rec, http.StatusUnauthorized)
			if rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	rec := e.do(req{method: "GET", path: "/api/v1/awards", as: &officer})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "CSTD_TINH") {
		t.Fatalf("awards: %d %s", rec.Code, rec.Body.String())
	}
}

const goodSubmission = `{"award_code":"CSTD_TINH","kind":"merit","campaign":"2025-annual","achievement_period":"2025",
 "nominee":{"type":"individual","name":"Lò Văn A","position":"Giáo viên","organization":"Trường THPT Phong Thổ"},
 "summary":"Thành tích xuất sắc","unknown_field":1}`

// expectSubmit makes the mock start dossiers.
func (e *env) expectSubmit() {
	e.tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(run(), nil)
}

// run is a started workflow run.
func run() *mocks.WorkflowRun {
	r := &mocks.WorkflowRun{}
	r.On("GetID").Return("dossier").Maybe()
	r.On("GetRunID").Return("run").Maybe()
	return r
}

func TestSubmit(t *testing.T) {
	e := newEnv(t)
	e.expectSubmit()
	rec := e.do(req{method: "POST", path: "/api/v1/dossiers", as: &unitA, body: goodSubmission,
		headers: map[string]string{"Idempotency-Key": "k-1"}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	var v domain.View
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v.ID != "HS-2026-000001" || rec.Header().Get("Location") != "/api/v1/dossiers/HS-2026-000001" || rec.Header().Get("ETag") != `"1"` {
		t.Fatalf("id %s location %s etag %s", v.ID, rec.Header().Get("Location"), rec.Header().Get("ETag"))
	}
	if !reflect.DeepEqual(v.AllowedActions, []domain.Action{domain.ActWithdraw}) {
		t.Errorf("allowed_actions %v", v.AllowedActions)
	}
	// The start: id, queue, policies, input with the submission's time.
	start := e.tc.Calls[len(e.tc.Calls)-1]
	so := start.Arguments.Get(1).(client.StartWorkflowOptions)
	if so.ID != "dossier-HS-2026-000001" || so.TaskQueue != "tdkt-dossiers" ||
		so.WorkflowIDConflictPolicy.String() != "Fail" || so.WorkflowIDReusePolicy.String() != "RejectDuplicate" {
		t.Errorf("start options %+v", so)
	}
	if start.Arguments.Get(2) != workflows.DossierWorkflowName {
		t.Errorf("workflow %v", start.Arguments.Get(2))
	}
	in := start.Arguments.Get(3).(workflows.DossierInput)
	if in.ID != v.ID || in.By.ID != unitA.ID || in.Submission.Procedure != domain.ProcedureRegular || in.Submission.Nominee.Name != "Lò Văn A" ||
		in.Policy.CouncilMembers != 9 || !in.SubmittedAt.Equal(time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC)) {
		t.Errorf("input %+v", in)
	}
	// The API wrote the opening the workflow computes from the same input,
	// and cleared its mark.
	d, first := workflows.Opened(in)
	if got, _ := e.store.GetDossier(context.Background(), v.ID); !reflect.DeepEqual(got, d.View()) {
		t.Errorf("stored view %+v\nwant %+v", got, d.View())
	}
	if h := e.store.history[v.ID]; len(h) != 1 || h[0] != first {
		t.Errorf("stored history %+v", h)
	}
	if len(e.store.pending) != 0 {
		t.Errorf("marks left: %v", e.store.pending)
	}

	// A repeat with the same key: the same dossier, 200, nothing started.
	rec = e.do(req{method: "POST", path: "/api/v1/dossiers", as: &unitA, body: goodSubmission,
		headers: map[string]string{"Idempotency-Key": "k-1"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"HS-2026-000001"`) {
		t.Fatalf("repeat: %d %s", rec.Code, rec.Body.String())
	}
	e.tc.AssertNumberOfCalls(t, "ExecuteWorkflow", 1)
	// The same key with another body.
	p := problemOf(t, e.do(req{method: "POST", path: "/api/v1/dossiers", as: &unitA,
		body: strings.Replace(goodSubmission, "Lò Văn A", "Lò Văn B", 1), headers: map[string]string{"Idempotency-Key": "k-1"}}), 422)
	if fields(p)[0] != "Idempotency-Key" {
		t.Errorf("fields %v", fields(p))
	}
}

// Temporal recorded the start but the read model could not be written: the
// answer is 503 (not yet readable), the mark stays for the reconciler; a
// repeat with the key is refused a second start as a duplicate and rebuilds
// the dossier from Temporal (the reconciler's path) before it answers.
func TestSubmitRecordedButNotProjected(t *testing.T) {
	e := newEnv(t)
	started := false
	e.tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
			if started {
				return nil, serviceerror.NewWorkflowExecutionAlreadyStarted("started", "", "")
			}
			started = true
			return run(), nil
		})
	e.store.projectErr = errors.New("connection reset")
	h := map[string]string{"Idempotency-Key": "same"}
	defer func() { t.Log(e.logs.String()) }()
	p := problemOf(t, e.do(req{method: "POST", path: "/api/v1/dossiers", as: &unitA, body: goodSubmission, headers: h}), 503)
	if !strings.Contains(p.Detail, "not yet readable") {
		t.Errorf("detail %q", p.Detail)
	}
	if !e.store.pending["HS-2026-000001|start"] {
		t.Fatalf("the start's mark is gone: %v", e.store.pending)
	}
	e.store.projectErr = nil
	rebuilt := 0
	e.reconcile = func(ctx context.Context, id string) error {
		rebuilt++
		e.store.put(view(id, domain.Reception))
		return nil
	}
	rec := e.do(req{method: "POST", path: "/api/v1/dossiers", as: &unitA, body: goodSubmission, headers: h})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"HS-2026-000001"`) || rebuilt != 1 {
		t.Fatalf("repeat: %d %s (rebuilt %d)", rec.Code, rec.Body.String(), rebuilt)
	}
}

// A repeat whose first attempt never reached Temporal starts the workflow.
func TestSubmitRepeatAfterUnavailable(t *testing.T) {
	e := newEnv(t)
	calls := 0
	e.tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
			calls++
			if calls == 1 {
				return nil, serviceerror.NewUnavailable("frontend down")
			}
			// The start is marked before it is sent, even though the
			// reconciler had dropped the first attempt's mark.
			if !e.store.pending["HS-2026-000001|start"] {
				t.Errorf("the repeat's start was sent unmarked: %v", e.store.pending)
			}
			return run(), nil
		})
	e.reconcile = func(ctx context.Context, id string) error {
		return fmt.Errorf("dossier %s: %w", id, serviceerror.NewNotFound("no such workflow"))
	}
	h := map[string]string{"Idempotency-Key": "again"}
	problemOf(t, e.do(req{method: "POST", path: "/api/v1/dossiers", as: &unitA, body: goodSubmission, headers: h}), 503)
	delete(e.store.pending, "HS-2026-000001|start") // the reconciler gave up on it
	rec := e.do(req{method: "POST", path: "/api/v1/dossiers", as: &unitA, body: goodSubmission, headers: h})
	if len(e.store.pending) != 0 {
		t.Errorf("marks left: %v", e.store.pending)
	}
	if rec.Code != 201 || calls != 2 {
		t.Fatalf("repeat: %d %s (starts %d)", rec.Code, rec.Body.String(), calls)
	}
}

func TestSubmitRefusals(t *testing.T) {
	e := newEnv(t)
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	cases := []struct {
		name    string
		as      *domain.Actor
		body    string
		ct      string
		headers map[string]string
		status  int
		fields  []string
	}{
		{"officer may not submit", &officer, goodSubmission, "", nil, 403, nil},
		{"malformed", &unitA, `{"award_code":`, "", nil, 400, nil},
		{"empty", &unitA, "", "", nil, 400, nil},
		{"two values", &unitA, goodSubmission + "{}", "", nil, 400, nil},
		{"array", &unitA, `[1,2]`, "", nil, 400, nil},
		{"text/plain", &unitA, goodSubmission, "text/plain", nil, 415, nil},
		{"form", &unitA, goodSubmission, "application/x-www-form-urlencoded", nil, 415, nil},
		{"too deep", &unitA, deep, "", nil, 400, nil},
		{"invalid utf-8", &unitA, `{"award_code":"CSTD_TINH","nominee":{"name":"L` + "\xff" + `"}}`, "", nil, 400, nil},
		{"too large", &unitA, `{"summary":"` + strings.Repeat("x", MaxJSONBody) + `"}`, "", nil, 413, nil},
		{"long key", &unitA, goodSubmission, "", map[string]string{"Idempotency-Key": strings.Repeat("k", 129)}, 422, []string{"Idempotency-Key"}},
		{"fields", &unitA, `{"award_code":"NOPE","kind":"x","nominee":{"type":"alien","name":" "}}`, "", nil, 422,
			[]string{"achievement_period", "award_code", "kind", "nominee.name", "nominee.type"}},
		{"type mismatch", &unitA, `{"award_code":"CSTD_TINH","kind":"merit","nominee":{"type":"individual","name":5}}`, "", nil, 422, []string{"nominee.name"}},
		{"collective for individual award", &unitA, strings.Replace(goodSubmission, `"individual"`, `"collective"`, 1), "", nil, 422, []string{"nominee.type"}},
		{"simplified not allowed", &unitA, strings.Replace(goodSubmission, `"kind":"merit"`, `"kind":"merit","procedure":"simplified"`, 1), "", nil, 422, []string{"procedure"}},
		{"control characters", &unitA, strings.Replace(goodSubmission, "Lò Văn A", `Lò\u0000Văn`, 1), "", nil, 422, []string{"nominee.name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := problemOf(t, e.do(req{method: "POST", path: "/api/v1/dossiers", as: tc.as, body: tc.body, ct: tc.ct, headers: tc.headers}), tc.status)
			if tc.fields != nil && tc.fields[0] != "" && !reflect.DeepEqual(fields(p), tc.fields) {
				t.Errorf("fields %v, want %v", fields(p), tc.fields)
			}
		})
	}
	assertNoStateChange(t, e.tc)
}

// TestTemporalOutcomes maps every outcome of an action update to its answer.
func TestTemporalOutcomes(t *testing.T) {
	refusal := func(k domain.ErrorKind, fe ...domain.FieldError) error {
		return refusalErr(domain.Error{Kind: k, Detail: "refused: " + string(k), Stage: domain.Reception, Fields: fe})
	}
	cases := []struct {
		name   string
		err    error
		onGet  bool // the error comes from handle.Get rather than UpdateWorkflow
		stored domain.Stage
		status int
		check  func(t *testing.T, p Problem, h http.Header)
	}{
		{name: "forbidden", err: refusal(domain.ErrForbidden), onGet: true, status: 403},
		{name: "not found", err: refusal(domain.ErrNotFound), onGet: true, status: 404},
		{name: "conflict", err: refusal(domain.ErrConflict), onGet: true, status: 409, check: func(t *testing.T, p Problem, _ http.Header) {
			if p.Stage != domain.Reception || p.Detail != "refused: conflict (stage reception)" {
				t.Errorf("409 %+v", p)
			}
		}},
		{name: "stale", err: refusal(domain.ErrStale), onGet: true, status: 412},
		{name: "invalid", err: refusal(domain.ErrInvalid, domain.FieldError{Field: "comment", Message: "required"}), onGet: true, status: 422,
			check: func(t *testing.T, p Problem, _ http.Header) {
				if !reflect.DeepEqual(fields(p), []string{"comment"}) {
					t.Errorf("fields %v", fields(p))
				}
			}},
		{name: "refusal from UpdateWorkflow", err: refusal(domain.ErrConflict), status: 409},
		{name: "unavailable", err: serviceerror.NewUnavailable("down"), status: 503, check: retryAfter},
		{name: "deadline exceeded", err: serviceerror.NewDeadlineExceeded("slow"), status: 503, check: retryAfter},
		{name: "context deadline", err: context.DeadlineExceeded, onGet: true, status: 503, check: retryAfter},
		{name: "update poll timeout", err: &client.WorkflowUpdateServiceTimeoutOrCanceledError{}, status: 503, check: retryAfter},
		{name: "connection refused", err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, status: 503, check: retryAfter},
		{name: "workflow gone, dossier finished", err: serviceerror.NewNotFound("workflow execution already completed"), stored: domain.Awarded, status: 409,
			check: func(t *testing.T, p Problem, _ http.Header) {
				if p.Stage != domain.Awarded || !strings.Contains(p.Detail, "awarded") {
					t.Errorf("409 %+v", p)
				}
			}},
		{name: "workflow gone, dossier not finished", err: serviceerror.NewNotFound("gone"), stored: domain.Appraisal, status: 409},
		{name: "random error", err: errors.New("boom"), onGet: true, status: 500, check: func(t *testing.T, p Problem, _ http.Header) {
			if !strings.Contains(p.Detail, p.RequestID) {
				t.Errorf("500 without request id: %+v", p)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.store.put(view("HS-2025-000001", domain.Reception))
			e.tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(
				func(ctx context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
					if tc.stored != "" {
						e.store.put(view("HS-2025-000001", tc.stored))
					}
					if tc.onGet {
						return handle(domain.View{}, tc.err), nil
					}
					return nil, tc.err
				})
			rec := e.do(req{method: "POST", path: "/api/v1/dossiers/HS-2025-000001/actions/accept", as: &officer, body: `{"comment":"ok"}`})
			p := problemOf(t, rec, tc.status)
			if tc.check != nil {
				tc.check(t, p, rec.Header())
			}
			// A refusal, or a workflow that is gone, leaves nothing to wait
			// for; otherwise whether Temporal did it is unknown, and the mark
			// stays for the reconciler.
			_, refused := workflows.AsRefusal(tc.err)
			var nf *serviceerror.NotFound
			if gone := refused || errors.As(tc.err, &nf); gone != (len(e.store.pending) == 0) {
				t.Errorf("marks left %v", e.store.pending)
			}
		})
	}
}

// A read of a dossier with a mark (an API may have died between Temporal's
// answer and its write) rebuilds it from Temporal first; one without, not.
func TestReadCatchesUpAMarkedDossier(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	rebuilt := 0
	e.reconcile = func(ctx context.Context, id string) error {
		rebuilt++
		after := view(id, domain.Appraisal)
		after.Version = 2
		e.store.put(after)
		return nil
	}
	rec := e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001", as: &officer})
	if rec.Code != 200 || rebuilt != 0 || !strings.Contains(rec.Body.String(), `"stage":"reception"`) {
		t.Fatalf("no mark: %d %s (rebuilt %d)", rec.Code, rec.Body.String(), rebuilt)
	}
	e.store.pending["HS-2025-000001|u-lost"] = true
	rec = e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001", as: &officer})
	if rec.Code != 200 || rebuilt != 1 || !strings.Contains(rec.Body.String(), `"stage":"appraisal"`) {
		t.Fatalf("marked: %d %s (rebuilt %d)", rec.Code, rec.Body.String(), rebuilt)
	}
	// A failed rebuild still answers with what the read model has.
	e.reconcile = func(ctx context.Context, id string) error { return errors.New("Temporal away") }
	rec = e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001/history", as: &officer})
	if rec.Code != 200 {
		t.Fatalf("history with a failed rebuild: %d %s", rec.Code, rec.Body.String())
	}
}

func retryAfter(t *testing.T, p Problem, h http.Header) {
	if h.Get("Retry-After") != "5" {
		t.Errorf("503 without Retry-After: %v", h)
	}
}

func TestActionSuccess(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	after := view("HS-2025-000001", domain.Supplement)
	after.Version = 4
	after.ReturnedFrom = ptr(domain.Reception)
	var got client.UpdateWorkflowOptions
	e.tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		got = args.Get(1).(client.UpdateWorkflowOptions)
		if _, ok := args.Get(0).(context.Context).Deadline(); !ok {
			t.Error("Temporal call without a deadline")
		}
	}).Return(handle(after, nil), nil)
	rec := e.do(req{method: "POST", path: "/api/v1/dossiers/HS-2025-000001/actions/return", as: &officer,
		body: `{"comment":"thiếu biên bản","missing":["bien_ban_hop"]}`, headers: map[string]string{"If-Match": `"3"`}})
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	if got.WorkflowID != "dossier-HS-2025-000001" || got.UpdateName != "return" || got.WaitForStage != client.WorkflowUpdateStageCompleted {
		t.Errorf("options %+v", got)
	}
	cmd := got.Args[0].(domain.Command)
	if cmd.Action != domain.ActReturn || cmd.Actor.ID != officer.ID || cmd.Comment != "thiếu biên bản" ||
		!reflect.DeepEqual(cmd.Missing, []domain.DocumentKind{domain.DocBienBanHop}) || cmd.ExpectedVersion != 3 || !cmd.CallerProjects {
		t.Errorf("command %+v", cmd)
	}
	var v domain.View
	_ = json.Unmarshal(rec.Body.Bytes(), &v)
	if v.Stage != domain.Supplement || rec.Header().Get("ETag") != `"4"` || len(v.AllowedActions) != 0 {
		t.Errorf("view %+v etag %s", v, rec.Header().Get("ETag"))
	}
	// The update had its own id, was marked under it before it was sent,
	// and the API wrote the outcome (clearing the mark) before answering.
	if !strings.HasPrefix(got.UpdateID, "u-") || len(e.store.pending) != 0 {
		t.Errorf("update id %q, marks left %v", got.UpdateID, e.store.pending)
	}
	if stored, _ := e.store.GetDossier(context.Background(), "HS-2025-000001"); stored.Version != 4 || stored.Stage != domain.Supplement {
		t.Errorf("the read model holds %s v%d", stored.Stage, stored.Version)
	}
	// The unit now may resubmit or withdraw.
	rec = e.do(req{method: "POST", path: "/api/v1/dossiers/HS-2025-000001/actions/resubmit", as: &unitA})
	_ = json.Unmarshal(rec.Body.Bytes(), &v)
	if !reflect.DeepEqual(v.AllowedActions, []domain.Action{domain.ActResubmit, domain.ActWithdraw}) {
		t.Errorf("unit allowed %v", v.AllowedActions)
	}
}

func ptr[T any](v T) *T { return &v }

func TestVoteAnswerHidesVote(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Council))
	after := view("HS-2025-000001", domain.Council)
	after.Votes.Cast = 2
	e.tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(handle(after, nil), nil)
	rec := e.do(req{method: "POST", path: "/api/v1/dossiers/HS-2025-000001/actions/vote", as: &member, body: `{"approve":true}`})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"allowed_actions":[]`) || !strings.Contains(rec.Body.String(), `"yes":null`) {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	// Before voting, GET offers the vote; after (the store knows), not.
	rec = e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001", as: &member})
	if !strings.Contains(rec.Body.String(), `"allowed_actions":["vote"]`) {
		t.Fatalf("%s", rec.Body.String())
	}
	e.store.voted["HS-2025-000001|m-1"] = true
	rec = e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001", as: &member})
	if !strings.Contains(rec.Body.String(), `"allowed_actions":[]`) {
		t.Fatalf("%s", rec.Body.String())
	}
}

func TestActionRefusalsBeforeTemporal(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	p := "/api/v1/dossiers/HS-2025-000001/actions/"
	cases := []struct {
		name    string
		path    string
		as      *domain.Actor
		body    string
		ct      string
		headers map[string]string
		status  int
	}{
		{"unknown action", p + "fly", &officer, "", "", nil, 404},
		{"internal action", p + "attach_document", &unitA, "", "", nil, 404},
		{"system action", p + "notice_end", &admin, "", "", nil, 404},
		{"no such dossier", "/api/v1/dossiers/HS-2025-999999/actions/accept", &officer, "", "", nil, 404},
		{"bad id", "/api/v1/dossiers/%00x/actions/accept", &officer, "", "", nil, 404},
		{"other unit", p + "withdraw", &unitB, "", "", nil, 404},
		{"malformed body", p + "accept", &officer, `{"comment":`, "", nil, 400},
		{"body not json", p + "accept", &officer, `comment=x`, "application/x-www-form-urlencoded", nil, 415},
		{"approve a string", p + "vote", &member, `{"approve":"yes"}`, "", nil, 422},
		{"missing not a list", p + "return", &officer, `{"missing":"bien_ban_hop"}`, "", nil, 422},
		{"if-match unquoted", p + "accept", &officer, "", "", map[string]string{"If-Match": "3"}, 400},
		{"if-match weak", p + "accept", &officer, "", "", map[string]string{"If-Match": `W/"3"`}, 400},
		{"if-match garbage", p + "accept", &officer, "", "", map[string]string{"If-Match": `"x"`}, 400},
		{"comment too long", p + "reject", &officer, `{"comment":"` + strings.Repeat("a", maxComment+1) + `"}`, "", nil, 422},
		{"no token", p + "accept", nil, "", "", nil, 401},
		{"if-match older than the read model", p + "accept", &officer, "", "", map[string]string{"If-Match": `"2"`}, 412},
		{"role may never", p + "accept", &unitA, "", "", nil, 403},
		{"role may never, chairman votes", p + "vote", &domain.Actor{ID: "ch", Roles: []domain.Role{domain.RoleChairman}}, `{"approve":true}`, "", nil, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			problemOf(t, e.do(req{method: "POST", path: tc.path, as: tc.as, body: tc.body, ct: tc.ct, headers: tc.headers}), tc.status)
		})
	}
	assertNoStateChange(t, e.tc)
}

func TestGetDossier(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	rec := e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001", as: &officer})
	if rec.Code != 200 || rec.Header().Get("ETag") != `"3"` {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	var v domain.View
	_ = json.Unmarshal(rec.Body.Bytes(), &v)
	if !reflect.DeepEqual(v.AllowedActions, []domain.Action{domain.ActAccept, domain.ActReturn, domain.ActReject}) {
		t.Errorf("officer allowed %v", v.AllowedActions)
	}
	for _, key := range []string{`"documents":[{`, `"missing_documents":[]`, `"returned_from":null`} {
		if !strings.Contains(rec.Body.String(), key) {
			t.Errorf("body lacks %s: %s", key, rec.Body.String())
		}
	}
	if rec := e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001", as: &officer, headers: map[string]string{"If-None-Match": `"3"`}}); rec.Code != 304 {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001", as: &unitB}), 404)
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001/history", as: &unitB}), 404)
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000404", as: &officer}), 404)
	// A unit head who also sits on the council is not unit-scoped.
	if rec := e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001", as: &unitPlus}); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"allowed_actions":[]`) {
		t.Errorf("unit+council: %d %s", rec.Code, rec.Body.String())
	}
	rec = e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001/history", as: &unitA})
	if rec.Code != 200 || rec.Body.String() != `{"items":[]}` {
		t.Errorf("history %d %s", rec.Code, rec.Body.String())
	}
	e.store.err = serviceerror.NewUnavailable("db down") // any unreachable dependency
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001", as: &officer}), 503)
	e.store.err = &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/dossiers", as: &officer}), 503)
}

func TestList(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	b := view("HS-2025-000002", domain.Appraisal)
	b.Unit = "SYT"
	e.store.put(b)

	rec := e.do(req{method: "GET", path: "/api/v1/dossiers", as: &officer})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "HS-2025-000001") || !strings.Contains(rec.Body.String(), "HS-2025-000002") {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	if e.store.lastF.Limit != DefaultLimit {
		t.Errorf("default limit %d", e.store.lastF.Limit)
	}
	if strings.Contains(rec.Body.String(), "next_cursor") {
		t.Error("next_cursor on the last page")
	}
	rec = e.do(req{method: "GET", path: "/api/v1/dossiers?stage=reception&limit=10&overdue=true&q=Lo+Van+A", as: &unitA})
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "HS-2025-000002") || e.store.lastF.Unit != "SGDDT" ||
		e.store.lastF.Limit != 10 || !e.store.lastF.Overdue || e.store.lastF.Q != "Lo Van A" {
		t.Fatalf("unit list %d %s %+v", rec.Code, rec.Body.String(), e.store.lastF)
	}
	// overdue=false is a filter too, not ignored.
	rec = e.do(req{method: "GET", path: "/api/v1/dossiers?overdue=false", as: &unitA})
	if rec.Code != 200 || !e.store.lastF.NotOverdue || e.store.lastF.Overdue {
		t.Fatalf("overdue=false %d %+v", rec.Code, e.store.lastF)
	}
	rec = e.do(req{method: "GET", path: "/api/v1/dossiers?unit=SYT", as: &unitA})
	if rec.Code != 200 || rec.Body.String() != `{"items":[]}` {
		t.Fatalf("other unit: %d %s", rec.Code, rec.Body.String())
	}
	for q, field := range map[string]string{
		"stage=nowhere": "stage", "status=pending": "status", "award=NOPE": "award", "overdue=yes": "overdue",
		"limit=0": "limit", "limit=201": "limit", "limit=ten": "limit", "cursor=zzz": "cursor",
		"q=" + url.QueryEscape(strings.Repeat("a", maxName+1)): "q", "q=%ff": "q",
	} {
		p := problemOf(t, e.do(req{method: "GET", path: "/api/v1/dossiers?" + q, as: &officer}), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("%s: errors %+v", q, p.Errors)
		}
	}
}

func TestTasksAndAwards(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	e.store.put(view("HS-2025-000002", domain.Council))
	rec := e.do(req{method: "GET", path: "/api/v1/tasks", as: &officer})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"items":[{`) || !strings.Contains(rec.Body.String(), `"allowed_actions":["accept","return","reject"]`) ||
		strings.Contains(rec.Body.String(), "HS-2025-000002") {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	rec = e.do(req{method: "GET", path: "/api/v1/tasks", as: &unitB})
	if rec.Body.String() != `{"items":[]}` {
		t.Fatalf("%s", rec.Body.String())
	}
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/tasks?limit=0", as: &officer}), 422)
	rec = e.do(req{method: "GET", path: "/api/v1/awards", as: &unitA})
	var got struct{ Items []domain.Award }
	_ = json.Unmarshal(rec.Body.Bytes(), &got)
	if len(got.Items) != len(domain.Catalogue) {
		t.Errorf("awards %d", len(got.Items))
	}
}

func TestReadyz(t *testing.T) {
	e := newEnv(t)
	e.tc.On("CheckHealth", mock.Anything, mock.Anything).Return(&client.CheckHealthResponse{}, nil).Once()
	if rec := e.do(req{method: "GET", path: "/readyz"}); rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	e.tc.On("CheckHealth", mock.Anything, mock.Anything).Return(nil, serviceerror.NewUnavailable("down")).Once()
	rec := e.do(req{method: "GET", path: "/readyz"})
	p := problemOf(t, rec, 503)
	if rec.Header().Get("Retry-After") == "" || !strings.Contains(p.Detail, "temporal") {
		t.Errorf("%+v %v", p, rec.Header())
	}
	e.tc.On("CheckHealth", mock.Anything, mock.Anything).Return(&client.CheckHealthResponse{}, nil).Once()
	e.store.pingErr = errors.New("db down")
	p = problemOf(t, e.do(req{method: "GET", path: "/readyz"}), 503)
	if !strings.Contains(p.Detail, "database") {
		t.Errorf("%+v", p)
	}
}

func TestRecoverAndMetrics(t *testing.T) {
	e := newEnv(t)
	e.s.engine.GET("/panic", func(c *gin.Context) { panic("oops") })
	problemOf(t, e.do(req{method: "GET", path: "/panic"}), 500)
	e.store.put(view("HS-2025-000001", domain.Reception))
	e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-000001", as: &officer})
	// /metrics is not on the public port (API.md: the admin network only).
	problemOf(t, e.do(req{method: "GET", path: "/metrics"}), 404)
	rec := httptest.NewRecorder()
	metrics.Handler(e.s.registry).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if !strings.Contains(body, `http_request_duration_seconds_count{method="GET",route="/api/v1/dossiers/:id",status="200"} 1`) ||
		!strings.Contains(body, `route="/panic",status="500"`) || strings.Contains(body, "HS-2025") {
		t.Fatalf("metrics:\n%s", body)
	}
}

func TestGracefulShutdown(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	slow := &mockHandleSlow{v: view("HS-2025-000001", domain.Appraisal), d: 300 * time.Millisecond}
	e.tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(slow, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.s.Serve(ctx, ln) }()
	r, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/api/v1/dossiers/HS-2025-000001/actions/accept", nil)
	r.Header.Set("Authorization", "Bearer "+token(t, officer))
	res := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Error(err)
			res <- nil
			return
		}
		res <- resp
	}()
	time.Sleep(100 * time.Millisecond) // the request is in flight
	cancel()
	resp := <-res
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("in-flight request: %v", resp)
	}
	resp.Body.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

type mockHandleSlow struct {
	client.WorkflowUpdateHandle
	v domain.View
	d time.Duration
}

func (m *mockHandleSlow) Get(ctx context.Context, ptr any) error {
	time.Sleep(m.d)
	*(ptr.(*workflows.Outcome)) = workflows.Outcome{View: m.v}
	return nil
}

// API.md Errors: detail and each field's message in Vietnamese when the
// request says Accept-Language: vi; English otherwise.
func TestProblemsInVietnamese(t *testing.T) {
	e := newEnv(t)
	e.store.put(view("HS-2025-000001", domain.Reception))
	vi := map[string]string{"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}

	p := problemOf(t, e.do(req{method: "GET", path: "/api/v1/dossiers/HS-2025-999999", as: &officer, headers: vi}), 404)
	if !strings.Contains(p.Detail, "Không tìm thấy hồ sơ") {
		t.Errorf("404: %q", p.Detail)
	}
	p = problemOf(t, e.do(req{method: "GET", path: "/api/v1/dossiers", headers: vi}), 401)
	if !strings.Contains(p.Detail, "mã truy cập") {
		t.Errorf("401: %q", p.Detail)
	}
	long := `{"comment":"` + strings.Repeat("a", maxComment+1) + `"}`
	p = problemOf(t, e.do(req{method: "POST", path: "/api/v1/dossiers/HS-2025-000001/actions/reject", as: &officer, body: long, headers: vi}), 422)
	if len(p.Errors) != 1 || p.Errors[0].Field != "comment" || p.Errors[0].Message != "Ý kiến quá dài" {
		t.Errorf("422: %+v", p.Errors)
	}

	e.expectAttach(refusalErr(domain.Error{Kind: domain.ErrConflict, Stage: domain.Appraisal,
		Detail: "approve is not allowed while the dossier is in stage appraisal"}))
	p = problemOf(t, e.do(req{method: "POST", path: "/api/v1/dossiers/HS-2025-000001/actions/approve", as: &officer, headers: vi}), 409)
	if !strings.Contains(p.Detail, "giai đoạn «thẩm định»") || p.Stage != domain.Appraisal {
		t.Errorf("409: %+v", p)
	}
	// The same refusal in English for a client that does not ask.
	p = problemOf(t, e.do(req{method: "POST", path: "/api/v1/dossiers/HS-2025-000001/actions/approve", as: &officer}), 409)
	if !strings.Contains(p.Detail, "not allowed") {
		t.Errorf("409 in English: %q", p.Detail)
	}
}

// A fresh dossier id that Temporal already has (the id sequence is behind
// Temporal: a read model restored without `tdkt reproject`) is an error,
// never an answer with that other dossier.
func TestSubmitFreshIDAlreadyInTemporal(t *testing.T) {
	e := newEnv(t)
	e.tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(
		nil, serviceerror.NewWorkflowExecutionAlreadyStarted("started", "", ""))
	rebuilt := false
	e.reconcile = func(ctx context.Context, id string) error { rebuilt = true; return nil }
	problemOf(t, e.do(req{method: "POST", path: "/api/v1/dossiers", as: &unitA, body: goodSubmission}), 500)
	if rebuilt || !strings.Contains(e.logs.String(), "tdkt reproject") {
		t.Errorf("rebuilt %v; logs %s", rebuilt, e.logs.String())
	}
}
