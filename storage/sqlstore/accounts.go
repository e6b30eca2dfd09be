package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"time"

	"github.com/azenna/advox/storage"
)

// Accounts is a storage.AccountStore on the database of a Store: customer
// data lives next to the traffic it is billed for, in the same SQLite file
// or PostgreSQL schema, created by the same migrations. Get one with
// Store.Accounts. It is safe for concurrent use.
//
// Reads run in one read-only transaction per call (a consistent snapshot
// of the account and its child rows). Writes run in their own
// transactions beside the group-commit writer: on SQLite on the writer's
// connection, so they queue behind its batches and never contend for the
// file's write lock inside one process; on PostgreSQL on the pool, where
// UpdateAccount locks the account row (SELECT … FOR UPDATE) and
// ReserveSegments is a single conditional upsert, so several application
// instances may share one database.
type Accounts struct {
	s      *Store
	q      *accountQueries
	closed atomic.Bool
}

var _ storage.AccountStore = (*Accounts)(nil)

// Accounts returns the account store on s's database. Each call returns a
// new handle; closing it closes only the handle, the database closes with
// s. After s is closed every call fails with storage.ErrClosed.
func (s *Store) Accounts() *Accounts {
	return &Accounts{s: s, q: newAccountQueries(s.d)}
}

// Close closes the handle: later calls fail with storage.ErrClosed. It is
// idempotent and leaves the Store (and the database) open.
func (a *Accounts) Close() error {
	a.closed.Store(true)
	return nil
}

// errAborted ends a transaction whose outcome is an error of the caller's
// (fn's error, a changed account id) rather than of the database.
var errAborted = errors.New("sqlstore: aborted")

// read runs f in a read-only transaction on the read pool.
func (a *Accounts) read(ctx context.Context, name string, f func(tx *sql.Tx) error) error {
	return a.use(ctx, name, func() error {
		return inTx(ctx, a.s.rdb, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, f)
	})
}

// write runs f in a write transaction on the writer's database (SQLite:
// BEGIN IMMEDIATE on the writer connection) that, once begun, finishes
// whatever ctx does (inWriteTx). A PostgreSQL deadlock or serialization
// failure runs f again in a new transaction.
func (a *Accounts) write(ctx context.Context, name string, f func(tx *sql.Tx) error) error {
	for try := 1; ; try++ {
		err := a.use(ctx, name, func() error { return inWriteTx(ctx, a.s.w.db, f) })
		if err == nil || try >= maxRetries || !a.s.d.retryable(err) {
			return err
		}
		time.Sleep(time.Duration(try) * time.Millisecond)
	}
}

// use runs a transaction unless the handle or the store is closed, and
// maps its error (context errors and storage sentinels as they are,
// everything else storage.ErrUnavailable). A failure before the commit
// after ctx ended is ctx's error; a failed commit is reported as it is.
func (a *Accounts) use(ctx context.Context, name string, run func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a.closed.Load() {
		return errClosed(name)
	}
	a.s.mu.RLock()
	defer a.s.mu.RUnlock()
	if a.s.closed {
		return errClosed(name)
	}
	err := run()
	if err == nil || errors.Is(err, errAborted) {
		return err
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.As(err, new(commitError)) {
		return ctxErr
	}
	return mapErr(name, err) // wraps with %w: write still recognises a retryable driver error
}

// inTx runs f in a transaction and commits it. A panic in f (an
// UpdateAccount fn) rolls the transaction back before it goes on, so that
// neither the connection nor the account's lock is held after it is
// recovered.
func inTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, f func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // a no-op (ErrTxDone) after Commit
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}
