package metrics

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// NewTemporalHandler adapts the Temporal SDK's metrics onto Prometheus, for
// client.Options.MetricsHandler. Counters become counters, gauges gauges and
// timers histograms in seconds. Prometheus wants one label set per metric
// name while the SDK varies its tags; so the label set of a name is fixed at
// its first use, absent tags are filled with "" and extra tags dropped. A
// metric that cannot be registered (a name clash with another collector) is
// silently discarded: metrics must never break a worker or the API.
func NewTemporalHandler(reg prometheus.Registerer) client.MetricsHandler {
	return &temporalHandler{vecs: &vecs{reg: reg, byName: map[string]*vec{}}}
}

type kind int

const (
	counterKind kind = iota
	gaugeKind
	timerKind
)

// vec is one registered metric family.
type vec struct {
	kind   kind
	labels []string // sorted, sanitized label names
	keys   []string // the SDK tag keys the labels came from, same order
	c      *prometheus.CounterVec
	g      *prometheus.GaugeVec
	h      *prometheus.HistogramVec
}

type vecs struct {
	reg    prometheus.Registerer
	mu     sync.Mutex
	byName map[string]*vec // by sanitized name and kind
}

type temporalHandler struct {
	vecs *vecs
	tags map[string]string
}

func (h *temporalHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	for k, v := range h.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	return &temporalHandler{vecs: h.vecs, tags: merged}
}

func (h *temporalHandler) Counter(name string) client.MetricsCounter {
	v, values := h.vecs.get(name, counterKind, h.tags)
	if v == nil {
		return nop{}
	}
	c, err := v.c.GetMetricWithLabelValues(values...)
	if err != nil {
		return nop{}
	}
	return counter{c}
}

func (h *temporalHandler) Gauge(name string) client.MetricsGauge {
	v, values := h.vecs.get(name, gaugeKind, h.tags)
	if v == nil {
		return nop{}
	}
	g, err := v.g.GetMetricWithLabelValues(values...)
	if err != nil {
		return nop{}
	}
	return gauge{g}
}

func (h *temporalHandler) Timer(name string) client.MetricsTimer {
	v, values := h.vecs.get(name, timerKind, h.tags)
	if v == nil {
		return nop{}
	}
	o, err := v.h.GetMetricWithLabelValues(values...)
	if err != nil {
		return nop{}
	}
	return timer{o}
}

// get finds or registers the family of name and kind and returns the label
// values for tags in the family's fixed label order.
func (s *vecs) get(name string, k kind, tags map[string]string) (*vec, []string) {
	pname := sanitize(name)
	key := pname
	switch k {
	case counterKind:
		key += "#c"
	case gaugeKind:
		key += "#g"
	case timerKind:
		key += "#t"
	}
	s.mu.Lock()
	v, ok := s.byName[key]
	if !ok {
		v = s.register(pname, k, tags)
		s.byName[key] = v // nil too: do not retry a failed registration
	}
	s.mu.Unlock()
	if v == nil {
		return nil, nil
	}
	values := make([]string, len(v.keys))
	for i, key := range v.keys {
		values[i] = tags[key] // absent: ""
	}
	return v, values
}

func (s *vecs) register(name string, k kind, tags map[string]string) *vec {
	keys := make([]string, 0, len(tags))
	for key := range tags {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	v := &vec{kind: k}
	seen := map[string]bool{}
	for _, key := range keys {
		l := sanitize(key)
		if strings.HasPrefix(l, "__") || seen[l] {
			continue
		}
		seen[l] = true
		v.labels = append(v.labels, l)
		v.keys = append(v.keys, key)
	}
	var c prometheus.Collector
	help := "Temporal SDK metric " + name + "."
	switch k {
	case counterKind:
		v.c = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, v.labels)
		c = v.c
	case gaugeKind:
		v.g = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, v.labels)
		c = v.g
	case timerKind:
		v.h = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help,
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, v.labels)
		c = v.h
	}
	if err := register(s.reg, c); err != nil {
		return nil
	}
	return v
}

// register registers c, turning a panic of a misbehaving Registerer into an error.
func register(reg prometheus.Registerer, c prometheus.Collector) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errPanic
		}
	}()
	return reg.Register(c)
}

type panicError struct{}

func (panicError) Error() string { return "metrics: registration panicked" }

var errPanic error = panicError{}

// sanitize turns any string into a valid Prometheus metric or label name.
func sanitize(s string) string {
	if s == "" {
		return "_"
	}
	b := []byte(s)
	for i, c := range b {
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9')
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}

type counter struct{ c prometheus.Counter }

func (c counter) Inc(d int64) {
	if d > 0 { // a Prometheus counter panics on a negative increment
		c.c.Add(float64(d))
	}
}

type gauge struct{ g prometheus.Gauge }

func (g gauge) Update(v float64) { g.g.Set(v) }

type timer struct{ o prometheus.Observer }

func (t timer) Record(d time.Duration) { t.o.Observe(d.Seconds()) }

type nop struct{}

func (nop) Inc(int64)            {}
func (nop) Update(float64)       {}
func (nop) Record(time.Duration) {}
