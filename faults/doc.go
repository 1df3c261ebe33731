// Package faults is the fault and bad-input suite: it builds the tdkt binary,
// runs `tdkt worker` and `tdkt api` as separate processes over a real
// PostgreSQL and a real Temporal dev server with file persistence, drives
// dossiers over HTTP, and breaks things on purpose: a worker killed mid-path,
// the database stopped, the API killed, Temporal restarted. Each case checks
// that nothing accepted is lost, nothing is recorded twice, and the read model
// agrees with the workflows. The bad-input tests throw malformed and hostile
// requests at the running API and check that each is refused (4xx,
// problem+json) and changes nothing.
//
// Everything lives in the tests (go test ./faults/, or make test-faults);
// this file only documents the package.
package faults
