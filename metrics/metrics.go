// Package metrics is the engine's Prometheus instrumentation: one registry,
// request-duration histograms for the HTTP API, and an adapter that turns the
// Temporal SDK's metrics into Prometheus series.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewRegistry returns a registry holding the Go runtime and process collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Handler serves the registry's metrics in the Prometheus exposition format.
func Handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// HTTP holds the API's request metrics.
type HTTP struct {
	duration *prometheus.HistogramVec
}

// NewHTTP registers the request-duration histogram on reg.
func NewHTTP(reg prometheus.Registerer) (*HTTP, error) {
	h := &HTTP{duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route template, method and status.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route", "method", "status"})}
	if err := reg.Register(h.duration); err != nil {
		return nil, err
	}
	return h, nil
}

// UnmatchedRoute labels requests that matched no route, so that arbitrary
// paths cannot blow up the series count.
const UnmatchedRoute = "unmatched"

// Middleware records every request's duration by its route template
// (c.FullPath(), never the raw path), method and status.
func (h *HTTP) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = UnmatchedRoute
		}
		h.duration.WithLabelValues(route, method(c.Request.Method), strconv.Itoa(c.Writer.Status())).
			Observe(time.Since(start).Seconds())
	}
}

// method bounds the method label to the standard methods.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// RegisterPending registers the read model's backlog of transitions an API
// marked and did not write (reconcile/): tdkt_projection_pending, how many,
// and tdkt_projection_pending_oldest_seconds, the oldest's age. Both stay
// near zero; a growing backlog means the workers' reconcilers are down or
// cannot reach Temporal. count is asked at each scrape.
func RegisterPending(reg prometheus.Registerer, count func() (int, time.Duration, error)) error {
	read := func() (float64, float64) {
		n, oldest, err := count()
		if err != nil {
			return -1, -1 // the scrape shows the read model could not say
		}
		return float64(n), oldest.Seconds()
	}
	for _, g := range []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tdkt_projection_pending",
			Help: "Transitions recorded in Temporal (or being sent) that an API marked and has not yet written into the read model; -1 when the read model does not answer."},
			func() float64 { n, _ := read(); return n }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tdkt_projection_pending_oldest_seconds",
			Help: "Age of the oldest such mark, in seconds; -1 when the read model does not answer."},
			func() float64 { _, s := read(); return s }),
	} {
		if err := reg.Register(g); err != nil {
			return err
		}
	}
	return nil
}
