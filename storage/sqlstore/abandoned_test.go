package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// TestAbandonedWriteLeavesResultsAlone: a caller whose context ends while
// the writer runs its write returns at once with the context's error and
// must not read the results the writer is still setting. Run with -race:
// the write runs in the writer goroutine, unordered with the caller's
// return, between two writes that hold the writer (so its batch has not
// committed when the caller returns).
func TestAbandonedWriteLeavesResultsAlone(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, ctx context.Context, s *Store)
		call  func(ctx context.Context, s *Store) error
	}{
		{"create invoice", nil, func(ctx context.Context, s *Store) error {
			_, err := s.CreateInvoice(ctx, storage.Invoice{ID: "inv", Account: "acct",
				PeriodStart: t0, PeriodEnd: t0.Add(time.Hour), TimeBar: t0.AddDate(3, 0, 0)})
			return err
		}},
		{"set invoice state", func(t *testing.T, ctx context.Context, s *Store) {
			_, err := s.CreateInvoice(ctx, storage.Invoice{ID: "inv", Account: "acct",
				PeriodStart: t0, PeriodEnd: t0.Add(time.Hour), TimeBar: t0.AddDate(3, 0, 0)})
			require.NoError(t, err)
		}, func(ctx context.Context, s *Store) error {
			_, err := s.SetInvoiceState(ctx, "inv", storage.InvoicePaid, t0)
			return err
		}},
		{"ensure key", nil, func(ctx context.Context, s *Store) error {
			_, err := s.EnsureKey(ctx, storage.DataKey{ID: "k", Account: "acct", Wrapped: []byte("w"), CreatedAt: t0})
			return err
		}},
		{"reserve segments", func(t *testing.T, ctx context.Context, s *Store) {
			require.NoError(t, s.Accounts().CreateAccount(ctx, testCustomer("acct")))
		}, func(ctx context.Context, s *Store) error {
			_, _, err := s.Accounts().ReserveSegments(ctx, "acct", t0, 1, 10)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSQLite(t, nil)
			ctx := testCtx(t)
			if tt.setup != nil {
				tt.setup(t, ctx, s)
			}
			// hold queues a write that signals started and waits for gate.
			hold := func() (started, gate chan struct{}, done chan error) {
				started, gate, done = make(chan struct{}), make(chan struct{}), make(chan error, 1)
				go func() {
					done <- s.run(ctx, "hold", func(context.Context, *wtx) (error, error) {
						close(started)
						<-gate
						return nil, nil
					})
				}()
				return started, gate, done
			}
			queued := func(n int) {
				require.Eventually(t, func() bool { return len(s.w.queue) == n }, 5*time.Second, time.Millisecond)
			}

			started1, gate1, done1 := hold()
			<-started1
			started2, gate2, done2 := hold()
			queued(1)
			callCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			got := make(chan error, 1)
			go func() { got <- tt.call(callCtx, s) }()
			queued(2)
			started3, gate3, done3 := hold()
			queued(3)

			close(gate1) // the next batch: hold 2, the call, hold 3
			<-started2
			cancel()
			close(gate2)
			<-started3 // the call's write ran, its batch is not committed
			assert.ErrorIs(t, <-got, context.Canceled)
			close(gate3)
			for _, d := range []chan error{done1, done2, done3} {
				require.NoError(t, <-d)
			}
		})
	}
}
