package advox

import (
	"context"
	"fmt"
	"time"

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

// Is makes errors.Is(err, ErrQuotaExceeded) match.
func (e *QuotaError) Is(target error) bool { return target == ErrQuotaExceeded }

// maxReserve bounds one reservation: far more than any message's segments.
const maxReserve = 1 << 20

// ReserveSegments counts n segments against the account's monthly quota
// (the calendar month of now, UTC) before they are sent. When they would
// exceed it nothing is counted and the error is an *Error with
// CodeQuotaExceeded whose cause is a *QuotaError (errors.Is(err,
// ErrQuotaExceeded)). Segments are counted also when the contract sets no
// quota, so that one set mid-month applies to the whole month.
func (a *Accounts) ReserveSegments(ctx context.Context, account string, n int, now time.Time) error {
	const op = "reserve segments"
	if n < 1 || n > maxReserve {
		return newError(op, CodeInvalidArgument, "segments must be 1–%d", maxReserve)
	}
	c, err := a.store.GetAccount(ctx, account)
	if err != nil {
		return wrap(op, err)
	}
	return a.reserve(ctx, account, c.Limits.MonthlySegments, n, now)
}

// reserve counts n segments against a quota the caller has already read
// (Send reads the account once for its rate and its quota).
func (a *Accounts) reserve(ctx context.Context, account string, quota, n int, now time.Time) error {
	const op = "reserve segments"
	if n < 1 || n > maxReserve {
		return newError(op, CodeInvalidArgument, "segments must be 1–%d", maxReserve)
	}
	period := storage.MonthOf(now)
	used, ok, err := a.store.ReserveSegments(ctx, account, period, n, quota)
	if err != nil {
		return wrap(op, err)
	}
	if !ok {
		return &Error{Op: op, Code: CodeQuotaExceeded, Err: &QuotaError{Quota: quota, Used: used, Reset: period.AddDate(0, 1, 0)}}
	}
	return nil
}

// ReleaseSegments gives back n segments reserved for the month of now that
// were never sent (the operator did not accept the message).
func (a *Accounts) ReleaseSegments(ctx context.Context, account string, n int, now time.Time) error {
	const op = "release segments"
	if n < 1 || n > maxReserve {
		return newError(op, CodeInvalidArgument, "segments must be 1–%d", maxReserve)
	}
	_, _, err := a.store.ReserveSegments(ctx, account, storage.MonthOf(now), -n, 0)
	return wrap(op, err)
}

// SegmentsUsed returns the segments counted for the account in the
// calendar month of now (UTC).
func (a *Accounts) SegmentsUsed(ctx context.Context, account string, now time.Time) (int, error) {
	used, _, err := a.store.ReserveSegments(ctx, account, storage.MonthOf(now), 0, 0)
	return used, wrap("segments used", err)
}
