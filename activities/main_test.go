package activities_test

import (
	"os"
	"testing"

	"tdkt/devenv"
	"tdkt/store"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

func newStore(t *testing.T) *store.Store { return devenv.TestStore(t) }
