package server

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"tdkt/app"
)

// The plan's routes refuse before any read: the wrong role (403), a bad
// query or body (422, each field named, in Vietnamese when asked), no
// token (401); and the summary's format follows Accept.
func TestPlanRoutesRefuse(t *testing.T) {
	e := newEnv(t)
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/campaigns"}), http.StatusUnauthorized)
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/reports/summary?year=2026", as: &unitA}), http.StatusForbidden)
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/reports/summary?year=2026", as: &member}), http.StatusForbidden)
	p := problemOf(t, e.do(req{method: "GET", path: "/api/v1/reports/summary?award=NOPE&campaign=có+dấu", as: &officer,
		headers: map[string]string{"Accept-Language": "vi"}}), http.StatusUnprocessableEntity)
	if got := fields(p); !reflect.DeepEqual(got, []string{"award", "campaign", "year"}) {
		t.Errorf("fields %v", got)
	}
	// In Vietnamese, each message starts with the field's name (Năm,
	// Đợt thi đua, Hình thức khen thưởng), not with the English sentence.
	for _, f := range p.Errors {
		if name := app.FieldNames[f.Field]; name == "" || !strings.HasPrefix(f.Message, name) {
			t.Errorf("field %s: message %q", f.Field, f.Message)
		}
	}
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/campaigns?year=x&kind=y", as: &unitA}), http.StatusUnprocessableEntity)

	problemOf(t, e.do(req{method: "POST", path: "/api/v1/campaigns", as: &unitA, body: `{"code":"x"}`}), http.StatusForbidden)
	problemOf(t, e.do(req{method: "POST", path: "/api/v1/campaigns", as: &officer, body: `{"code":`}), http.StatusBadRequest)
	p = problemOf(t, e.do(req{method: "POST", path: "/api/v1/campaigns", as: &officer,
		body: `{"code":"2026-x","name":"Đợt","year":2026,"kind":"thematic","opens":"2026-05-01","closes":"2026-04-01","awards":["TTLDXS"]}`}),
		http.StatusUnprocessableEntity)
	if got := fields(p); !reflect.DeepEqual(got, []string{"closes"}) {
		t.Errorf("fields %v", got)
	}
	problemOf(t, e.do(req{method: "GET", path: "/api/v1/campaigns/c%C3%B3%20d%E1%BA%A5u", as: &unitA}), http.StatusNotFound)
	assertNoStateChange(t, e.tc)
}

func TestReportFormat(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                 "application/json",
		"*/*":                              "application/json",
		"text/csv":                         app.CSVType,
		"text/csv; charset=utf-8":          app.CSVType,
		app.XLSXType:                       app.XLSXType,
		"application/json, text/csv;q=0.5": "application/json",
		"text/csv;q=0, " + app.XLSXType:    app.XLSXType,
		"text/html":                        "application/json",
	} {
		if got := reportFormat(accept); got != want {
			t.Errorf("Accept %q: %s, want %s", accept, got, want)
		}
	}
}
