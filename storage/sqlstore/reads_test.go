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

// TestQueryPages reads more records than one page, with ties in creation
// time, a limit that ends mid-page, and a bounded range.
func TestQueryPages(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		ctx := testCtx(t)
		const n = 2*queryPage + 37
		var recs []storage.Record
		var want []string
		for i := range n {
			// Three records per instant, ids in reverse of insertion.
			created := t0.Add(time.Duration(i/3) * time.Second)
			id := fmt.Sprintf("q-%03d-%d", i/3, 2-i%3)
			recs = append(recs, testRecord(id, "acct-q", created, "op-"+id))
		}
		for i := range n {
			want = append(want, fmt.Sprintf("q-%03d-%d", i/3, i%3))
		}
		if s.d.deferListing {
			setListEvery(t, s, 100) // the second page straddles listed and unlisted records
		}
		require.NoError(t, s.Record(ctx, recs[:500]...))
		require.NoError(t, s.Record(ctx, recs[500:]...))
		require.NoError(t, s.Record(ctx, testRecord("other", "acct-other", t0, "")))
		if s.d.deferListing {
			var unlisted int
			require.NoError(t, s.rdb.QueryRow("SELECT COUNT(*) FROM advox_records WHERE listed = 0").Scan(&unlisted))
			assert.Equal(t, n-500+1, unlisted, "the later records wait to be listed")
		}

		collect := func(q storage.Query) []string {
			var ids []string
			for r, err := range s.Query(ctx, q) {
				require.NoError(t, err)
				require.Equal(t, "acct-q", r.Account)
				require.Len(t, r.Parts, 1)
				ids = append(ids, r.ID)
			}
			return ids
		}
		assert.Equal(t, want, collect(storage.Query{Account: "acct-q"}))
		assert.Equal(t, want[:queryPage+5], collect(storage.Query{Account: "acct-q", Limit: queryPage + 5}))
		from, to := t0.Add(10*time.Second), t0.Add(150*time.Second)
		assert.Equal(t, want[30:450], collect(storage.Query{Account: "acct-q", From: from, To: to}))

		u, err := s.Usage(ctx, "acct-q", from, to)
		require.NoError(t, err)
		assert.Equal(t, 420, u.Messages)
		assert.Equal(t, 420, u.Segments)
	})
}

// TestStoreClock: reads hide records by the store clock (Options.Now),
// not the wall clock, and a record without a deadline is refused.
func TestStoreClock(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		now := t0.Add(time.Hour)
		s := open(t, &Options{Now: clockAt(now)})
		ctx := testCtx(t)
		past := testRecord("past", "acct", t0, "op-past")
		past.Deadline = now
		future := testRecord("future", "acct", t0, "op-future")
		future.Deadline = now.Add(time.Nanosecond)
		require.NoError(t, s.Record(ctx, past, future))
		none := testRecord("none", "acct", t0, "op-none")
		none.Deadline = time.Time{}
		assert.ErrorIs(t, s.Record(ctx, none), storage.ErrInvalid, "a record without a deadline is refused")

		_, err := s.Get(ctx, "past")
		assert.ErrorIs(t, err, storage.ErrNotFound, "deadline at the store clock is expired")
		got, err := s.Get(ctx, "future")
		require.NoError(t, err)
		assert.True(t, got.Deadline.Equal(future.Deadline), "deadlines keep nanoseconds")
		u, err := s.Usage(ctx, "acct", time.Time{}, time.Time{})
		require.NoError(t, err)
		assert.Equal(t, 1, u.Messages, "expired records are not counted")

		res, err := s.Purge(ctx, now)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Deleted)
		assert.True(t, future.Deadline.Equal(res.OldestDeadline))
	})
}

// TestFindByOperatorIDReused: when an operator reuses an id, the newest
// record wins; an empty operator id matches nothing.
func TestFindByOperatorIDReused(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		ctx := testCtx(t)
		older := testRecord("older", "acct", t0, "dup")
		newer := testRecord("newer", "acct", t0.Add(time.Minute), "x", "dup")
		blank := testRecord("blank", "acct", t0, "")
		require.NoError(t, s.Record(ctx, newer, older, blank))
		got, part, err := s.FindByOperatorID(ctx, "test", "dup")
		require.NoError(t, err)
		assert.Equal(t, "newer", got.ID)
		assert.Equal(t, 1, part)
		_, _, err = s.FindByOperatorID(ctx, "test", "")
		assert.ErrorIs(t, err, storage.ErrNotFound)
	})
}

// BenchmarkQueryByRecipient measures a lookup by number (Query with
// RecipientIndex) in an account holding 100,000 of 1,000,000 records,
// over its whole retention: the account index holds the first 8 bytes of
// the blind index, so the lookup scans the account's index entries, not
// its rows (see the schema in migrations/0001_init.sql).
func BenchmarkQueryByRecipient(b *testing.B) {
	scale := largeScale(b)
	total, accounts := 1_000_000/scale, 10
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		s := open(b)
		benchKeys(b, s, accounts)
		deadline := time.Now().AddDate(1, 0, 0)
		seed(b, s, total, func(i int) storage.Record { return benchRecord(i, accounts, deadline) })
		want := benchRecord(3, accounts, deadline) // its number recurs every 10,000,000 records: once here
		ctx := context.Background()
		if s.d.name == "postgres" { // what autovacuum would have done
			_, err := s.w.db.ExecContext(ctx, "ANALYZE advox_records")
			require.NoError(b, err)
		}
		b.ResetTimer()
		for range b.N {
			n := 0
			for r, err := range s.Query(ctx, storage.Query{Account: want.Account, RecipientIndex: want.RecipientIndex}) {
				require.NoError(b, err)
				require.Equal(b, want.ID, r.ID)
				n++
			}
			require.Equal(b, 1, n)
		}
	})
}
