package accounttest

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// testReserveCanceled: reservations whose contexts end at random moments.
// A call that returns a context error counted nothing (the caller will
// neither send nor release those segments), so the stored usage is
// exactly what the successful calls were granted.
func testReserveCanceled(t *testing.T, s storage.AccountStore, f Features) {
	mustCreate(t, s, fullCustomer("acct-a"))
	var granted, canceled atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		for range f.Concurrency {
			wg.Go(func() {
				c, cancel := context.WithCancel(ctx(t))
				defer cancel()
				time.AfterFunc(time.Duration(rand.IntN(2000))*time.Microsecond, cancel)
				_, ok, err := s.ReserveSegments(c, "acct-a", period(3), 1, 0)
				switch {
				case err == nil:
					assert.True(t, ok)
					granted.Add(1)
				case errors.Is(err, context.Canceled):
					canceled.Add(1)
				default:
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
	}
	used, _, err := s.ReserveSegments(ctx(t), "acct-a", period(3), 0, 0)
	require.NoError(t, err)
	assert.EqualValues(t, granted.Load(), used, "usage is what was granted (%d calls canceled)", canceled.Load())
}
