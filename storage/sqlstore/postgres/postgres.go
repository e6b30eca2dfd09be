// Package postgres opens sqlstore stores on PostgreSQL, for deployments
// that outgrow one machine, where many application instances share one
// database, through pgx.
//
//	s, err := postgres.Open(ctx, dsn, nil)
//	s, err := postgres.OpenPool(ctx, existingPool, nil)
//
// It holds the openers and nothing else: the store, its options and what
// it does are package sqlstore's (read its documentation). Importing this
// package links pgx and not the SQLite driver; package sqlstore/sqlite is
// the other way round.
package postgres

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/azenna/advox/storage/sqlstore"
	"github.com/azenna/advox/storage/sqlstore/internal/hook"
	"github.com/azenna/advox/storage/sqlstore/internal/pgpool"
)

// open is package sqlstore's PostgreSQL opener.
var open = hook.OpenPostgres.(func(context.Context, hook.Connect, string, *sql.DB, *sqlstore.Options) (*sqlstore.Store, error))

// Open connects to the PostgreSQL database named by dsn (a pgx connection
// string or URL) and migrates it; ctx bounds the opening, not the store.
// The store owns the pool and closes it on Close. Many application
// instances may share one database: migrations take an advisory lock, and
// status updates lock the record row. opts may be nil (the defaults).
//
// The accounts' wrapped data keys live in the traffic database unless
// Options.KeysDSN names another one. Keep them apart in production: a
// dump or base backup of a database holding both stays readable, to
// whoever holds the key-encryption key, for every account erased after it
// was taken. With the keys elsewhere (another database, ideally on a
// server whose backups are kept briefly), an erase makes the account's
// records unreadable in every traffic backup at once.
//
// A dsn that does not parse fails with an error that does not repeat it
// (it may hold a password). Database failures are storage.ErrUnavailable
// wrapping the driver's error, reachable with errors.As as
// *pgconn.PgError.
func Open(ctx context.Context, dsn string, opts *sqlstore.Options) (*sqlstore.Store, error) {
	return open(ctx, pgpool.Connect, dsn, nil, opts)
}

// OpenPool is Open on a pool the caller already has (to share its
// configuration, tracing or search_path). The caller keeps ownership:
// Close leaves the pool open. Options.KeysDSN, if set, is connected to
// anew.
func OpenPool(ctx context.Context, pool *pgxpool.Pool, opts *sqlstore.Options) (*sqlstore.Store, error) {
	return open(ctx, pgpool.Connect, "", stdlib.OpenDBFromPool(pool), opts)
}
