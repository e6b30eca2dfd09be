package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/azenna/advox/storage/sqlstore/internal/hook"
)

// On PostgreSQL the keyring may live in a database of its own
// (Options.KeysDSN), so that dumps and base backups of the traffic
// database hold no key. Recording then checks the keys there: the writer
// opens a transaction on the keys database, reads the batch's keys FOR
// SHARE and ends it only after the traffic transaction committed (see
// wtx.release), so a DestroyKeys in any instance waits for records being
// recorded under the key, as it does when both live in one database.

// keysLockKey is the advisory lock that serializes creating the keyring.
const keysLockKey = migrationLockKey + 1

// openPostgresKeys connects to the keys database through connect,
// creates the keyring there if needed, and moves into it the keys the
// traffic database db holds (those an earlier configuration kept there).
func openPostgresKeys(ctx context.Context, connect hook.Connect, dsn string, db *sql.DB) (kdb *sql.DB, closeKeys func() error, err error) {
	kdb, closePool, err := connect(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	closeKeys = func() error {
		err := kdb.Close()
		closePool()
		return err
	}
	if err := createPostgresKeyring(ctx, kdb, db); err != nil {
		return nil, nil, errors.Join(err, closeKeys())
	}
	if err := moveKeysTo(ctx, db, kdb); err != nil {
		return nil, nil, errors.Join(err, closeKeys())
	}
	return kdb, closeKeys, nil
}

// createPostgresKeyring creates advox_keys in the keys database, under an
// advisory lock so that instances opening at once do not race. A keyring
// it would create empty for a traffic database that holds sealed records
// and no keys to move is ErrNoKeyring, and is not created.
func createPostgresKeyring(ctx context.Context, kdb, db *sql.DB) error {
	tx, err := kdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(keysLockKey)); err != nil {
		return err
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, "SELECT to_regclass('advox_keys') IS NOT NULL").Scan(&exists); err != nil {
		return err
	}
	if !exists {
		var orphaned bool
		if err := db.QueryRowContext(ctx, sealedWithoutKeys).Scan(&orphaned); err != nil {
			return err
		}
		if orphaned {
			return fmt.Errorf("sqlstore: postgres: keys database: %w", ErrNoKeyring)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS advox_keys (
    id         TEXT COLLATE "C" PRIMARY KEY,
    account    TEXT COLLATE "C" NOT NULL UNIQUE,
    wrapped    BYTEA NOT NULL,
    created_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	return tx.Commit()
}

// moveKeysTo copies the keys in db's advox_keys into kdb's and then
// deletes them from db. An account that has a key in kdb already keeps
// that one (kdb is the keyring of record). The copy
// commits first: a crash in between leaves the keys in both, and the next
// open finishes the move.
func moveKeysTo(ctx context.Context, db, kdb *sql.DB) error {
	rows, err := db.QueryContext(ctx, "SELECT id, account, wrapped, created_at FROM advox_keys")
	if err != nil {
		return err
	}
	type key struct {
		id, account string
		wrapped     []byte
		created     int64
	}
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.id, &k.account, &k.wrapped, &k.created); err != nil {
			rows.Close()
			return err
		}
		keys = append(keys, k)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil || len(keys) == 0 {
		return err
	}
	tx, err := kdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.id
		if _, err := tx.ExecContext(ctx, "INSERT INTO advox_keys (id, account, wrapped, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
			k.id, k.account, k.wrapped, k.created); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "DELETE FROM advox_keys WHERE id = ANY($1::text[])", ids)
	return err
}
