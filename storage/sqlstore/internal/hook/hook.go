// Package hook joins package sqlstore to the dialect packages
// (sqlstore/sqlite, sqlstore/postgres) so that the import decides which
// database driver a program links: sqlstore holds the store and both
// dialects' SQL but imports no driver; each dialect package imports its
// driver and opens stores through the openers sqlstore sets here when it
// is initialised. It holds nothing else: no driver, no store code.
//
// The openers are typed any because this package cannot name sqlstore's
// types (sqlstore imports it); each dialect package asserts its opener's
// function type once, at initialisation, so a mismatch fails every test.
package hook

import (
	"context"
	"database/sql"
)

var (
	// OpenSQLite is set by package sqlstore to
	// func(ctx context.Context, drv driver.Driver, path string, opts *sqlstore.Options) (*sqlstore.Store, error):
	// it opens the SQLite file at path through drv.
	OpenSQLite any
	// OpenPostgres is set by package sqlstore to
	// func(ctx context.Context, connect Connect, dsn string, db *sql.DB, opts *sqlstore.Options) (*sqlstore.Store, error):
	// it opens a store on db, or, when db is nil, on the database dsn
	// names through connect.
	OpenPostgres any
)

// Connect opens a database/sql handle on the PostgreSQL database dsn
// names. closePool releases what it opened beyond db (its pool); a
// connection string that does not parse is a *BadDSN.
type Connect func(ctx context.Context, dsn string) (db *sql.DB, closePool func(), err error)

// BadDSN is a connection string that did not parse. Its message never
// repeats the string, which may hold a password; the driver's error stays
// reachable with errors.As.
type BadDSN struct{ Err error }

func (e *BadDSN) Error() string { return "sqlstore: postgres: invalid connection string" }

// Unwrap returns the driver's error.
func (e *BadDSN) Unwrap() error { return e.Err }
