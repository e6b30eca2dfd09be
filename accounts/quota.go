package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/storage"
)

// QuotaError is the cause of a quota refusal.
type QuotaError struct {
	// Quota is the account's monthly segment quota, Used what it has used
	// this month.
	Quota, Used int
	// Reset is when the quota resets: the start of the next calendar month,
	// UTC.
	Reset time.Time
}

// Error implements error.
func (e *QuotaError) Error() string {
	return fmt.Sprintf("monthly quota of %d segments used (%d); resets %s", e.Quota, e.Used, e.Reset.Format(time.RFC3339))
}

// Is makes errors.Is(err, advox.ErrQuotaExceeded) match.
func (e *QuotaError) Is(target error) bool { return target == advox.ErrQuotaExceeded }

// maxReserve bounds one reservation: far more than any message's segments.
const maxReserve = 1 << 20

// ReserveSegments counts n segments against the monthly quota of acct,
// as Account returned it (the calendar month of now, UTC), before they are
// sent (advox.AccountSource). When they would exceed it nothing is counted
// and the error is an *advox.Error with CodeQuotaExceeded whose cause is a
// *QuotaError (errors.Is(err, advox.ErrQuotaExceeded)). Segments are
// counted also when the contract sets no quota, so that one set mid-month
// applies to the whole month. An account that Delete has closed is refused
// with CodeNotFound: the Client reserves under the account's send lock, so
// that no send of a deleted customer's account goes out after its erase.
func (a *Accounts) ReserveSegments(ctx context.Context, acct advox.Account, n int, now time.Time) error {
	const op = "reserve segments"
	if n < 1 || n > maxReserve {
		return errs.New(op, advox.CodeInvalidArgument, "segments must be 1–%d", maxReserve)
	}
	if a.isClosed(acct.ID) {
		return errs.New(op, advox.CodeNotFound, "account: deleted")
	}
	period := storage.MonthOf(now)
	used, ok, err := a.store.ReserveSegments(ctx, acct.ID, period, n, acct.MonthlySegments)
	if err != nil {
		return wrap(op, err)
	}
	if !ok {
		return &advox.Error{Op: op, Code: advox.CodeQuotaExceeded,
			Err: &QuotaError{Quota: acct.MonthlySegments, Used: used, Reset: period.AddDate(0, 1, 0)}}
	}
	return nil
}

// ReleaseSegments gives back n segments of acct reserved for the month of
// now that were never sent (the operator did not accept the message).
func (a *Accounts) ReleaseSegments(ctx context.Context, acct advox.Account, n int, now time.Time) error {
	const op = "release segments"
	if n < 1 || n > maxReserve {
		return errs.New(op, advox.CodeInvalidArgument, "segments must be 1–%d", maxReserve)
	}
	_, _, err := a.store.ReserveSegments(ctx, acct.ID, storage.MonthOf(now), -n, 0)
	return wrap(op, err)
}

// SegmentsUsed returns the segments counted for the account in the
// calendar month of now (UTC).
func (a *Accounts) SegmentsUsed(ctx context.Context, account string, now time.Time) (int, error) {
	used, _, err := a.store.ReserveSegments(ctx, account, storage.MonthOf(now), 0, 0)
	return used, wrap("segments used", err)
}
