package sqlstore

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/accounttest"
)

func TestAccountConformance(t *testing.T) {
	dialects(t, func(t *testing.T, open func(t *testing.T, opts *Options) *Store) {
		stores := map[storage.AccountStore]*Store{}
		var f accounttest.Features
		// PostgreSQL keeps a deleted row's bytes in its page until a new
		// row overwrites them, VACUUM or not (hygiene.go): it cannot show
		// clean bytes, and its remnant cases are skipped.
		if filepath.Base(t.Name()) == "sqlite" {
			f.Remnants = func(t *testing.T, a storage.AccountStore) [][]byte { return sqliteRemnants(t, stores[a]) }
		}
		accounttest.Run(t, func(t *testing.T) storage.AccountStore {
			s := open(t, nil)
			a := s.Accounts()
			stores[a] = s
			return a
		}, f)
	})
}

// TestAccountsWithClient: customer data and traffic in one database, as
// an application keeps them, driven through accounts.Accounts and a Client.
func TestAccountsWithClient(t *testing.T) {
	dialects(t, func(t *testing.T, open func(t *testing.T, opts *Options) *Store) {
		accounttest.RunWithClient(t, func(t *testing.T) accounttest.Stores {
			s := open(t, nil)
			return accounttest.Stores{Accounts: s.Accounts(), Traffic: s}
		}, accounttest.Features{})
	})
}

// sharedStores opens n stores on one database: one SQLite file, or one
// PostgreSQL schema with a pool per store (as separate processes would).
func sharedStores(t *testing.T, n int) []*Store {
	t.Helper()
	var open func() (*Store, error)
	if filepath.Base(t.Name()) == "sqlite" {
		path := filepath.Join(t.TempDir(), "shared.db")
		open = func() (*Store, error) { return openSQLiteFile(path, nil) }
	} else {
		cfg := pgSchema(t)
		open = func() (*Store, error) { return openPostgresPool(context.Background(), pgPool(t, cfg), nil) }
	}
	stores := make([]*Store, n)
	for i := range stores {
		s, err := open()
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s
	}
	return stores
}

// TestAccountsReserveAcrossStores: two stores on one database reserve
// segments concurrently against one quota. Exactly the quota is granted,
// never more, and the stored usage equals what was granted.
func TestAccountsReserveAcrossStores(t *testing.T) {
	dialects(t, func(t *testing.T, _ func(*testing.T, *Options) *Store) {
		stores := sharedStores(t, 2)
		ctx := testCtx(t)
		a, b := stores[0].Accounts(), stores[1].Accounts()
		require.NoError(t, a.CreateAccount(ctx, testCustomer("acct-q")))
		period := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

		const quota, perStore, ask = 60, 24, 2 // 2 × 24 × 2 = 96 asked for 60
		var granted atomic.Int64
		var wg sync.WaitGroup
		for _, s := range []*Accounts{a, b} {
			for range perStore {
				wg.Go(func() {
					used, ok, err := s.ReserveSegments(ctx, "acct-q", period, ask, quota)
					if !assert.NoError(t, err) {
						return
					}
					assert.LessOrEqual(t, used, quota, "usage beyond the quota")
					if ok {
						granted.Add(ask)
					}
				})
			}
		}
		wg.Wait()
		assert.EqualValues(t, quota, granted.Load(), "exactly the quota is granted")
		for _, s := range []*Accounts{a, b} {
			used, ok, err := s.ReserveSegments(ctx, "acct-q", period, 0, quota)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, quota, used, "stored usage is what was granted")
		}
	})
}

