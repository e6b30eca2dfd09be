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
// transaction, to report it.
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
