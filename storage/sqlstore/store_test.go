package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// TestCloseFlushesQueuedWrites closes the store while writers are busy:
// every write that was acknowledged is in the file afterwards, and every
// later call fails with ErrClosed.
func TestCloseFlushesQueuedWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "traffic.db")
	s, err := openSQLiteFile(path, nil)
	require.NoError(t, err)
	ctx := testCtx(t)

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		acked []string
	)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				r := testRecord(fmt.Sprintf("w%02d-%04d", w, i), "acct", t0, "")
				err := s.Record(ctx, r)
				if err != nil {
					assert.ErrorIs(t, err, storage.ErrClosed)
					return
				}
				mu.Lock()
				acked = append(acked, r.ID)
				mu.Unlock()
			}
		}()
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) > 100 }, 10*time.Second, time.Millisecond)
	require.NoError(t, s.Close())
	wg.Wait()

	_, err = s.Get(ctx, acked[0])
	assert.ErrorIs(t, err, storage.ErrClosed)
	_, err = s.Usage(ctx, "acct", time.Time{}, time.Time{})
	assert.ErrorIs(t, err, storage.ErrClosed)
	_, _, err = s.FindByOperatorID(ctx, "test", "x")
	assert.ErrorIs(t, err, storage.ErrClosed)
	for _, err := range s.Query(ctx, storage.Query{Account: "acct"}) {
		assert.ErrorIs(t, err, storage.ErrClosed)
	}
	_, err = s.UpdateStatus(ctx, storage.StatusUpdate{ID: acked[0], Part: storage.AllParts, Status: transport.StatusDelivered})
	assert.ErrorIs(t, err, storage.ErrClosed)

	s, err = openSQLiteFile(path, nil)
	require.NoError(t, err)
	defer s.Close()
	for _, id := range acked {
		_, err := s.Get(ctx, id)
		assert.NoError(t, err, "acknowledged record %s lost on Close", id)
	}
}

// poison makes the database refuse records with the id "poison", the way
// a failing disk or a broken constraint would.
func poison(t *testing.T, s *Store) {
	t.Helper()
	var ddl string
	if s.d.name == "sqlite" {
		ddl = `CREATE TRIGGER poison BEFORE INSERT ON advox_records WHEN NEW.id = 'poison'
			BEGIN SELECT RAISE(ABORT, 'poisoned'); END`
	} else {
		ddl = `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.id = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$;
			CREATE TRIGGER poison BEFORE INSERT ON advox_records FOR EACH ROW EXECUTE FUNCTION poison()`
	}
	_, err := s.w.db.Exec(ddl)
	require.NoError(t, err)
}

// TestDriverErrorsStayReachable: a database failure is ErrUnavailable,
// the driver's error is reachable with errors.As, and other callers are
// not affected.
func TestDriverErrorsStayReachable(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		poison(t, s)
		ctx := testCtx(t)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := idOf("ok", i)
				if i == 3 {
					id = "poison"
				}
				errs[i] = s.Record(ctx, testRecord(id, "acct", t0, "op-"+id))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if i != 3 {
				assert.NoError(t, err, "a failure of another call leaks into call %d", i)
				continue
			}
			assert.ErrorIs(t, err, storage.ErrUnavailable)
			if s.d.name == "sqlite" {
				var se *sqlite.Error
				assert.ErrorAs(t, err, &se)
			} else {
				var pe *pgconn.PgError
				if assert.ErrorAs(t, err, &pe) {
					assert.Equal(t, "P0001", pe.Code)
				}
			}
		}
		_, err := s.Get(ctx, "poison")
		assert.ErrorIs(t, err, storage.ErrNotFound)
	})
}

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

// TestTimesRoundTrip: instants survive exactly, whatever their location.
func TestTimesRoundTrip(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		ctx := testCtx(t)
		stockholm := time.FixedZone("CET", 3600)
		created := time.Date(2026, 5, 6, 7, 8, 9, 123456789, stockholm)
		r := testRecord("times", "acct", created, "op")
		r.Parts[0].UpdatedAt = time.Time{}
		require.NoError(t, s.Record(ctx, r))
		got, err := s.Get(ctx, "times")
		require.NoError(t, err)
		assert.True(t, got.CreatedAt.Equal(created))
		assert.Equal(t, time.UTC, got.CreatedAt.Location())
		assert.True(t, got.Parts[0].UpdatedAt.IsZero(), "a zero time stays zero")
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

// TestOpenErrors: bad paths and connection strings fail clearly, and a
// connection string's password never appears in the error.
func TestOpenErrors(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		_, err := openSQLiteFile(p, nil)
		assert.Error(t, err, "path %q", p)
	}
	_, err := openSQLiteFile(filepath.Join(t.TempDir(), "missing-dir", "x.db"), nil)
	assert.ErrorIs(t, err, storage.ErrUnavailable)

	_, err = openPostgresDSN(context.Background(), "postgres://advox:s3cret-pw@127.0.0.1:5432/db?sslmode=bogus", nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret-pw")
	var pe *pgconn.ParseConfigError
	assert.ErrorAs(t, err, &pe, "pgx's error stays reachable")
}

// TestCanceledContext: a canceled caller gets its context's error, never
// a storage error.
func TestCanceledContext(t *testing.T) {
	s := newSQLite(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.UpdateStatus(ctx, storage.StatusUpdate{ID: "x", Part: storage.AllParts, Status: transport.StatusDelivered})
	assert.True(t, errors.Is(err, context.Canceled))
	_, err = s.Purge(ctx, t0)
	assert.True(t, errors.Is(err, context.Canceled))
	_, err = s.EraseAccount(ctx, "acct")
	assert.True(t, errors.Is(err, context.Canceled))
	for _, err := range s.Query(ctx, storage.Query{Account: "acct"}) {
		assert.True(t, errors.Is(err, context.Canceled))
	}
}

// twoStores opens two stores on one fresh database of the dialect the
// test runs under (the last element of its name, see dialects).
func twoStores(t *testing.T) (*Store, *Store) {
	t.Helper()
	var open func() (*Store, error)
	if strings.HasSuffix(t.Name(), "/sqlite") {
		path := filepath.Join(t.TempDir(), "shared.db")
		open = func() (*Store, error) { return openSQLiteFile(path, nil) }
	} else {
		cfg := pgSchema(t)
		var opts *Options
		if strings.HasSuffix(t.Name(), "/postgres-keys-apart") {
			opts = &Options{KeysDSN: pgKeysDSN(t)}
		}
		open = func() (*Store, error) { return openPostgresPool(context.Background(), pgPool(t, cfg), opts) }
	}
	var stores [2]*Store
	for i := range stores {
		s, err := open()
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s
	}
	return stores[0], stores[1]
}
