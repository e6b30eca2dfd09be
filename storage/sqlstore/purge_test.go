package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// TestPurgeChunks purges with tiny chunks past many records held by an
// open invoice: every unheld expired record goes, the held ones stay, and
// each chunk moves on from where the last ended.
func TestPurgeChunks(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		now := t0.AddDate(0, 6, 0)
		s := open(t, &Options{PurgeChunk: 3, Now: clockAt(t0)})
		ctx := testCtx(t)
		var recs []storage.Record
		for i := range 20 {
			r := testRecord(idOf("p", i), "acct", t0.Add(time.Duration(i)*time.Second), "op-"+idOf("p", i), "op2-"+idOf("p", i))
			r.Deadline = now.Add(-time.Duration(20-i) * time.Minute) // all expired, in id order
			if i%2 == 1 {
				r.Account = "other" // not billed
			}
			recs = append(recs, r)
		}
		require.NoError(t, s.Record(ctx, recs...))
		linked, err := s.CreateInvoice(ctx, storage.Invoice{ID: "inv", Account: "acct",
			PeriodStart: t0, PeriodEnd: t0.Add(time.Hour), IssuedAt: t0, TimeBar: now.AddDate(3, 0, 0)})
		require.NoError(t, err)
		require.Equal(t, 10, linked)

		res, err := s.Purge(ctx, now)
		require.NoError(t, err)
		assert.Equal(t, 10, res.Deleted)
		assert.True(t, recs[0].Deadline.Equal(res.OldestDeadline), "held records are what remains")
		for i, r := range recs {
			_, _, err := s.FindByOperatorID(ctx, "test", "op2-"+r.ID)
			if i%2 == 1 {
				assert.ErrorIs(t, err, storage.ErrNotFound, "a purged record's operator ids go with it")
			} else {
				assert.NoError(t, err)
			}
		}
		assertNoOrphans(t, s)
	})
}

// BenchmarkPurge measures purging 1,000,000 expired records among
// 2,000,000 (the older half, as retention would find them).
func BenchmarkPurge(b *testing.B) {
	scale := largeScale(b)
	total, expired := 2_000_000/scale, 1_000_000/scale
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		var written int64
		defer func() { b.ReportMetric(float64(written)/float64(b.N)/(1<<20), "written-MiB") }()
		for range b.N {
			b.StopTimer()
			s := open(b)
			benchKeys(b, s, 100)
			now := benchBase.AddDate(0, 6, 0)
			seed(b, s, total, func(i int) storage.Record {
				d := now.Add(time.Hour) // kept
				if i < expired {
					d = now.Add(-time.Duration(expired-i) * time.Millisecond)
				}
				return benchRecord(i, 100, d)
			})
			settle(b, s)
			w0 := processWrites()
			b.StartTimer()
			res, err := s.Purge(context.Background(), now)
			b.StopTimer()
			written += processWrites() - w0
			require.NoError(b, err)
			require.Equal(b, expired, res.Deleted)
			require.NoError(b, s.Close())
		}
	})
}
