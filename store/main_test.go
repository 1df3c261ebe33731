package store_test

import (
	"os"
	"testing"

	"tdkt/devenv"
	"tdkt/store"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

// newStore is a migrated store on a fresh database.
func newStore(t *testing.T) *store.Store { return devenv.TestStore(t) }

// freshURL is a fresh, unmigrated database.
func freshURL(t *testing.T) string { return devenv.TestPostgres(t) }
