package sqlstore

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// TestPostgresTwoInstances runs two stores, each with its own pool, on one
// database at once: both record, both apply the same delivery reports in
// different orders, both purge. Nothing acknowledged may be lost, no
// status may regress, and the purge counts must add up to exactly the
// expired records.
func TestPostgresTwoInstances(t *testing.T) {
	cfg := pgSchema(t)
	now := time.Now().UTC()
	opts := &Options{PurgeChunk: 25} // many small purge transactions interleave
	var stores [2]*Store
	for i := range stores {
		s, err := openPostgresPool(context.Background(), pgPool(t, cfg), opts)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s
	}
	ctx := testCtx(t)

	// Expired records, and live records that will get reports.
	const expiredPer, livePer = 120, 30
	var live []string
	for i, s := range stores {
		name := string(rune('a' + i))
		var seed []storage.Record
		for j := range expiredPer {
			r := testRecord(idOf("exp"+name, j), "acct-1", t0, "e"+idOf(name, j))
			if j%2 == 0 { // multi-part: its further operator ids go too
				r = testRecord(idOf("exp"+name, j), "acct-1", t0, "e"+idOf(name, j), "f"+idOf(name, j))
			}
			r.Deadline = now.Add(-time.Duration(j+1) * time.Minute)
			seed = append(seed, r)
		}
		for j := range livePer {
			r := testRecord(idOf("live"+name, j), "acct-1", t0, "p0-"+idOf(name, j), "p1-"+idOf(name, j))
			r.Deadline = now.Add(time.Hour)
			seed = append(seed, r)
			live = append(live, r.ID)
		}
		require.NoError(t, s.Record(ctx, seed...))
	}

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		purged   [2]int
		recorded []string
	)
	for i, s := range stores {
		// Record new live records.
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 40 {
					r := testRecord(idOf("new"+string(rune('a'+i))+string(rune('0'+w)), j), "acct-2", t0.Add(time.Duration(j)*time.Second), "")
					r.Deadline = now.Add(time.Hour)
					if assert.NoError(t, s.Record(ctx, r)) {
						mu.Lock()
						recorded = append(recorded, r.ID)
						mu.Unlock()
					}
				}
			}()
		}
		// Apply every report to every live record, in a shuffled order,
		// from several goroutines.
		type report struct {
			id     string
			part   int
			status transport.Status
		}
		var reports []report
		for _, id := range live {
			for _, st := range []transport.Status{transport.StatusEnroute, transport.StatusDelivered, transport.StatusAccepted} {
				reports = append(reports, report{id, storage.AllParts, st}, report{id, 0, st}, report{id, 1, st})
			}
		}
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		rng.Shuffle(len(reports), func(a, b int) { reports[a], reports[b] = reports[b], reports[a] })
		const reporters = 6
		for g := range reporters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := g; k < len(reports); k += reporters {
					r := reports[k]
					_, err := s.UpdateStatus(ctx, storage.StatusUpdate{ID: r.id, Part: r.part, Status: r.status, At: now})
					assert.NoError(t, err)
				}
			}()
		}
		// Purge, repeatedly.
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				res, err := s.Purge(ctx, now)
				assert.NoError(t, err)
				mu.Lock()
				purged[i] += res.Deleted
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	assert.Equal(t, 2*expiredPer, purged[0]+purged[1], "every expired record deleted exactly once")
	var left int
	require.NoError(t, stores[0].rdb.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM advox_records WHERE deadline <= $1", encodeTime(now)).Scan(&left))
	assert.Zero(t, left, "no expired record survives")
	var orphans int
	require.NoError(t, stores[0].rdb.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM advox_operator_ids o WHERE NOT EXISTS (SELECT 1 FROM advox_records r WHERE r.rid = o.rid)").Scan(&orphans))
	assert.Zero(t, orphans, "operator ids go with their records")

	assert.Len(t, recorded, 2*3*40)
	for _, id := range recorded {
		_, err := stores[1].Get(ctx, id)
		assert.NoError(t, err, "acknowledged record %s lost", id)
	}
	for _, id := range live {
		r, err := stores[0].Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, transport.StatusDelivered, r.Status, "record %s regressed", id)
		for i, p := range r.Parts {
			assert.Equal(t, transport.StatusDelivered, p.Status, "record %s part %d regressed", id, i)
		}
	}
}
