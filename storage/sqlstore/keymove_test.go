package sqlstore

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// TestKeysMoveConcurrentOpens: several stores opening the same traffic
// file of the version-2 layout (keys in main) at once all succeed — none
// finds the old table gone between checking for it and copying from it —
// and every key ends up in the keys file exactly once.
func TestKeysMoveConcurrentOpens(t *testing.T) {
	const rounds, opens, keys = 5, 8, 3
	for round := range rounds {
		path := filepath.Join(t.TempDir(), "old.db")
		ctx := testCtx(t)
		s, err := openSQLiteFile(path, nil)
		require.NoError(t, err)
		for i := range keys {
			_, err := s.EnsureKey(ctx, storage.DataKey{ID: fmt.Sprintf("k-%d", i), Account: fmt.Sprintf("acct-%d", i),
				Wrapped: []byte("w"), CreatedAt: t0})
			require.NoError(t, err)
		}
		// Back to the version-2 layout, as TestKeysMoveOutOfTrafficDatabase.
		for _, q := range []string{
			"CREATE TABLE main.advox_keys AS SELECT * FROM keys.advox_keys",
			"DELETE FROM keys.advox_keys",
			"DELETE FROM advox_schema_migrations WHERE version > 2",
		} {
			_, err := s.w.db.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
		require.NoError(t, s.Close())

		var wg sync.WaitGroup
		stores := make([]*Store, opens)
		errs := make([]error, opens)
		for i := range opens {
			wg.Go(func() { stores[i], errs[i] = openSQLiteFile(path, nil) })
		}
		wg.Wait()
		for i := range opens {
			if assert.NoError(t, errs[i], "round %d: open %d", round, i) {
				require.NoError(t, stores[i].Close())
			}
		}

		s, err = openSQLiteFile(path, nil)
		require.NoError(t, err)
		var n, distinct, old int
		require.NoError(t, s.rdb.QueryRowContext(ctx,
			"SELECT count(*), count(DISTINCT id) FROM keys.advox_keys").Scan(&n, &distinct))
		assert.Equal(t, keys, n, "round %d: each key in the keys file once", round)
		assert.Equal(t, keys, distinct)
		require.NoError(t, s.rdb.QueryRowContext(ctx,
			"SELECT count(*) FROM main.sqlite_master WHERE name = 'advox_keys'").Scan(&old))
		assert.Zero(t, old, "round %d: the old table is gone", round)
		require.NoError(t, s.Close())
	}
}
