package main

import (
	"context"
	"strings"
	"testing"
)

// Outside `tdkt dev`, the API and the worker refuse to start without a key
// for Temporal payloads: the secret ballot depends on it. The refusal comes
// before anything is opened, so no database or Temporal is needed here.
func TestAPIAndWorkerRefuseToStartWithoutPayloadKey(t *testing.T) {
	t.Setenv("TDKT_JWT_SECRET", "a-development-secret-of-32-chars!")
	t.Setenv("TDKT_PAYLOAD_KEY", "")
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none?sslmode=disable")
	for name, cmd := range map[string]func() error{
		"api":    func() error { c := apiCmd(); c.SetArgs(nil); return c.ExecuteContext(context.Background()) },
		"worker": func() error { c := workerCmd(); c.SetArgs(nil); return c.ExecuteContext(context.Background()) },
	} {
		err := cmd()
		if err == nil || !strings.Contains(err.Error(), "TDKT_PAYLOAD_KEY is not set") {
			t.Errorf("%s started without a payload key: %v", name, err)
		}
	}
}
