package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// On SQLite the keyring lives in a file of its own (Options.KeysPath),
// attached to every connection as the schema "keys". A backup or copy of
// the traffic database then holds ciphertext but no wrapped data key, so
// an erase (DestroyKeys) makes the account's records in those copies
// unreadable too, even to someone holding the key-encryption key. The
// queries name the table unqualified: with main's advox_keys dropped
// (migration 3), SQLite finds it in the attached file. The writer's
// BEGIN IMMEDIATE takes the write lock of both files, so the key check of a
// recording transaction still holds off a DestroyKeys until it commits.

// KeysApart reports whether the keyring is kept outside the traffic
// database, so that the traffic's backups hold no key: always on SQLite,
// on PostgreSQL when Options.KeysDSN is set. advox.NewClient refuses a
// store that keeps them together unless the application accepts it.
func (s *Store) KeysApart() bool { return s.d.ddl.KeysApart || s.kdb != nil }

// ErrNoKeyring: the traffic database holds sealed records but the keyring
// it is opened with is new and empty — most likely the keys file (or
// KeysDSN) names the wrong place, or was lost. Opening anyway would start
// a new keyring and leave every recorded recipient unreadable, so the open
// fails instead. To start an empty keyring on purpose, create it first
// (on SQLite, an empty file at Options.KeysPath).
var ErrNoKeyring = errors.New("sqlstore: the traffic holds sealed records but the keyring is new and empty")

// sealedWithoutKeys reports whether the traffic database holds a sealed
// record while the keyring holds no key at all.
const sealedWithoutKeys = "SELECT EXISTS (SELECT 1 FROM advox_records WHERE recipient_key <> '') AND NOT EXISTS (SELECT 1 FROM advox_keys)"

// keysSuffix names the default keys file: the traffic file's path plus it.
const keysSuffix = ".keys"

// keysSchema creates the keyring in the attached file. It runs at every
// open, so a keys file that was lost or deleted comes back empty (every
// record sealed before then is unreadable) rather than breaking the store.
var keysSchema = []string{
	`CREATE TABLE IF NOT EXISTS keys.advox_keys (
    id         TEXT PRIMARY KEY,
    account    TEXT NOT NULL UNIQUE,
    wrapped    BLOB NOT NULL,
    created_at BIGINT NOT NULL)`,
}

// attachConnector opens connections of a SQLite driver and attaches the
// keys file to each, then runs the statements in after. database/sql may
// reopen a connection at any time; each one gets the same setup.
type attachConnector struct {
	drv   driver.Driver
	dsn   string
	keys  string // the keys file's path
	after []string
}

// Connect opens one connection with the keys file attached.
func (c attachConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		_ = conn.Close()
		return nil, errors.New("sqlstore: sqlite: driver cannot execute statements")
	}
	if _, err := ex.ExecContext(ctx, "ATTACH DATABASE ? AS keys", []driver.NamedValue{{Ordinal: 1, Value: c.keys}}); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("sqlstore: sqlite: attach keys file: %w", err)
	}
	for _, q := range c.after {
		if _, err := ex.ExecContext(ctx, q, nil); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("sqlstore: sqlite: %s: %w", q, err)
		}
	}
	return conn, nil
}

// Driver returns the underlying driver.
func (c attachConnector) Driver() driver.Driver { return c.drv }

// moveKeys creates the keyring in the keys file and moves into it any keys
// an earlier version kept in the traffic database. The check and the copy
// are one transaction, which the writer's BEGIN IMMEDIATE opens with the
// write lock of both files, so another process opening the same file at
// once cannot drop the old table between them. The old table is dropped
// in a second transaction, only after the copy committed: in WAL mode a
// transaction over two files is not atomic across them, so a crash
// between the two commits must find the keys copied, never the table
// dropped first. The next open (or migration 3) drops it then.
func moveKeys(ctx context.Context, db *sql.DB) error {
	moved, err := copyOldKeys(ctx, db)
	if err != nil || !moved {
		return err
	}
	_, err = db.ExecContext(ctx, "DROP TABLE IF EXISTS main.advox_keys")
	return err
}

// copyOldKeys creates the keyring and copies the traffic database's old
// key table into it, if there is one, in one transaction. It reports
// whether there was one.
func copyOldKeys(ctx context.Context, db *sql.DB) (moved bool, err error) {
	err = inTx(ctx, db, nil, func(tx *sql.Tx) error {
		for _, q := range keysSchema {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx,
			"SELECT count(*) FROM main.sqlite_master WHERE type = 'table' AND name = 'advox_keys'").Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		moved = true
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO keys.advox_keys (id, account, wrapped, created_at)
		SELECT id, account, wrapped, created_at FROM main.advox_keys`)
		return err
	})
	return moved && err == nil, err
}
