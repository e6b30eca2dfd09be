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

// TestConcurrentOpenMigratesOnce opens several stores on one fresh
// database at once: every open succeeds and the schema is migrated once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dialects(t, func(t *testing.T, _ func(*testing.T, *Options) *Store) {
		var open func() (*Store, error)
		if t.Name() == "TestConcurrentOpenMigratesOnce/sqlite" {
			path := t.TempDir() + "/shared.db"
			open = func() (*Store, error) { return openSQLiteFile(path, nil) }
		} else {
			cfg := pgSchema(t)
			open = func() (*Store, error) {
				return openPostgresPool(context.Background(), pgPool(t, cfg), nil)
			}
		}
		const n = 4
		stores := make([]*Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stores[i], errs[i] = open()
			}()
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			defer stores[i].Close()
		}
		var versions, max int
		require.NoError(t, stores[0].rdb.QueryRow(
			"SELECT COUNT(*), MAX(version) FROM advox_schema_migrations").Scan(&versions, &max))
		ms, err := migrations()
		require.NoError(t, err)
		assert.Equal(t, len(ms), versions, "each version applied once")
		assert.Equal(t, len(ms), max)

		// Every instance works on the shared database.
		ctx := testCtx(t)
		for i, s := range stores {
			require.NoError(t, s.Record(ctx, testRecord(idOf("m", i), "acct", t0, "")))
		}
		for i := range stores {
			_, err := stores[(i+1)%n].Get(ctx, idOf("m", i))
			assert.NoError(t, err)
		}
	})
}

// TestReopenKeepsData reopens a SQLite file: migrations are idempotent
// and the records are still there.
func TestReopenKeepsData(t *testing.T) {
	path := t.TempDir() + "/traffic.db"
	s, err := openSQLiteFile(path, nil)
	require.NoError(t, err)
	r := testRecord("keep", "acct", t0, "op-1")
	require.NoError(t, s.Record(testCtx(t), r))
	require.NoError(t, s.Close())

	s, err = openSQLiteFile(path, nil)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Get(testCtx(t), "keep")
	require.NoError(t, err)
	assert.Equal(t, r.Parts[0].OperatorID, got.Parts[0].OperatorID)
	var versions int
	require.NoError(t, s.rdb.QueryRow("SELECT COUNT(*) FROM advox_schema_migrations").Scan(&versions))
	ms, err := migrations()
	require.NoError(t, err)
	assert.Equal(t, len(ms), versions)
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
