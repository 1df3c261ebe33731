//go:build capture

package workflows_test

// Built with -tags capture, the integration test saves each path's history
// into testdata/histories for the replay tests (see README, "Replay tests").
func init() { captureDir = "testdata/histories" }
