// Package pgpool connects sqlstore to PostgreSQL through pgx: a pgx pool
// behind database/sql. It is the one place besides package
// sqlstore/postgres that imports pgx, shared with sqlstore's own tests; it
// holds no SQL and no store code.
package pgpool

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/azenna/advox/storage/sqlstore/internal/hook"
)

var _ hook.Connect = Connect

// Connect opens a pgx pool on the database dsn names (a pgx connection
// string or URL) and returns its database/sql face; closePool closes the
// pool. A dsn that does not parse is a *hook.BadDSN.
func Connect(ctx context.Context, dsn string) (db *sql.DB, closePool func(), err error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, nil, &hook.BadDSN{Err: err}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return stdlib.OpenDBFromPool(pool), pool.Close, nil
}
