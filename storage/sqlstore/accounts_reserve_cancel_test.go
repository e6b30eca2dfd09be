package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAccountsReserveCanceledInBatch: on SQLite a reservation is an op of
// the group-commit writer. When its caller's context ends after the
// writer has run it but before the batch commits, the call must not
// report a context error for segments that the commit then counts: the
// caller would neither send nor release them, and the customer would lose
// quota for nothing.
func TestAccountsReserveCanceledInBatch(t *testing.T) {
	s := newSQLite(t, nil)
	acc := s.Accounts()
	ctx := testCtx(t)
	require.NoError(t, acc.CreateAccount(ctx, testCustomer("acct-r")))
	period := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

	// hold queues an op that blocks the writer until released; started
	// is closed once the writer runs it.
	hold := func() (started chan struct{}, release func()) {
		started, released := make(chan struct{}), make(chan struct{})
		go func() {
			_ = s.run(ctx, "test hold", func(context.Context, *wtx) (error, error) {
				close(started)
				<-released
				return nil, nil
			})
		}()
		return started, func() { close(released) }
	}
	queued := func(n int) {
		require.Eventually(t, func() bool { return len(s.w.queue) == n }, 5*time.Second, time.Millisecond)
	}

	// The first hold keeps the writer busy while the reservation and a
	// second hold queue up: they share the next batch, the reservation
	// first.
	firstStarted, releaseFirst := hold()
	<-firstStarted
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		used int
		ok   bool
		err  error
	}
	res := make(chan result, 1)
	go func() {
		used, ok, err := acc.ReserveSegments(rctx, "acct-r", period, 3, 0)
		res <- result{used, ok, err}
	}()
	queued(1)
	secondStarted, releaseSecond := hold()
	queued(2)
	releaseFirst()
	<-secondStarted // the reservation has run; its batch has not committed
	cancel()
	releaseSecond()
	r := <-res

	used, _, err := acc.ReserveSegments(ctx, "acct-r", period, 0, 0)
	require.NoError(t, err)
	if r.err != nil {
		assert.ErrorIs(t, r.err, context.Canceled)
		assert.Zero(t, used, "a reservation reported as failed must count nothing")
	} else {
		assert.True(t, r.ok)
		assert.Equal(t, 3, r.used)
		assert.Equal(t, 3, used)
	}
}
