package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/azenna/advox/storage"
)

// ReserveSegments implements storage.AccountStore with a single
// conditional upsert (accountQueries.reserve): the database decides, on
// the usage row it locks, whether n more segments fit the quota, so
// concurrent reservations from any number of stores on one database
// never exceed it. Only a refusal reads the usage again, in the same
// transaction, to report it. On SQLite the reservation is an op of the
// group-commit writer (reserveQueued); on PostgreSQL a transaction of its
// own, so that usage rows are never held locked for a whole batch.
// Periods are keyed by the instant period (the time codec's nanoseconds).
func (a *Accounts) ReserveSegments(ctx context.Context, account string, period time.Time, n, quota int) (used int, ok bool, err error) {
	if err := a.lookup(ctx, "reserve segments", account); err != nil {
		return 0, false, err
	}
	// limit is the most usage there may be before adding n; a first
	// reservation fits when limit >= 0. Unchecked calls pass 0.
	checked, limit := 0, int64(0)
	if n > 0 && quota > 0 {
		checked, limit = 1, int64(quota)-int64(n)
	}
	p := encodeTime(period)
	var u int64
	if a.s.d.queuedReservations {
		u, ok, err = a.reserveQueued(ctx, account, p, n, checked, limit)
	} else {
		err = a.write(ctx, "reserve segments", func(tx *sql.Tx) error {
			var err error
			u, ok, err = a.reserveIn(ctx, tx.QueryRowContext, account, p, n, checked, limit)
			return err
		})
	}
	if err != nil {
		return 0, false, err
	}
	return int(u), ok, nil
}

// errNoAccount is ReserveSegments' result for an account that does not
// exist.
var errNoAccount = fmt.Errorf("sqlstore: reserve segments: account: %w", storage.ErrNotFound)

// reserveIn runs the reservation's statements with queryRow, inside one
// transaction, and returns the usage and whether n fitted; a missing
// account is errNoAccount.
func (a *Accounts) reserveIn(ctx context.Context, queryRow func(context.Context, string, ...any) *sql.Row,
	account string, p int64, n, checked int, limit int64) (used int64, ok bool, err error) {
	ok = true
	err = queryRow(ctx, a.q.reserve, p, max(int64(n), 0), account, limit,
		int64(n), int64(n), checked, limit).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		ok = false
		err = queryRow(ctx, a.q.usageOf, account, p, account).Scan(&used)
	}
	if errors.Is(err, sql.ErrNoRows) || foreignKeyViolation(err) {
		return 0, false, errNoAccount
	}
	return used, ok, err
}

// reserveQueued is ReserveSegments as an op of the group-commit writer, for
// SQLite: its one writer would otherwise commit (and sync) each reservation
// on its own, and quota-limited sends would queue on those commits. The
// reservation then shares its batch's commit with the records being
// written; it returns once that commit is durable. Like every writer op
// (Store.do), a caller whose ctx ends before the writer takes it counts
// nothing and gets the context's error; once taken, the call reports the
// batch's outcome: a context error must never stand for segments the
// commit then counts, which the caller would neither send nor release.
func (a *Accounts) reserveQueued(ctx context.Context, account string, p int64, n, checked int, limit int64) (used int64, ok bool, err error) {
	const name = "reserve segments"
	if a.closed.Load() {
		return 0, false, errClosed(name)
	}
	var r struct {
		used int64
		ok   bool
	}
	err = a.s.run(ctx, name, func(wctx context.Context, tx *wtx) (result, failure error) {
		var err error
		r.used, r.ok, err = a.reserveIn(wctx, tx.queryRow, account, p, n, checked, limit)
		if errors.Is(err, errNoAccount) {
			// The failed statement wrote nothing; the batch goes on.
			return err, nil
		}
		return nil, err
	})
	if err != nil {
		return 0, false, err
	}
	return r.used, r.ok, nil
}
