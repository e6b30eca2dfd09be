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

// TestEraseCatchesOlderRecordWrittenMeanwhile: a record of the account
// recorded (by another instance) while the erase runs, whose creation
// time is older than where the erase has got to, is erased too, as the
// doc of EraseAccount promises. PostgreSQL's chunks walk a cursor over
// creation times; SQLite cannot record while a chunk holds the writer.
func TestEraseCatchesOlderRecordWrittenMeanwhile(t *testing.T) {
	for _, name := range []string{"postgres", "postgres-keys-apart"} {
		t.Run(name, func(t *testing.T) {
			a, b := twoStores(t)
			a.echunk = 3
			ctx := testCtx(t)
			var recs []storage.Record
			for i := range 10 {
				recs = append(recs, testRecord(idOf("e", i), "acct", t0.Add(time.Duration(i)*time.Minute), idOf("op", i)))
			}
			require.NoError(t, a.Record(ctx, recs...))

			// a's clock is read once per erase chunk, inside the chunk's
			// transaction: at the second chunk, b records a message of
			// the account created before everything a has erased so far.
			var calls atomic.Int32
			late := testRecord("late", "acct", t0.Add(-time.Hour), "op-late")
			a.now = func() time.Time {
				if calls.Add(1) == 2 {
					wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					defer cancel()
					assert.NoError(t, b.Record(wctx, late))
				}
				return t0
			}

			n, err := a.EraseAccount(ctx, "acct")
			require.NoError(t, err)
			require.GreaterOrEqual(t, calls.Load(), int32(2), "the record went in while the erase ran")
			assert.Equal(t, 11, n, "every record of the account erased, the late one too")
			_, err = b.Get(ctx, "late")
			assert.ErrorIs(t, err, storage.ErrNotFound, "the record recorded while the erase ran")
			assert.Empty(t, collectIDs(t, b, storage.Query{Account: "acct"}))
			u, err := b.Usage(ctx, "acct", t0.AddDate(0, -1, 0), t0.AddDate(0, 1, 0))
			require.NoError(t, err)
			assert.Equal(t, 11, u.Messages, "usage survives the erase, each record counted once")
		})
	}
}

// TestEraseReachesListedAndUnlisted erases, in chunks smaller than the
// account's listed records, an account that also has newer records not
// yet listed (SQLite, listing.go): a chunk deletes from both halves, and
// the next chunk must not start past the listed records it left.
func TestEraseReachesListedAndUnlisted(t *testing.T) {
	s := newSQLite(t, &Options{EraseChunk: 4, Now: clockAt(t0)})
	ctx := testCtx(t)
	setListEvery(t, s, 1000)
	var listed []storage.Record
	for i := range 10 {
		listed = append(listed, testRecord(idOf("l", i), "acct", t0.Add(time.Duration(i)*time.Second), "op"))
	}
	require.NoError(t, s.Record(ctx, listed...)) // the first insert lists what is waiting
	require.NoError(t, s.Record(ctx, testRecord("tail", "acct", t0.Add(time.Hour), "op")))

	n, err := s.EraseAccount(ctx, "acct")
	require.NoError(t, err)
	assert.Equal(t, 11, n, "every record of the account erased")
	assert.Empty(t, collectIDs(t, s, storage.Query{Account: "acct"}))
	var left int
	require.NoError(t, s.rdb.QueryRow("SELECT COUNT(*) FROM advox_records WHERE account = 'acct'").Scan(&left))
	assert.Zero(t, left, "records of the erased account left in the database")
	u, err := s.Usage(ctx, "acct", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 11, u.Messages, "the aggregate counts each record once")
}

// TestTwoInstancesEraseOneAccount: two stores erasing the same account at
// once, in small chunks, delete each record once between them, leave none
// of it, and add its usage to the aggregate exactly once.
func TestTwoInstancesEraseOneAccount(t *testing.T) {
	dialects(t, func(t *testing.T, _ func(*testing.T, *Options) *Store) {
		a, b := twoStores(t)
		for _, s := range []*Store{a, b} {
			s.echunk = 7 // many small chunks interleave
		}
		ctx := testCtx(t)
		const n = 300
		recs := make([]storage.Record, n)
		for i := range recs {
			recs[i] = testRecord(idOf("e", i), "acct-e", t0.Add(time.Duration(i)*time.Second), idOf("op-e", i))
		}
		require.NoError(t, a.Record(ctx, recs...))
		require.NoError(t, a.Record(ctx, testRecord("other", "acct-o", t0, "op-o")))
		before, err := a.Usage(ctx, "acct-e", t0.AddDate(0, -1, 0), t0.AddDate(0, 1, 0))
		require.NoError(t, err)

		var counts [2]int
		var wg sync.WaitGroup
		for i, s := range []*Store{a, b} {
			wg.Go(func() {
				c, err := s.EraseAccount(ctx, "acct-e")
				assert.NoError(t, err)
				counts[i] = c
			})
		}
		wg.Wait()
		assert.Equal(t, n, counts[0]+counts[1], "each record erased and counted once")
		assert.Empty(t, collectIDs(t, b, storage.Query{Account: "acct-e"}))
		_, err = b.Get(ctx, "other")
		assert.NoError(t, err, "other accounts are untouched")
		after, err := b.Usage(ctx, "acct-e", t0.AddDate(0, -1, 0), t0.AddDate(0, 1, 0))
		require.NoError(t, err)
		assert.Equal(t, before, after, "usage survives the erase, counted once")
	})
}

