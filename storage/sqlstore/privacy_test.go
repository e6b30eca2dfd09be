package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// TestRecordRacesDestroyKeys records under an account's key from several
// goroutines while another destroys the key: every record acknowledged is
// one EraseAccount then deletes (none slips in after the key is gone), and
// every record refused is refused with ErrErased. On PostgreSQL two
// stores share the database; SQLite serializes writers on its file lock,
// and two stores writing flat out would only measure its (unfair) busy
// wait, so one store plays both parts.
func TestRecordRacesDestroyKeys(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		var a, b *Store
		if strings.HasSuffix(t.Name(), "/sqlite") {
			a = open(t, nil)
			b = a
		} else {
			a, b = twoStores(t)
		}
		ctx := testCtx(t)
		key, err := a.EnsureKey(ctx, storage.DataKey{ID: "k1", Account: "acct", Wrapped: []byte("w"), CreatedAt: t0})
		require.NoError(t, err)

		var (
			wg             sync.WaitGroup
			acked, refused atomic.Int64
			destroyed      atomic.Bool
			afterDestroy   atomic.Int64 // acknowledged after DestroyKeys returned
		)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := []*Store{a, b}[w%2]
				for i := 0; ; i++ {
					r := testRecord(fmt.Sprintf("w%d-%04d", w, i), "acct", t0, fmt.Sprintf("op-%d-%d", w, i))
					r.Recipient.KeyID = key.ID
					was := destroyed.Load()
					err := s.Record(ctx, r)
					if err != nil {
						assert.ErrorIs(t, err, storage.ErrErased)
						refused.Add(1)
						return
					}
					acked.Add(1)
					if was {
						afterDestroy.Add(1)
					}
				}
			}()
		}
		require.Eventually(t, func() bool { return acked.Load() > 50 }, 10*time.Second, time.Millisecond)
		n, err := b.DestroyKeys(ctx, "acct")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		destroyed.Store(true)
		wg.Wait()

		assert.Zero(t, afterDestroy.Load(), "a record started after the key was destroyed was acknowledged")
		assert.Equal(t, int64(8), refused.Load())
		erased, err := a.EraseAccount(ctx, "acct")
		require.NoError(t, err)
		assert.Equal(t, int(acked.Load()), erased, "every acknowledged record is erased")
		assert.Empty(t, collectIDs(t, b, storage.Query{Account: "acct"}))
	})
}

// TestEnsureKeyAcrossStores: two stores on one database creating the
// first key of an account at once agree on it.
func TestEnsureKeyAcrossStores(t *testing.T) {
	dialects(t, func(t *testing.T, _ func(*testing.T, *Options) *Store) {
		a, b := twoStores(t)
		ctx := testCtx(t)
		var wg sync.WaitGroup
		got := make([]storage.DataKey, 8)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k, err := []*Store{a, b}[i%2].EnsureKey(ctx, storage.DataKey{
					ID: fmt.Sprintf("key-%d", i), Account: "acct", Wrapped: []byte{byte(i)}, CreatedAt: t0})
				assert.NoError(t, err)
				got[i] = k
			}()
		}
		wg.Wait()
		for _, k := range got {
			assert.Equal(t, got[0], k)
		}
		_, err := a.EnsureKey(ctx, storage.DataKey{ID: got[0].ID, Account: "other", Wrapped: []byte("w")})
		assert.ErrorIs(t, err, storage.ErrExists, "a key id is unique across accounts")
	})
}

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

func assertNoOrphans(t *testing.T, s *Store) {
	t.Helper()
	var orphans int
	require.NoError(t, s.rdb.QueryRow("SELECT COUNT(*) FROM advox_operator_ids o "+
		"WHERE NOT EXISTS (SELECT 1 FROM advox_records r WHERE r.rid = o.rid)").Scan(&orphans))
	assert.Zero(t, orphans, "operator ids of deleted records")
}

func collectIDs(t *testing.T, s *Store, q storage.Query) []string {
	t.Helper()
	var ids []string
	for r, err := range s.Query(context.Background(), q) {
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	return ids
}
