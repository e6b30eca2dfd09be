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
	// limit is the most usage there may be before adding n; a first
	// reservation fits when limit >= 0. Unchecked calls pass 0.
	checked, limit := 0, int64(0)
	if n > 0 && quota > 0 {
		checked, limit = 1, int64(quota)-int64(n)
	}
	p := encodeTime(period)
	var u int64
	if a.s.d.name == "sqlite" {
		u, ok, err = a.reserveQueued(ctx, account, p, n, checked, limit)
		if err != nil {
			return 0, false, err
		}
		return int(u), ok, nil
	}
	err = a.write(ctx, "reserve segments", func(tx *sql.Tx) error {
		ok = true
		err := tx.QueryRowContext(ctx, a.q.reserve, p, max(int64(n), 0), account, limit,
			int64(n), int64(n), checked, limit).Scan(&u)
		if errors.Is(err, sql.ErrNoRows) {
			ok = false
			err = tx.QueryRowContext(ctx, a.q.usageOf, account, p, account).Scan(&u)
		}
		if errors.Is(err, sql.ErrNoRows) || foreignKeyViolation(err) {
			return fmt.Errorf("sqlstore: reserve segments: account: %w", storage.ErrNotFound)
		}
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return int(u), ok, nil
}

// reserveQueued is ReserveSegments as an op of the group-commit writer, for
// SQLite: its one writer would otherwise commit (and sync) each reservation
// on its own, and quota-limited sends would queue on those commits. The
// reservation then shares its batch's commit with the records being
// written; it returns once that commit is durable.
func (a *Accounts) reserveQueued(ctx context.Context, account string, p int64, n, checked int, limit int64) (used int64, ok bool, err error) {
	const name = "reserve segments"
	if a.closed.Load() {
		return 0, false, errClosed(name)
	}
	err = a.s.run(ctx, name, func(ctx context.Context, tx *wtx) (error, error) {
		ok = true
		u, err := queryInt(ctx, tx, a.q.reserve, p, max(int64(n), 0), account, limit,
			int64(n), int64(n), checked, limit)
		if errors.Is(err, sql.ErrNoRows) {
			ok = false
			u, err = queryInt(ctx, tx, a.q.usageOf, account, p, account)
		}
		if errors.Is(err, sql.ErrNoRows) || foreignKeyViolation(err) {
			// The failed statement wrote nothing; the batch goes on.
			return fmt.Errorf("sqlstore: reserve segments: account: %w", storage.ErrNotFound), nil
		}
		used = u
		return nil, err
	})
	return used, ok, err
}

// queryInt runs a one-column, one-row query in tx: sql.ErrNoRows if it
// returned no row.
func queryInt(ctx context.Context, tx *wtx, q string, args ...any) (int64, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, err
		}
		return 0, sql.ErrNoRows
	}
	var v int64
	if err := rows.Scan(&v); err != nil {
		return 0, err
	}
	return v, rows.Close()
}