// TestAccountsUpdateAcrossStores: two stores update one account at once;
// the row lock (PostgreSQL) or write lock (SQLite) loses no update.
func TestAccountsUpdateAcrossStores(t *testing.T) {
	dialects(t, func(t *testing.T, _ func(*testing.T, *Options) *Store) {
		stores := sharedStores(t, 2)
		ctx := testCtx(t)
		require.NoError(t, stores[0].Accounts().CreateAccount(ctx, testCustomer("acct-u", "alice")))
		const perStore = 10
		var wg sync.WaitGroup
		for i, s := range stores {
			acc := s.Accounts()
			for j := range perStore {
				wg.Go(func() {
					_, err := acc.UpdateAccount(ctx, "acct-u", func(c *storage.Customer) error {
						c.References = append(c.References, fmt.Sprintf("ref-%d-%02d", i, j))
						c.Users[0].Allowed = append(c.Users[0].Allowed,
							netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), byte(j), 0}), 24))
						return nil
					})
					assert.NoError(t, err)
				})
			}
		}
		wg.Wait()
		got, err := stores[1].Accounts().GetAccount(ctx, "acct-u")
		require.NoError(t, err)
		assert.Len(t, got.References, 2*perStore)
		require.Len(t, got.Users, 1)
		assert.Len(t, got.Users[0].Allowed, 1+2*perStore)
	})
}

// TestAccountsCloseWithStore: the handle's Close leaves the store (and
// other handles) working; the store's Close ends every handle.
func TestAccountsCloseWithStore(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		ctx := testCtx(t)
		first := s.Accounts()
		require.NoError(t, first.CreateAccount(ctx, testCustomer("acct-c", "carol")))
		require.NoError(t, first.Close())
		_, err := first.GetAccount(ctx, "acct-c")
		assert.ErrorIs(t, err, storage.ErrClosed)

		second := s.Accounts()
		_, err = second.FindUser(ctx, "carol")
		require.NoError(t, err, "another handle still works")
		require.NoError(t, s.Record(ctx, testRecord("msg-1", "acct-c", t0, "op-1")), "so does the store")

		require.NoError(t, s.Close())
		_, err = second.FindUser(ctx, "carol")
		assert.ErrorIs(t, err, storage.ErrClosed)
		_, _, err = second.ReserveSegments(ctx, "acct-c", t0, 1, 0)
		assert.ErrorIs(t, err, storage.ErrClosed)
	})
}

// TestAccountsTimesUTC: times in any location come back as the same
// instants in UTC, stored through the time codec.
func TestAccountsTimesUTC(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		ctx := testCtx(t)
		stockholm := time.FixedZone("CET", 3600)
		c := testCustomer("acct-t")
		c.CreatedAt = t0.In(stockholm)
		c.Consents = []storage.Consent{{Party: "p", Purpose: "technical-support", GrantedAt: t0.Add(time.Hour).In(stockholm)}}
		acc := s.Accounts()
		require.NoError(t, acc.CreateAccount(ctx, c))
		got, err := acc.GetAccount(ctx, "acct-t")
		require.NoError(t, err)
		assert.Equal(t, time.UTC, got.CreatedAt.Location())
		assert.True(t, got.CreatedAt.Equal(t0))
		assert.True(t, got.Consents[0].GrantedAt.Equal(t0.Add(time.Hour)))
		assert.True(t, got.Consents[0].WithdrawnAt.IsZero(), "zero stays zero")
		var stored int64
		require.NoError(t, s.rdb.QueryRow(s.d.bind("SELECT created_at FROM advox_accounts WHERE account = ?"),
			"acct-t").Scan(&stored))
		assert.Equal(t, encodeTime(t0), stored)
	})
}

// TestAccountsErrors: a taken id is ErrExists without quoting the id; a
// database failure is ErrUnavailable with the driver's error reachable;
// a damaged row fails instead of yielding a wrong account.
func TestAccountsErrors(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		ctx := testCtx(t)
		acc := s.Accounts()
		require.NoError(t, acc.CreateAccount(ctx, testCustomer("acct-e", "someone@example.se")))

		err := acc.CreateAccount(ctx, testCustomer("acct-f", "someone@example.se"))
		require.ErrorIs(t, err, storage.ErrExists)
		assert.NotContains(t, err.Error(), "someone@example.se")

		_, err = s.w.db.Exec(s.d.bind("UPDATE advox_accounts SET refs = ? WHERE account = ?"), "{broken", "acct-e")
		require.NoError(t, err)
		_, err = acc.GetAccount(ctx, "acct-e")
		assert.ErrorIs(t, err, storage.ErrUnavailable)
		assert.NotContains(t, err.Error(), "{broken")

		require.NoError(t, acc.CreateAccount(ctx, testCustomer("acct-g")))
		_, err = s.w.db.Exec("DROP TABLE advox_contacts")
		require.NoError(t, err)
		_, err = acc.GetAccount(ctx, "acct-g")
		require.ErrorIs(t, err, storage.ErrUnavailable)
		if s.d.name == "sqlite" {
			var se *sqlite.Error
			assert.ErrorAs(t, err, &se)
		} else {
			var pe *pgconn.PgError
			assert.ErrorAs(t, err, &pe)
		}
	})
}

