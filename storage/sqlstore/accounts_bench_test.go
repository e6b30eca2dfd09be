package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkReserveSegments measures quota reservations (one per Send of a
// quota-limited account) with 1 and 16 concurrent callers on one account:
// each is a durable write transaction.
func BenchmarkReserveSegments(b *testing.B) {
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		for _, callers := range []int{1, 16} {
			b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
				acc := open(b).Accounts()
				ctx := context.Background()
				require.NoError(b, acc.CreateAccount(ctx, testCustomer("acct-b", "user-b")))
				period := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
				work := make(chan struct{})
				var wg sync.WaitGroup
				b.ResetTimer()
				for range callers {
					wg.Go(func() {
						for range work {
							if _, _, err := acc.ReserveSegments(ctx, "acct-b", period, 1, 0); err != nil {
								b.Error(err)
							}
						}
					})
				}
				for range b.N {
					work <- struct{}{}
				}
				close(work)
				wg.Wait()
			})
		}
	})
}

// BenchmarkFindUser measures the login lookup: the account of a user with
// its users, networks, contacts and consents, in one read transaction.
func BenchmarkFindUser(b *testing.B) {
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		acc := open(b).Accounts()
		ctx := context.Background()
		require.NoError(b, acc.CreateAccount(ctx, testCustomer("acct-b", "user-a", "user-b", "user-c")))
		b.ResetTimer()
		for range b.N {
			if _, err := acc.FindUser(ctx, "user-b"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
