package sqlstore

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// TestBackupUnreadableAfterErase: a backup of the traffic database taken
// before an erase holds the erased account's ciphertext but not its key,
// so after DestroyKeys nothing in the backup can be unsealed; other
// accounts in the same backup stay readable.
func TestBackupUnreadableAfterErase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "traffic.db")
	ctx := testCtx(t)
	s, err := openSQLiteFile(path, nil)
	require.NoError(t, err)
	_, r1 := sealedRecord(t, ctx, s, "k-erased", "acct-e", "WRAPPED-KEY-OF-ACCT-E", "msg-e")
	kept, r2 := sealedRecord(t, ctx, s, "k-kept", "acct-k", "WRAPPED-KEY-OF-ACCT-K", "msg-k")
	require.NoError(t, s.Record(ctx, r1, r2))

	backup := filepath.Join(dir, "backup.db")
	_, err = s.w.db.ExecContext(ctx, "VACUUM main INTO ?", backup)
	require.NoError(t, err)
	_, err = s.DestroyKeys(ctx, "acct-e")
	require.NoError(t, err)
	_, err = s.EraseAccount(ctx, "acct-e")
	require.NoError(t, err)
	require.NoError(t, s.Close())

	for _, f := range []string{path, backup} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.False(t, bytes.Contains(b, []byte("WRAPPED-KEY-OF")), "%s holds no wrapped key", filepath.Base(f))
	}

	// The backup restored beside the live keys file.
	old, err := openSQLiteFile(backup, &Options{KeysPath: path + ".keys", Now: clockAt(t0)})
	require.NoError(t, err)
	defer old.Close()
	got, err := old.Get(ctx, r1.ID)
	require.NoError(t, err, "the backup still holds the erased account's row")
	_, err = old.Key(ctx, got.Recipient.KeyID)
	assert.ErrorIs(t, err, storage.ErrErased, "but not the key to read it")
	got, err = old.Get(ctx, r2.ID)
	require.NoError(t, err)
	k, err := old.Key(ctx, got.Recipient.KeyID)
	require.NoError(t, err, "other accounts stay readable")
	assert.Equal(t, kept.Wrapped, k.Wrapped)
}

// TestKeysMoveOutOfTrafficDatabase: keys an earlier version kept in the
// traffic database move to the keys file on open, and the old table goes.
func TestKeysMoveOutOfTrafficDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	ctx := testCtx(t)
	s, err := openSQLiteFile(path, nil)
	require.NoError(t, err)
	key, err := s.EnsureKey(ctx, storage.DataKey{ID: "k-old", Account: "acct-o", Wrapped: []byte("w-old"), CreatedAt: t0})
	require.NoError(t, err)
	backToVersion2(t, s)

	s, err = openSQLiteFile(path, nil)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Key(ctx, key.ID)
	require.NoError(t, err, "the key moved")
	assert.Equal(t, key.Wrapped, got.Wrapped)
	var n int
	require.NoError(t, s.rdb.QueryRowContext(ctx,
		"SELECT count(*) FROM main.sqlite_master WHERE name = 'advox_keys'").Scan(&n))
	assert.Zero(t, n, "the traffic database keeps no keys")
}

// TestKeysPath: the keys file defaults to the traffic file's path plus
// ".keys", may be named, and may not be the traffic file itself.
func TestKeysPath(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, keys, want string
	}{
		{"default", "", filepath.Join(dir, "a.db.keys")},
		{"named", filepath.Join(dir, "elsewhere", "ring"), filepath.Join(dir, "elsewhere", "ring")},
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "elsewhere"), 0o700))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := openSQLiteFile(filepath.Join(dir, "a.db"), &Options{KeysPath: tt.keys})
			require.NoError(t, err)
			_, err = s.EnsureKey(testCtx(t), storage.DataKey{ID: "k-" + tt.name, Account: "acct-" + tt.name, Wrapped: []byte("w"), CreatedAt: t0})
			require.NoError(t, err)
			require.NoError(t, s.Close())
			_, err = os.Stat(tt.want)
			assert.NoError(t, err, "keys file at %s", tt.want)
		})
	}
	_, err := openSQLiteFile(filepath.Join(dir, "b.db"), &Options{KeysPath: filepath.Join(dir, "b.db")})
	assert.Error(t, err)
}

// TestMissingKeysFile: a traffic file with sealed records opened without
// its keys file fails with ErrNoKeyring and leaves no keys file behind;
// an empty keys file created on purpose opens, with the old records
// unreadable.
func TestMissingKeysFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "traffic.db")
	ctx := testCtx(t)
	s, err := openSQLiteFile(path, &Options{Now: clockAt(t0)})
	require.NoError(t, err)
	key, r := sealedRecord(t, ctx, s, "k1", "acct", "w", "msg-1")
	require.NoError(t, s.Record(ctx, r))
	require.NoError(t, s.Close())

	moved := filepath.Join(dir, "elsewhere.keys")
	require.NoError(t, os.Rename(path+".keys", moved))
	_, err = openSQLiteFile(path, nil)
	require.ErrorIs(t, err, ErrNoKeyring)
	_, statErr := os.Stat(path + ".keys")
	assert.ErrorIs(t, statErr, os.ErrNotExist, "the failed open leaves no keys file")

	s, err = openSQLiteFile(path, &Options{KeysPath: moved, Now: clockAt(t0)})
	require.NoError(t, err, "named, the keys file is found")
	_, err = s.Key(ctx, key.ID)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	require.NoError(t, os.WriteFile(path+".keys", nil, 0o600))
	s, err = openSQLiteFile(path, &Options{Now: clockAt(t0)})
	require.NoError(t, err, "an empty keys file made on purpose starts a new keyring")
	defer s.Close()
	_, err = s.Key(ctx, key.ID)
	assert.ErrorIs(t, err, storage.ErrErased, "the old records stay unreadable")
}

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
		backToVersion2(t, s)

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

// backToVersion2 turns s's files back into the layout of schema version 2
// (the keys in the traffic database, none in the keys file) and closes s.
func backToVersion2(t *testing.T, s *Store) {
	t.Helper()
	ctx := testCtx(t)
	for _, q := range []string{
		"CREATE TABLE main.advox_keys AS SELECT * FROM keys.advox_keys",
		"DELETE FROM keys.advox_keys",
		"DELETE FROM advox_schema_migrations WHERE version > 2",
	} {
		_, err := s.w.db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	require.NoError(t, s.Close())
}