// TestEraseChunks erases in tiny chunks: the count, the aggregate per
// month, the operator ids and the other account's records all come out
// right.
func TestEraseChunks(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, &Options{EraseChunk: 4, Now: clockAt(t0)})
		ctx := testCtx(t)
		feb, mar := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		var recs []storage.Record
		for i := range 11 {
			created := feb.Add(time.Duration(i) * 24 * time.Hour) // 2026-02-01 … 02-11
			if i >= 7 {
				created = mar.Add(time.Duration(i) * time.Hour)
			}
			r := testRecord(idOf("e", i), "acct", created, "a-"+idOf("e", i), "b-"+idOf("e", i))
			if i == 3 {
				r.Deadline = t0 // expired at the store clock: erased, not counted
			}
			recs = append(recs, r)
		}
		keep := testRecord("keep", "other", feb, "k")
		require.NoError(t, s.Record(ctx, append(recs, keep)...))
		_, err := s.UpdateStatus(ctx, storage.StatusUpdate{ID: idOf("e", 0), Part: storage.AllParts, Status: transport.StatusDelivered, At: t0})
		require.NoError(t, err)

		n, err := s.EraseAccount(ctx, "acct")
		require.NoError(t, err)
		assert.Equal(t, 11, n)
		u, err := s.Usage(ctx, "acct", feb, mar)
		require.NoError(t, err)
		assert.Equal(t, storage.Usage{Account: "acct", From: feb, To: mar, Messages: 6, Segments: 12, Delivered: 1}, u)
		u, err = s.Usage(ctx, "acct", mar, mar.AddDate(0, 1, 0))
		require.NoError(t, err)
		assert.Equal(t, 4, u.Messages)
		_, _, err = s.FindByOperatorID(ctx, "test", "b-"+idOf("e", 5))
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = s.Get(ctx, "keep")
		assert.NoError(t, err)
		assertNoOrphans(t, s)
	})
}

// BenchmarkErase measures erasing one account holding 100,000 records
// among 1,000,000 (every tenth record, interleaved with the others) the
// way the Client does: destroy the account's data key, then delete the
// records. It reports unreadable-ms, the time until the key's deletion
// committed (from then on the records are unreadable), and key-ms, the
// time DestroyKeys took in all (the key's deletion and the scrub of the
// keyring's files). On SQLite it then closes the store and scans its files
// (untimed) for the destroyed key and a sample of the erased records'
// blind indexes: none may be found.
func BenchmarkErase(b *testing.B) {
	scale := largeScale(b)
	total, accounts := 1_000_000/scale, 10
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		var (
			keyTime, unreadable time.Duration
			written             int64
		)
		for range b.N {
			b.StopTimer()
			s := open(b)
			benchKeys(b, s, accounts)
			deadline := time.Now().AddDate(1, 0, 0)
			seed(b, s, total, func(i int) storage.Record { return benchRecord(i, accounts, deadline) })
			settle(b, s)
			ctx := context.Background()
			w0 := processWrites()
			b.StartTimer()
			// DestroyKeys, in its two steps.
			start := time.Now()
			k, err := s.destroyKeys(ctx, "destroy keys", "acct-003")
			unreadable += time.Since(start)
			require.NoError(b, err)
			require.NoError(b, s.scrub(ctx, "destroy keys", keyResidue))
			keyTime += time.Since(start)
			n, err := s.EraseAccount(ctx, "acct-003")
			b.StopTimer()
			written += processWrites() - w0
			require.NoError(b, err)
			require.Equal(b, 1, k)
			require.Equal(b, total/accounts, n)
			if s.d.name != "sqlite" || !secureDelete(b, s) {
				require.NoError(b, s.Close())
				continue
			}
			needles := []needle{{"the destroyed key", benchWrapped("acct-003")}}
			for i := 3; i < total; i += total / 20 {
				needles = append(needles, needle{fmt.Sprint("record ", i, "'s blind index"),
					benchRecord(i, accounts, deadline).RecipientIndex[:8]})
			}
			require.Empty(b, found(closedFiles(b, s), needles), "remnants of the erase")
		}
		b.ReportMetric(float64(unreadable.Microseconds())/1000/float64(b.N), "unreadable-ms")
		b.ReportMetric(float64(keyTime.Microseconds())/1000/float64(b.N), "key-ms")
		b.ReportMetric(float64(written)/float64(b.N)/(1<<20), "written-MiB")
	})
}
