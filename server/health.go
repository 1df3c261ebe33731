package server

import (
	"context"
	_ "embed"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
)

//go:embed openapi.yaml
var openapiYAML []byte

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 when Temporal and the database both answer within
// ReadyTimeout, else 503 naming what is down.
func (s *Server) readyz(c *gin.Context) {
	type result struct {
		name string
		err  error
	}
	ch := make(chan result, 2)
	go func() {
		ctx, cancel := context.WithTimeout(c.Request.Context(), ReadyTimeout)
		defer cancel()
		_, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
		ch <- result{"temporal", err}
	}()
	go func() {
		ctx, cancel := context.WithTimeout(c.Request.Context(), ReadyTimeout)
		defer cancel()
		ch <- result{"database", s.store.Ping(ctx)}
	}()
	var down []string
	for range 2 {
		r := <-ch
		if r.err != nil {
			down = append(down, r.name)
			s.log.Warn("not ready", "request_id", requestID(c), "dependency", r.name, "error", r.err)
		}
	}
	if len(down) > 0 {
		fail(c, http.StatusServiceUnavailable, "not ready: %s unreachable", strings.Join(down, " and "))
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

func (s *Server) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", openapiYAML)
}