// TestAccountsReserveAfterDelete: a reservation racing a deletion of its
// account either counts (before) or is ErrNotFound (after), never a
// database error.
func TestAccountsReserveAfterDelete(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		acc := open(t, nil).Accounts()
		ctx := testCtx(t)
		for round := range 5 {
			id := fmt.Sprintf("acct-%d", round)
			require.NoError(t, acc.CreateAccount(ctx, testCustomer(id)))
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					_, _, err := acc.ReserveSegments(ctx, id, t0, 1, 0)
					if err != nil {
						assert.ErrorIs(t, err, storage.ErrNotFound)
					}
				})
			}
			wg.Go(func() { assert.NoError(t, acc.DeleteAccount(ctx, id)) })
			wg.Wait()
		}
	})
}

// TestAccountsMigrateFromVersion1: a database created before customer
// data existed gets the account tables on open, and its traffic stays.
func TestAccountsMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := openSQLiteFile(path, nil)
	require.NoError(t, err)
	ctx := testCtx(t)
	require.NoError(t, s.Record(ctx, testRecord("old-1", "acct-o", t0, "op-1")))
	for _, q := range []string{
		"DROP TABLE advox_account_ids",
		"DROP TABLE advox_account_usage", "DROP TABLE advox_consents", "DROP TABLE advox_contacts",
		"DROP TABLE advox_user_networks", "DROP TABLE advox_users", "DROP TABLE advox_accounts",
		"DELETE FROM advox_schema_migrations WHERE version > 1",
	} {
		_, err := s.w.db.Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, s.Close())

	s, err = openSQLiteFile(path, nil)
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Get(ctx, "old-1")
	require.NoError(t, err)
	acc := s.Accounts()
	require.NoError(t, acc.CreateAccount(ctx, testCustomer("acct-o", "olle")))
	got, err := acc.FindUser(ctx, "olle")
	require.NoError(t, err)
	assert.Equal(t, "acct-o", got.Account)
}

// TestAccountIDsBackfilled: migrating a database that already holds
// accounts records their ids, so that deleting one retires its id too.
func TestAccountIDsBackfilled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	s, err := openSQLiteFile(path, nil)
	require.NoError(t, err)
	ctx := testCtx(t)
	require.NoError(t, s.Accounts().CreateAccount(ctx, testCustomer("acct-o", "olle")))
	for _, q := range []string{"DROP TABLE advox_account_ids", "DELETE FROM advox_schema_migrations WHERE version > 3"} {
		_, err := s.w.db.Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, s.Close())

	s, err = openSQLiteFile(path, nil)
	require.NoError(t, err)
	defer s.Close()
	acc := s.Accounts()
	require.NoError(t, acc.DeleteAccount(ctx, "acct-o"))
	assert.ErrorIs(t, acc.CreateAccount(ctx, testCustomer("acct-o", "olle")), storage.ErrExists)
}

