//go:build capture

package workflows_test

import (
	"fmt"
	"os"
	"path/filepath"
)

// Built with -tags capture, the integration test saves each path's history
// for the replay tests (see README, "Replay tests") into a NEW generation,
// testdata/histories/g<N+1>: the histories of every released generation
// stay and replay, since dossiers started by that code may still be
// running.
func init() {
	n := 0
	for {
		if _, err := os.Stat(filepath.Join("testdata", "histories", fmt.Sprintf("g%d", n+1))); err != nil {
			break
		}
		n++
	}
	captureDir = filepath.Join("testdata", "histories", fmt.Sprintf("g%d", n+1))
	if err := os.MkdirAll(captureDir, 0o755); err != nil {
		panic(err)
	}
}
