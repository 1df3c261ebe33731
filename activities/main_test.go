package activities_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"tdkt/devenv"
	"tdkt/store"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

func newStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, devenv.TestPostgres(t))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, store.Migrate(ctx, st.DB.DB, "up"))
	return st
}