// TestAccountsUseIndexes: every account query reaches its rows through a
// key, never by scanning a table (see TestHotPathsUseIndexes).
func TestAccountsUseIndexes(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		pg := s.d.name == "postgres"
		q := s.Accounts().q
		for _, tt := range []struct {
			name, query string
			args        []any
		}{
			{"get", q.get, []any{"a"}},
			{"get by user", q.getByUser, []any{"u"}},
			{"users", q.usersOf, []any{"a"}},
			{"contacts", q.contactsOf, []any{"a"}},
			{"consents", q.consentsOf, []any{"a"}},
			{"usage", q.usageOf, []any{"a", int64(1), "a"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				assert.NotRegexp(t, tableScan(pg), explain(t, s.rdb, pg, tt.query, tt.args))
			})
		}
	})
}

// BenchmarkReserveSegments measures quota reservations (one per Send of a
// quota-limited account) with 1 and 16 concurrent callers on one account:
// each is a durable write transaction.
func BenchmarkReserveSegments(b *testing.B) {
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		for _, callers := range []int{1, 16} {
			b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
				acc := open(b).Accounts()
				ctx := context.Background()
				require.NoError(b, acc.CreateAccount(ctx, testCustomer("acct-b", "user-b")))
				period := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
				work := make(chan struct{})
				var wg sync.WaitGroup
				b.ResetTimer()
				for range callers {
					wg.Go(func() {
						for range work {
							if _, _, err := acc.ReserveSegments(ctx, "acct-b", period, 1, 0); err != nil {
								b.Error(err)
							}
						}
					})
				}
				for range b.N {
					work <- struct{}{}
				}
				close(work)
				wg.Wait()
			})
		}
	})
}

// BenchmarkFindUser measures the login lookup: the account of a user with
// its users, networks, contacts and consents, in one read transaction.
func BenchmarkFindUser(b *testing.B) {
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		acc := open(b).Accounts()
		ctx := context.Background()
		require.NoError(b, acc.CreateAccount(ctx, testCustomer("acct-b", "user-a", "user-b", "user-c")))
		b.ResetTimer()
		for range b.N {
			if _, err := acc.FindUser(ctx, "user-b"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestAccountsReserveCanceledInBatch: on SQLite a reservation is an op of
// the group-commit writer. When its caller's context ends after the
// writer has run it but before the batch commits, the call must not
// report a context error for segments that the commit then counts: the
// caller would neither send nor release them, and the customer would lose
// quota for nothing.
func TestAccountsReserveCanceledInBatch(t *testing.T) {
	s := newSQLite(t, nil)
	acc := s.Accounts()
	ctx := testCtx(t)
	require.NoError(t, acc.CreateAccount(ctx, testCustomer("acct-r")))
	period := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

	// hold queues an op that blocks the writer until released; started
	// is closed once the writer runs it.
	hold := func() (started chan struct{}, release func()) {
		started, released := make(chan struct{}), make(chan struct{})
		go func() {
			_ = s.run(ctx, "test hold", func(context.Context, *wtx) (error, error) {
				close(started)
				<-released
				return nil, nil
			})
		}()
		return started, func() { close(released) }
	}
	queued := func(n int) {
		require.Eventually(t, func() bool { return len(s.w.queue) == n }, 5*time.Second, time.Millisecond)
	}

	// The first hold keeps the writer busy while the reservation and a
	// second hold queue up: they share the next batch, the reservation
	// first.
	firstStarted, releaseFirst := hold()
	<-firstStarted
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		used int
		ok   bool
		err  error
	}
	res := make(chan result, 1)
	go func() {
		used, ok, err := acc.ReserveSegments(rctx, "acct-r", period, 3, 0)
		res <- result{used, ok, err}
	}()
	queued(1)
	secondStarted, releaseSecond := hold()
	queued(2)
	releaseFirst()
	<-secondStarted // the reservation has run; its batch has not committed
	cancel()
	releaseSecond()
	r := <-res

	used, _, err := acc.ReserveSegments(ctx, "acct-r", period, 0, 0)
	require.NoError(t, err)
	if r.err != nil {
		assert.ErrorIs(t, r.err, context.Canceled)
		assert.Zero(t, used, "a reservation reported as failed must count nothing")
	} else {
		assert.True(t, r.ok)
		assert.Equal(t, 3, r.used)
		assert.Equal(t, 3, used)
	}
}
