// Package sqlite opens sqlstore stores on SQLite, the embedded default:
// one file on the application's machine, through modernc.org/sqlite (pure
// Go, so it builds and runs anywhere without cgo).
//
//	s, err := sqlite.Open(ctx, "/var/lib/app/traffic.db", nil)
//
// It holds the opener and nothing else: the store, its options and what
// it does are package sqlstore's (read its documentation). Importing this
// package links the SQLite driver and not PostgreSQL's; package
// sqlstore/postgres is the other way round.
package sqlite

import (
	"context"
	"database/sql/driver"

	msqlite "modernc.org/sqlite"

	"github.com/azenna/advox/storage/sqlstore"
	"github.com/azenna/advox/storage/sqlstore/internal/hook"
)

// open is package sqlstore's SQLite opener.
var open = hook.OpenSQLite.(func(context.Context, driver.Driver, string, *sqlstore.Options) (*sqlstore.Store, error))

// Open opens (creating if needed) the SQLite database file at path and
// migrates it; ctx bounds the opening, not the store. It uses WAL mode
// with full sync (a write acknowledged is on disk), a busy timeout,
// foreign keys, secure_delete (what is deleted is overwritten, see
// "Deleted data at rest" in package sqlstore), one writer connection
// owned by the group-commit writer and a pool of read-only connections.
// path must be a file: an in-memory database cannot be shared between the
// connections. opts may be nil (the defaults).
//
// The accounts' wrapped data keys live in a second file,
// Options.KeysPath (default path + ".keys"), so that a backup of the
// traffic database alone holds no key: after an erase, the account's
// records in such a backup are unreadable even with the key-encryption
// key. Back up the keys file separately, if at all, and keep its copies
// no longer than the retention you promise: a copy of it taken before an
// erase can still unlock that account's records in traffic backups of
// the same age. Losing it makes all recorded recipients unreadable,
// nothing else; a traffic file with sealed records opened where its keys
// file is not fails with sqlstore.ErrNoKeyring rather than start a new
// keyring unasked.
//
// Database failures are storage.ErrUnavailable wrapping the driver's
// error, reachable with errors.As as *sqlite.Error of modernc.org/sqlite.
func Open(ctx context.Context, path string, opts *sqlstore.Options) (*sqlstore.Store, error) {
	return open(ctx, &msqlite.Driver{}, path, opts)
}
