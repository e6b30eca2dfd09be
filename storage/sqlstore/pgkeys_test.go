package sqlstore

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// TestPostgresBackupUnreadableAfterErase: with the keyring in a database
// of its own, the traffic database never holds a key, so a copy of its
// records taken before an erase names a key that is gone afterwards.
func TestPostgresBackupUnreadableAfterErase(t *testing.T) {
	cfg := pgSchema(t)
	ctx := testCtx(t)
	s, err := openPostgresPool(ctx, pgPool(t, cfg), &Options{KeysDSN: pgKeysDSN(t), Now: clockAt(t0)})
	require.NoError(t, err)
	defer s.Close()
	_, r1 := sealedRecord(t, ctx, s, "k-erased", "acct-e", "w-e", "msg-e")
	_, r2 := sealedRecord(t, ctx, s, "k-kept", "acct-k", "w-k", "msg-k")
	require.NoError(t, s.Record(ctx, r1, r2))

	traffic := pgPool(t, cfg)
	var n int
	require.NoError(t, traffic.QueryRow(ctx, "SELECT count(*) FROM advox_keys").Scan(&n))
	assert.Zero(t, n, "the traffic database holds no key")
	_, err = traffic.Exec(ctx, "CREATE TABLE backup AS SELECT id, recipient_key FROM advox_records")
	require.NoError(t, err)

	_, err = s.DestroyKeys(ctx, "acct-e")
	require.NoError(t, err)
	_, err = s.EraseAccount(ctx, "acct-e")
	require.NoError(t, err)

	var key string
	require.NoError(t, traffic.QueryRow(ctx, "SELECT recipient_key FROM backup WHERE id = $1", r1.ID).Scan(&key))
	_, err = s.Key(ctx, key)
	assert.ErrorIs(t, err, storage.ErrErased, "the backup's key for the erased account is gone")
	require.NoError(t, traffic.QueryRow(ctx, "SELECT recipient_key FROM backup WHERE id = $1", r2.ID).Scan(&key))
	_, err = s.Key(ctx, key)
	assert.NoError(t, err, "other accounts stay readable")
}

// TestPostgresKeysMoveApart: keys kept in the traffic database move to the
// keys database when a store opens with KeysDSN.
func TestPostgresKeysMoveApart(t *testing.T) {
	cfg := pgSchema(t)
	ctx := context.Background()
	s, err := openPostgresPool(ctx, pgPool(t, cfg), nil)
	require.NoError(t, err)
	key, err := s.EnsureKey(ctx, storage.DataKey{ID: "k-old", Account: "acct-o", Wrapped: []byte("w-old"), CreatedAt: t0})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = openPostgresPool(ctx, pgPool(t, cfg), &Options{KeysDSN: pgKeysDSN(t)})
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Key(ctx, key.ID)
	require.NoError(t, err, "the key moved")
	assert.Equal(t, key.Wrapped, got.Wrapped)
	var n int
	require.NoError(t, pgPool(t, cfg).QueryRow(ctx, "SELECT count(*) FROM advox_keys").Scan(&n))
	assert.Zero(t, n, "the traffic database keeps no keys")
}

// TestPostgresWrongKeysDatabase: a traffic database with sealed records
// opened with a keys database that has no keyring fails with ErrNoKeyring
// and creates nothing there.
func TestPostgresWrongKeysDatabase(t *testing.T) {
	cfg := pgSchema(t)
	ctx := testCtx(t)
	s, err := openPostgresPool(ctx, pgPool(t, cfg), &Options{KeysDSN: pgKeysDSN(t)})
	require.NoError(t, err)
	_, r := sealedRecord(t, ctx, s, "k1", "acct", "w", "msg-1")
	require.NoError(t, s.Record(ctx, r))
	require.NoError(t, s.Close())

	wrong := pgKeysDSN(t)
	_, err = openPostgresPool(ctx, pgPool(t, cfg), &Options{KeysDSN: wrong})
	require.ErrorIs(t, err, ErrNoKeyring)
	kp, err := pgxpool.New(ctx, wrong)
	require.NoError(t, err)
	defer kp.Close()
	var exists bool
	require.NoError(t, kp.QueryRow(ctx, "SELECT to_regclass('advox_keys') IS NOT NULL").Scan(&exists))
	assert.False(t, exists, "no keyring was created in the wrong database")
}
