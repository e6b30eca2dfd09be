package sqlstore

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
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
