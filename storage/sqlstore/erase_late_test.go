package sqlstore

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
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
