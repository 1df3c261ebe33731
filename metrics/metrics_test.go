package metrics

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

func TestMiddlewareUsesRouteTemplate(t *testing.T) {
	gin.SetMode(gin.TestMode)
	reg := NewRegistry()
	h, err := NewHTTP(reg)
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.Use(h.Middleware())
	r.GET("/api/v1/dossiers/:id", func(c *gin.Context) { c.Status(http.StatusTeapot) })
	for _, p := range []string{"/api/v1/dossiers/HS-2025-000001", "/api/v1/dossiers/HS-2025-000002", "/nowhere/123"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	req := httptest.NewRequest("BREW", "/api/v1/dossiers/x", nil)
	r.ServeHTTP(httptest.NewRecorder(), req)

	rec := httptest.NewRecorder()
	Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`http_request_duration_seconds_count{method="GET",route="/api/v1/dossiers/:id",status="418"} 2`,
		`http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`method="OTHER"`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "HS-2025") {
		t.Error("raw path leaked into labels")
	}
}

func TestTemporalHandler(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := NewTemporalHandler(reg)

	base := h.WithTags(map[string]string{"namespace": "default", "task_queue": "q"})
	base.Counter("temporal_request").Inc(2)
	// A different tag set for the same name: extra dropped, missing filled with "".
	base.WithTags(map[string]string{"operation": "StartWorkflow"}).Counter("temporal_request").Inc(1)
	h.Counter("temporal_request").Inc(1)
	h.Counter("temporal_request").Inc(-5) // never panics, ignored

	base.Gauge("temporal_worker_task_slots_available").Update(7)
	base.Timer("temporal_request_latency").Record(250 * time.Millisecond)

	if got := value(t, reg, "temporal_request", "default", "q"); got != 3 {
		t.Errorf("counter default/q = %v, want 3 (operation dropped)", got)
	}
	if got := value(t, reg, "temporal_request", "", ""); got != 1 {
		t.Errorf("counter with no tags = %v, want 1 (absent tags empty, negative ignored)", got)
	}
	if got := value(t, reg, "temporal_worker_task_slots_available", "default", "q"); got != 7 {
		t.Errorf("gauge = %v", got)
	}
	if got := value(t, reg, "temporal_request_latency", "default", "q"); got != 1 {
		t.Errorf("histogram count = %v", got)
	}

	// Hostile input never panics: bad names, a name used as two kinds,
	// invalid UTF-8 values, reserved label names.
	weird := h.WithTags(map[string]string{"0bad key": "x", "__name": "y", "ok": "\xff\xfe"})
	weird.Counter("weird-name.with dots").Inc(1)
	weird.Gauge("temporal_request").Update(1)
	weird.Timer("temporal_request").Record(time.Second)
	weird.Counter("").Inc(1)
	h.Gauge("g").Update(-1)
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("gather after hostile input: %v", err)
	}
}

func TestTemporalHandlerSurvivesClash(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "taken", Help: "x"}))
	h := NewTemporalHandler(reg)
	h.WithTags(map[string]string{"a": "b"}).Counter("taken").Inc(1) // clash: discarded
	h.Counter("taken").Inc(1)
	if _, err := reg.Gather(); err != nil {
		t.Fatal(err)
	}
}

// value is a series' counter or gauge value, or a histogram's sample count.
func value(t *testing.T, reg *prometheus.Registry, name string, values ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := len(m.GetLabel()) == len(values)
			for i, l := range m.GetLabel() {
				match = match && i < len(values) && l.GetValue() == values[i]
			}
			if !match {
				continue
			}
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue()
			case m.Gauge != nil:
				return m.GetGauge().GetValue()
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	t.Fatalf("no series %s%q", name, values)
	return 0
}

func TestPendingGauges(t *testing.T) {
	reg := prometheus.NewRegistry()
	n, err := 3, error(nil)
	if err := RegisterPending(reg, func() (int, time.Duration, error) { return n, 90 * time.Second, err }); err != nil {
		t.Fatal(err)
	}
	if got := value(t, reg, "tdkt_projection_pending"); got != 3 {
		t.Fatalf("pending %v", got)
	}
	if got := value(t, reg, "tdkt_projection_pending_oldest_seconds"); got != 90 {
		t.Fatalf("oldest %v", got)
	}
	err = errors.New("database away")
	if got := value(t, reg, "tdkt_projection_pending"); got != -1 {
		t.Fatalf("pending with the database away %v", got)
	}
}
