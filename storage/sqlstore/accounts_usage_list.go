package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/azenna/advox/storage"
)

var _ storage.UsageLister = (*Accounts)(nil)

// usageList reads an account's segment counters by period; the account's
// own row tells a missing account from one without counters.
const usageList = "SELECT period, used FROM advox_account_usage WHERE account = ? ORDER BY period"

// SegmentUsage implements storage.UsageLister, in one read transaction.
func (a *Accounts) SegmentUsage(ctx context.Context, account string) ([]storage.SegmentUsage, error) {
	const name = "segment usage"
	if err := a.lookup(ctx, name, account); err != nil {
		return nil, err
	}
	var out []storage.SegmentUsage
	err := a.read(ctx, name, func(tx *sql.Tx) error {
		out = nil
		var one int
		if err := tx.QueryRowContext(ctx, a.s.d.bind("SELECT 1 FROM advox_accounts WHERE account = ?"), account).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sqlstore: %s: account: %w", name, storage.ErrNotFound)
			}
			return err
		}
		rows, err := tx.QueryContext(ctx, a.s.d.bind(usageList), account)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var period, used int64
			if err := rows.Scan(&period, &used); err != nil {
				return err
			}
			out = append(out, storage.SegmentUsage{Period: decodeTime(period), Segments: int(used)})
		}
		return rows.Err()
	})
	return out, err
}
