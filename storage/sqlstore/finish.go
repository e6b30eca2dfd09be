package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// A write that has begun finishes, and its caller learns how it ended. A
// context that ends while a COMMIT is on its way would otherwise make the
// driver give up on the answer: the call reports the context's error
// while the server committed (a quota reservation then stays counted that
// the caller will neither use nor release). So a caller's context is
// honoured until the write starts — waiting for a connection or for the
// group-commit writer, and, in a transaction, each statement before the
// commit — and from then on the write runs to its end under a context
// that keeps the caller's values but not its cancellation, bounded by
// finishTimeout, and the call reports that end.

// finishTimeout bounds how long a write that has begun (a COMMIT sent, a
// single-statement write under way) may take to finish once its caller's
// context has ended.
const finishTimeout = 30 * time.Second

// finishing returns a context for a write that has begun: ctx's values
// without its cancellation, bounded by finishTimeout.
func finishing(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
}

// inWriteTx is inTx for a write. The connection is taken under ctx; the
// transaction belongs to a context that ctx cannot cancel, since
// database/sql and the drivers end a transaction (and pgx the COMMIT in
// flight) when the context it began with ends. f runs its statements
// under ctx: a caller who gives up before the commit gets ctx's error and
// nothing is written. The BEGIN and the COMMIT are each bounded by
// finishTimeout; the COMMIT's outcome is the call's, whatever ctx does
// meanwhile, and a failed COMMIT comes back as a commitError.
func inWriteTx(ctx context.Context, db *sql.DB, f func(tx *sql.Tx) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	txCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	bound := time.AfterFunc(finishTimeout, cancel)
	tx, err := conn.BeginTx(txCtx, nil)
	if !bound.Stop() || err != nil {
		if err == nil {
			err = context.DeadlineExceeded
		}
		return err
	}
	defer func() { _ = tx.Rollback() }() // a no-op (ErrTxDone) after Commit
	if err := f(tx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // nothing committed
	}
	defer time.AfterFunc(finishTimeout, cancel).Stop()
	if err := tx.Commit(); err != nil {
		return commitError{err}
	}
	return nil
}

// commitError is a COMMIT that failed: the write's outcome, which the
// caller's context must not hide.
type commitError struct{ err error }

func (e commitError) Error() string { return e.err.Error() }
func (e commitError) Unwrap() error { return e.err }
