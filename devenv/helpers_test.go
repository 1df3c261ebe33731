package devenv

import (
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"
)

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func httpGet(url string) (int, error) {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// openTempDir is a temporary directory others may enter: as root the
// postgres user must reach a data directory inside it (t.TempDir's parent is
// 0700).
func openTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "devenv-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
