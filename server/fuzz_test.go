package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"

	"tdkt/domain"
)

func stateChanges(e *env) int {
	n := 0
	for _, call := range e.tc.Calls {
		for _, m := range stateChanging {
			if call.Method == m {
				n++
			}
		}
	}
	return n
}

// FuzzSubmitBody: whatever the body, never a 5xx; a refusal starts nothing.
func FuzzSubmitBody(f *testing.F) {
	for _, s := range []string{goodSubmission, "", "{}", "null", "[]", `{"award_code":null}`, `{"nominee":[]}`,
		`{"award_code":"BK_UBND_TINH","kind":"adhoc","procedure":"simplified","achievement_period":"2025","nominee":{"type":"collective","name":"Trường A"}}`,
		`{"award_code":"CSTD_TINH","kind":"merit","achievement_period":"2025","nominee":{"type":"individual","name":"\ud800"}}`,
		"{\"a\":\"\xff\"}", strings.Repeat("[", 100), `{"summary":1e999}`, `{"procedure":"SIMPLIFIED"}`} {
		f.Add(s, "application/json", "key-1")
	}
	f.Add(goodSubmission, "text/plain", "")
	f.Add(goodSubmission, "application/merge-patch+json; charset=utf-8", strings.Repeat("k", 200))
	e := newEnv(f)
	e.tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(run(), nil).Maybe()
	f.Fuzz(func(t *testing.T, body, ct, key string) {
		before := stateChanges(e)
		r := httptest.NewRequest("POST", "/api/v1/dossiers", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		r.Header.Set("Authorization", "Bearer "+token(t, unitA))
		if validHeader(key) {
			r.Header.Set("Idempotency-Key", key)
		}
		rec := httptest.NewRecorder()
		e.s.Handler().ServeHTTP(rec, r)
		checkAnswer(t, rec, before, stateChanges(e))
	})
}

// FuzzActionBody: whatever the action, body and If-Match, never a 5xx; a
// refusal by the API reaches no workflow. (The mock workflow accepts
// everything, so every 4xx here is the API's own.)
func FuzzActionBody(f *testing.F) {
	for _, s := range []struct{ action, body, ifMatch string }{
		{"accept", "", ""}, {"return", `{"comment":"thiếu","missing":["bien_ban_hop"]}`, `"3"`},
		{"vote", `{"approve":true}`, ""}, {"vote", `{"approve":"yes"}`, ""}, {"decide", `{"number":"1/QĐ-TTg","date":"2025-12-20"}`, "*"},
		{"fly", "{}", ""}, {"reject", `{"comment":null}`, `W/"1"`}, {"cancel", `{"missing":{}}`, `"-1"`},
		{"accept", `{"comment":"a"}{"comment":"b"}`, `"99999999999999999999"`}, {"accept", strings.Repeat(`{"a":`, 50), ""},
	} {
		f.Add(s.action, s.body, s.ifMatch)
	}
	e := newEnv(f)
	e.store.put(view("HS-2025-000001", domain.Reception))
	e.tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(handle(view("HS-2025-000001", domain.Appraisal), nil), nil).Maybe()
	f.Fuzz(func(t *testing.T, action, body, ifMatch string) {
		before := stateChanges(e)
		r := httptest.NewRequest("POST", "/api/v1/dossiers/HS-2025-000001/actions/x", strings.NewReader(body))
		r.URL.Path = "/api/v1/dossiers/HS-2025-000001/actions/" + action
		r.URL.RawPath = ""
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+token(t, officer))
		if validHeader(ifMatch) {
			r.Header.Set("If-Match", ifMatch)
		}
		rec := httptest.NewRecorder()
		e.s.Handler().ServeHTTP(rec, r)
		checkAnswer(t, rec, before, stateChanges(e))
	})
}

// FuzzListQuery: whatever the query string, never a 5xx, never a change.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{"", "stage=reception", "status=active&limit=200", "limit=0", "limit=-1", "limit=1e3",
		"overdue=true", "overdue=TRUE", "q=Lo+Van+A", "q=%ff%fe", "cursor=c1", "cursor=%00", "award=CSTD_TINH&unit=SGDDT",
		"stage=reception&stage=council", "%zz", "campaign=" + strings.Repeat("x", 300), ";;&&==", "unit=SYT"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	e := newEnv(f)
	e.store.put(view("HS-2025-000001", domain.Reception))
	f.Fuzz(func(t *testing.T, query string, asUnit bool) {
		before := stateChanges(e)
		r := httptest.NewRequest("GET", "/api/v1/dossiers", nil)
		r.URL.RawQuery = query
		who := officer
		if asUnit {
			who = unitB
		}
		r.Header.Set("Authorization", "Bearer "+token(t, who))
		rec := httptest.NewRecorder()
		e.s.Handler().ServeHTTP(rec, r)
		_, parseErr := url.ParseQuery(query)
		switch {
		case parseErr != nil && rec.Code != http.StatusBadRequest && rec.Code != http.StatusRequestURITooLong:
			t.Fatalf("%q: a malformed query string got %d, want 400: %s", query, rec.Code, rec.Body.String())
		case parseErr == nil && rec.Code != http.StatusOK && rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusRequestURITooLong:
			t.Fatalf("%q: status %d: %s", query, rec.Code, rec.Body.String())
		}
		if asUnit && strings.Contains(rec.Body.String(), "HS-2025-000001") {
			t.Fatalf("%q: another unit's dossier leaked", query)
		}
		checkAnswer(t, rec, before, stateChanges(e))
		if stateChanges(e) != before {
			t.Fatal("a list changed state")
		}
	})
}

func validHeader(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] == 0x7f {
			return false
		}
	}
	return true
}

func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, before, after int) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	if rec.Code >= 400 {
		if after != before {
			t.Fatalf("refused with %d after a state-changing Temporal call: %s", rec.Code, rec.Body.String())
		}
		if rec.Header().Get("Content-Type") != ProblemContentType {
			t.Fatalf("%d without problem+json: %s", rec.Code, rec.Body.String())
		}
	}
}
