package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// TestCanceledWriteReportsItsOutcome: a caller whose context ends while
// its write waits in the writer's queue gets the context's error and
// nothing is written; once the writer has taken the write into a batch,
// the call waits for that batch and reports what happened to the write —
// it used to return the context's error for a write that then committed
// (an invoice, a key, a reserved segment the caller would never release).
// Run with -race: the caller must not read the results the writer is
// still setting.
func TestCanceledWriteReportsItsOutcome(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, ctx context.Context, s *Store)
		call    func(ctx context.Context, s *Store) error
		written func(t *testing.T, ctx context.Context, s *Store) bool
	}{
		{"record", nil, func(ctx context.Context, s *Store) error {
			return s.Record(ctx, testRecord("m1", "acct", t0, "op-1"))
		}, func(t *testing.T, ctx context.Context, s *Store) bool {
			_, err := s.Get(ctx, "m1")
			return err == nil
		}},
		{"create invoice", nil, func(ctx context.Context, s *Store) error {
			_, err := s.CreateInvoice(ctx, storage.Invoice{ID: "inv", Account: "acct",
				PeriodStart: t0, PeriodEnd: t0.Add(time.Hour), TimeBar: t0.AddDate(3, 0, 0)})
			return err
		}, func(t *testing.T, ctx context.Context, s *Store) bool {
			_, err := s.Invoice(ctx, "inv")
			return err == nil
		}},
		{"set invoice state", func(t *testing.T, ctx context.Context, s *Store) {
			_, err := s.CreateInvoice(ctx, storage.Invoice{ID: "inv", Account: "acct",
				PeriodStart: t0, PeriodEnd: t0.Add(time.Hour), TimeBar: t0.AddDate(3, 0, 0)})
			require.NoError(t, err)
		}, func(ctx context.Context, s *Store) error {
			_, err := s.SetInvoiceState(ctx, "inv", storage.InvoicePaid, t0)
			return err
		}, func(t *testing.T, ctx context.Context, s *Store) bool {
			inv, err := s.Invoice(ctx, "inv")
			require.NoError(t, err)
			return inv.State == storage.InvoicePaid
		}},
		{"ensure key", nil, func(ctx context.Context, s *Store) error {
			_, err := s.EnsureKey(ctx, storage.DataKey{ID: "k", Account: "acct", Wrapped: []byte("w"), CreatedAt: t0})
			return err
		}, func(t *testing.T, ctx context.Context, s *Store) bool {
			_, err := s.Key(ctx, "k")
			return err == nil
		}},
		{"reserve segments", func(t *testing.T, ctx context.Context, s *Store) {
			require.NoError(t, s.Accounts().CreateAccount(ctx, testCustomer("acct")))
		}, func(ctx context.Context, s *Store) error {
			_, _, err := s.Accounts().ReserveSegments(ctx, "acct", t0, 1, 10)
			return err
		}, func(t *testing.T, ctx context.Context, s *Store) bool {
			used, _, err := s.Accounts().ReserveSegments(ctx, "acct", t0, 0, 0)
			require.NoError(t, err)
			return used == 1
		}},
	}
	for _, tt := range tests {
		for _, taken := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/taken=%v", tt.name, taken), func(t *testing.T) {
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

				if !taken {
					cancel() // still queued behind hold 2
					assert.ErrorIs(t, <-got, context.Canceled)
					close(gate1)
					close(gate2)
					close(gate3)
				} else {
					close(gate1) // the next batch: hold 2, the call, hold 3
					<-started2
					cancel()
					close(gate2)
					<-started3 // the call's write ran, its batch is not committed
					close(gate3)
					assert.NoError(t, <-got, "the write committed")
				}
				for _, d := range []chan error{done1, done2, done3} {
					require.NoError(t, <-d)
				}
				assert.Equal(t, taken, tt.written(t, ctx, s), "written")
			})
		}
	}
}
