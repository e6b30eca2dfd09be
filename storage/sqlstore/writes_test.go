package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// TestConcurrentPartUpdatesNotLost: delivery reports for different parts
// of one record, applied at once through two stores on one database, all
// stick. The parts are one column, written back after a read, so this is
// what the record lock (PostgreSQL) or the single writer (SQLite) is for.
func TestConcurrentPartUpdatesNotLost(t *testing.T) {
	dialects(t, func(t *testing.T, _ func(*testing.T, *Options) *Store) {
		a, b := twoStores(t)
		ctx := testCtx(t)
		const parts = 12
		var ops []string
		for i := range parts {
			ops = append(ops, fmt.Sprintf("p%d", i))
		}
		require.NoError(t, a.Record(ctx, testRecord("many", "acct", t0, ops...)))
		var wg sync.WaitGroup
		for i := range parts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := []*Store{a, b}[i%2]
				_, err := s.UpdateStatus(ctx, storage.StatusUpdate{ID: "many", Part: i, Status: transport.StatusDelivered, At: t0})
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		got, err := b.Get(ctx, "many")
		require.NoError(t, err)
		for i, p := range got.Parts {
			assert.Equal(t, transport.StatusDelivered, p.Status, "part %d: update lost", i)
		}
		assert.Equal(t, transport.StatusDelivered, got.Status)
	})
}

// BenchmarkRecord measures acknowledged (durable) records per second, one
// record per call, with 1 and 64 concurrent writers.
func BenchmarkRecord(b *testing.B) {
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		for _, writers := range []int{1, 64} {
			b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
				s := open(b)
				benchKeys(b, s, 100)
				ctx := context.Background()
				deadline := time.Now().AddDate(1, 0, 0)
				var next atomic.Int64
				var wg sync.WaitGroup
				cpu0, w0 := processCPU(), processWrites()
				b.ResetTimer()
				for range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := int(next.Add(1)) - 1
							if i >= b.N {
								return
							}
							if err := s.Record(ctx, benchRecord(i, 100, deadline)); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
				b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
				b.ReportMetric(float64(processWrites()-w0)/float64(b.N), "written-B/op")
			})
		}
	})
}
