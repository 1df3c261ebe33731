package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"tdkt/devenv"
	"tdkt/store"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

// newStore is a migrated store on a fresh database.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, devenv.TestPostgres(t))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, store.Migrate(ctx, st.DB.DB, "up"))
	return st
}

// freshURL is a fresh, unmigrated database.
func freshURL(t *testing.T) string { return devenv.TestPostgres(t) }
