package sqlstore

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentOpenMigratesOnce opens several stores on one fresh
// database at once: every open succeeds and the schema is migrated once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dialects(t, func(t *testing.T, _ func(*testing.T, *Options) *Store) {
		var open func() (*Store, error)
		if t.Name() == "TestConcurrentOpenMigratesOnce/sqlite" {
			path := t.TempDir() + "/shared.db"
			open = func() (*Store, error) { return openSQLiteFile(path, nil) }
		} else {
			cfg := pgSchema(t)
			open = func() (*Store, error) {
				return openPostgresPool(context.Background(), pgPool(t, cfg), nil)
			}
		}
		const n = 4
		stores := make([]*Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stores[i], errs[i] = open()
			}()
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			defer stores[i].Close()
		}
		var versions, max int
		require.NoError(t, stores[0].rdb.QueryRow(
			"SELECT COUNT(*), MAX(version) FROM advox_schema_migrations").Scan(&versions, &max))
		ms, err := migrations()
		require.NoError(t, err)
		assert.Equal(t, len(ms), versions, "each version applied once")
		assert.Equal(t, len(ms), max)

		// Every instance works on the shared database.
		ctx := testCtx(t)
		for i, s := range stores {
			require.NoError(t, s.Record(ctx, testRecord(idOf("m", i), "acct", t0, "")))
		}
		for i := range stores {
			_, err := stores[(i+1)%n].Get(ctx, idOf("m", i))
			assert.NoError(t, err)
		}
	})
}

// TestReopenKeepsData reopens a SQLite file: migrations are idempotent
// and the records are still there.
func TestReopenKeepsData(t *testing.T) {
	path := t.TempDir() + "/traffic.db"
	s, err := openSQLiteFile(path, nil)
	require.NoError(t, err)
	r := testRecord("keep", "acct", t0, "op-1")
	require.NoError(t, s.Record(testCtx(t), r))
	require.NoError(t, s.Close())

	s, err = openSQLiteFile(path, nil)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Get(testCtx(t), "keep")
	require.NoError(t, err)
	assert.Equal(t, r.Parts[0].OperatorID, got.Parts[0].OperatorID)
	var versions int
	require.NoError(t, s.rdb.QueryRow("SELECT COUNT(*) FROM advox_schema_migrations").Scan(&versions))
	ms, err := migrations()
	require.NoError(t, err)
	assert.Equal(t, len(ms), versions)
}
