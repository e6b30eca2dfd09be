package accounttest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

func testRoundTrip(t *testing.T, s storage.AccountStore, _ Features) {
	want := fullCustomer("acct-a", "alice", "bob")
	mustCreate(t, s, want)
	got, err := s.GetAccount(ctx(t), "acct-a")
	require.NoError(t, err)
	assertSame(t, want, got)
	assert.Equal(t, string(want.Users[1].PasswordHash), string(got.Users[1].PasswordHash), "hash kept exactly")
}

func testEmptyOptional(t *testing.T, s storage.AccountStore, _ Features) {
	want := storage.Customer{Account: "acct-min", Organisation: "Minimal", CreatedAt: base, UpdatedAt: base}
	mustCreate(t, s, want)
	got, err := s.GetAccount(ctx(t), "acct-min")
	require.NoError(t, err)
	assertSame(t, want, got)
	assert.Zero(t, got.Limits)
}

func testCreateDuplicate(t *testing.T, s storage.AccountStore, _ Features) {
	first := fullCustomer("acct-a", "alice")
	mustCreate(t, s, first)
	second := fullCustomer("acct-a", "carol")
	second.Organisation = "Someone Else AB"
	assert.ErrorIs(t, s.CreateAccount(ctx(t), second), storage.ErrExists)
	got, err := s.GetAccount(ctx(t), "acct-a")
	require.NoError(t, err)
	assertSame(t, first, got)
	_, err = s.FindUser(ctx(t), "carol")
	assert.ErrorIs(t, err, storage.ErrNotFound, "the refused account's users must not be indexed")
}

func testUserIDsUnique(t *testing.T, s storage.AccountStore, _ Features) {
	mustCreate(t, s, fullCustomer("acct-a", "alice"))
	assert.ErrorIs(t, s.CreateAccount(ctx(t), fullCustomer("acct-b", "bob", "alice")), storage.ErrExists,
		"a user id of another account")
	_, err := s.GetAccount(ctx(t), "acct-b")
	assert.ErrorIs(t, err, storage.ErrNotFound, "nothing stored")
	_, err = s.FindUser(ctx(t), "bob")
	assert.ErrorIs(t, err, storage.ErrNotFound, "nothing indexed")

	assert.ErrorIs(t, s.CreateAccount(ctx(t), fullCustomer("acct-c", "dave", "dave")), storage.ErrExists,
		"the same user id twice in one account")
	_, err = s.GetAccount(ctx(t), "acct-c")
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testGetMissing(t *testing.T, s storage.AccountStore, _ Features) {
	_, err := s.GetAccount(ctx(t), "nope")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.FindUser(ctx(t), "nobody")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.UpdateAccount(ctx(t), "nope", func(*storage.Customer) error { return nil })
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ErrorIs(t, s.DeleteAccount(ctx(t), "nope"), storage.ErrNotFound)
	_, _, err = s.ReserveSegments(ctx(t), "nope", period(3), 1, 0)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testUpdate(t *testing.T, s storage.AccountStore, _ Features) {
	mustCreate(t, s, fullCustomer("acct-a", "alice"))
	var want storage.Customer
	got, err := s.UpdateAccount(ctx(t), "acct-a", func(c *storage.Customer) error {
		c.Organisation = "Renamed AB"
		c.References = append(c.References, "New ref")
		c.Users = append(c.Users, storage.User{ID: "erin", Allowed: []netip.Prefix{netip.MustParsePrefix("203.0.113.7/32")}})
		c.Consents[1].WithdrawnAt = base.Add(time.Hour)
		c.Limits.MonthlySegments = 5
		c.PostalAddress = storage.Address{}
		c.UpdatedAt = base.Add(2 * time.Hour)
		want = c.Clone()
		return nil
	})
	require.NoError(t, err)
	assertSame(t, want, got)
	stored, err := s.GetAccount(ctx(t), "acct-a")
	require.NoError(t, err)
	assertSame(t, want, stored)
	owner, err := s.FindUser(ctx(t), "erin")
	require.NoError(t, err)
	assert.Equal(t, "acct-a", owner.Account, "a user added by update is indexed")
}

var errVeto = errors.New("accounttest: veto")

func testUpdateRefusals(t *testing.T, s storage.AccountStore, _ Features) {
	a := fullCustomer("acct-a", "alice")
	mustCreate(t, s, a)
	mustCreate(t, s, fullCustomer("acct-b", "bob"))

	refusals := []struct {
		name string
		fn   func(*storage.Customer) error
		want error // nil: any error
	}{
		{"fn error returned as is", func(c *storage.Customer) error { c.Organisation = "x"; return errVeto }, errVeto},
		{"user id of another account", func(c *storage.Customer) error {
			c.Organisation = "x"
			c.Users = append(c.Users, storage.User{ID: "bob"})
			return nil
		}, storage.ErrExists},
		{"same user id twice", func(c *storage.Customer) error {
			c.Users = append(c.Users, c.Users[0])
			return nil
		}, storage.ErrExists},
		{"account id changed", func(c *storage.Customer) error { c.Account, c.Users = "acct-z", nil; return nil }, nil},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			_, err := s.UpdateAccount(ctx(t), "acct-a", r.fn)
			require.Error(t, err)
			if r.want != nil {
				assert.ErrorIs(t, err, r.want)
			}
			got, err := s.GetAccount(ctx(t), "acct-a")
			require.NoError(t, err)
			assertSame(t, a, got)
			_, err = s.GetAccount(ctx(t), "acct-z")
			assert.ErrorIs(t, err, storage.ErrNotFound)
			owner, err := s.FindUser(ctx(t), "bob")
			require.NoError(t, err)
			assert.Equal(t, "acct-b", owner.Account)
		})
	}
}

func testUpdateMovesUser(t *testing.T, s storage.AccountStore, _ Features) {
	mustCreate(t, s, fullCustomer("acct-a", "alice", "bob"))
	mustCreate(t, s, fullCustomer("acct-b"))
	_, err := s.UpdateAccount(ctx(t), "acct-a", func(c *storage.Customer) error {
		c.Users = c.Users[:1]
		return nil
	})
	require.NoError(t, err)
	_, err = s.FindUser(ctx(t), "bob")
	require.ErrorIs(t, err, storage.ErrNotFound, "a removed user is no longer found")
	_, err = s.UpdateAccount(ctx(t), "acct-b", func(c *storage.Customer) error {
		c.Users = append(c.Users, storage.User{ID: "bob"})
		return nil
	})
	require.NoError(t, err, "a freed user id may be taken by another account")
	owner, err := s.FindUser(ctx(t), "bob")
	require.NoError(t, err)
	assert.Equal(t, "acct-b", owner.Account)
}

func testUpdateConcurrent(t *testing.T, s storage.AccountStore, f Features) {
	mustCreate(t, s, storage.Customer{Account: "acct-a", CreatedAt: base, UpdatedAt: base})
	var wg sync.WaitGroup
	errs := make(chan error, f.Concurrency)
	for i := range f.Concurrency {
		wg.Go(func() {
			_, err := s.UpdateAccount(ctx(t), "acct-a", func(c *storage.Customer) error {
				c.References = append(c.References, fmt.Sprintf("ref-%02d", i))
				return nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got, err := s.GetAccount(ctx(t), "acct-a")
	require.NoError(t, err)
	assert.Len(t, got.References, f.Concurrency, "no update may be lost")
	for i := range f.Concurrency {
		assert.Contains(t, got.References, fmt.Sprintf("ref-%02d", i))
	}
}

func testFindUser(t *testing.T, s storage.AccountStore, _ Features) {
	a, b := fullCustomer("acct-a", "alice", "bob"), fullCustomer("acct-b", "carol")
	mustCreate(t, s, a)
	mustCreate(t, s, b)
	for _, tc := range []struct {
		user string
		want storage.Customer
	}{{"alice", a}, {"bob", a}, {"carol", b}} {
		got, err := s.FindUser(ctx(t), tc.user)
		require.NoError(t, err, tc.user)
		assertSame(t, tc.want, got)
	}
	_, err := s.FindUser(ctx(t), "ALICE")
	assert.ErrorIs(t, err, storage.ErrNotFound, "user ids are case-sensitive")
}

func testDelete(t *testing.T, s storage.AccountStore, _ Features) {
	mustCreate(t, s, fullCustomer("acct-a", "alice"))
	mustCreate(t, s, fullCustomer("acct-b", "bob"))
	_, ok, err := s.ReserveSegments(ctx(t), "acct-a", period(3), 7, 0)
	require.NoError(t, err)
	require.True(t, ok)

	require.NoError(t, s.DeleteAccount(ctx(t), "acct-a"))
	_, err = s.GetAccount(ctx(t), "acct-a")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.FindUser(ctx(t), "alice")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, _, err = s.ReserveSegments(ctx(t), "acct-a", period(3), 1, 0)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ErrorIs(t, s.DeleteAccount(ctx(t), "acct-a"), storage.ErrNotFound)

	_, err = s.GetAccount(ctx(t), "acct-b")
	assert.NoError(t, err, "other accounts stay")

	// The id is retired: a new customer never gets it (nor what is kept
	// under it); the user ids are free again.
	assert.ErrorIs(t, s.CreateAccount(ctx(t), fullCustomer("acct-a", "carol")), storage.ErrExists)
	_, err = s.GetAccount(ctx(t), "acct-a")
	assert.ErrorIs(t, err, storage.ErrNotFound, "nothing stored")
	mustCreate(t, s, fullCustomer("acct-c", "alice"))
	used, ok, err := s.ReserveSegments(ctx(t), "acct-c", period(3), 1, 0)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, 1, used)
}

// testDeleteRacesCreate: a create racing the delete of the same id never
// brings the id back.
func testDeleteRacesCreate(t *testing.T, s storage.AccountStore, f Features) {
	for i := range f.Concurrency {
		id := fmt.Sprintf("acct-%d", i)
		mustCreate(t, s, fullCustomer(id))
		var wg sync.WaitGroup
		var created error
		wg.Go(func() { require.NoError(t, s.DeleteAccount(ctx(t), id)) })
		wg.Go(func() { created = s.CreateAccount(ctx(t), fullCustomer(id)) })
		wg.Wait()
		assert.ErrorIs(t, created, storage.ErrExists)
		_, err := s.GetAccount(ctx(t), id)
		assert.ErrorIs(t, err, storage.ErrNotFound, "deleted, not created again")
	}
}

func testNoSharedMemory(t *testing.T, s storage.AccountStore, _ Features) {
	in := fullCustomer("acct-a", "alice")
	want := in.Clone()
	mustCreate(t, s, in)
	in.References[0] = "changed"
	in.Users[0].Allowed[0] = netip.MustParsePrefix("0.0.0.0/0")
	in.InvoiceAddress.Lines[0] = "changed"

	out, err := s.GetAccount(ctx(t), "acct-a")
	require.NoError(t, err)
	assertSame(t, want, out)
	out.Contacts[0].Name = "changed"
	out.Consents[0].Party = "changed"

	var kept *storage.Customer
	updated, err := s.UpdateAccount(ctx(t), "acct-a", func(c *storage.Customer) error { kept = c; return nil })
	require.NoError(t, err)
	kept.Users[0].Allowed[0] = netip.MustParsePrefix("0.0.0.0/0")
	updated.PostalAddress.Lines[0] = "changed"

	got, err := s.GetAccount(ctx(t), "acct-a")
	require.NoError(t, err)
	assertSame(t, want, got)
}

func testReserve(t *testing.T, s storage.AccountStore, _ Features) {
	mustCreate(t, s, fullCustomer("acct-a"))
	mustCreate(t, s, fullCustomer("acct-b"))
	steps := []struct {
		name    string
		account string
		period  time.Time
		n       int
		quota   int
		used    int
		ok      bool
	}{
		{"first", "acct-a", period(3), 4, 10, 4, true},
		{"up to the quota", "acct-a", period(3), 6, 10, 10, true},
		{"beyond the quota", "acct-a", period(3), 1, 10, 10, false},
		{"another period", "acct-a", period(4), 3, 10, 3, true},
		{"another account", "acct-b", period(3), 9, 10, 9, true},
		{"too many at once", "acct-b", period(3), 2, 10, 9, false},
		{"give back", "acct-a", period(3), -3, 10, 7, true},
		{"fits again", "acct-a", period(3), 3, 10, 10, true},
		{"give back more than used", "acct-a", period(4), -5, 10, 0, true},
		{"no quota", "acct-a", period(5), 1_000_000, 0, 1_000_000, true},
		{"quota lowered below usage", "acct-a", period(5), 1, 10, 1_000_000, false},
		{"zero asks", "acct-a", period(3), 0, 10, 10, true},
	}
	for _, st := range steps {
		used, ok, err := s.ReserveSegments(ctx(t), st.account, st.period, st.n, st.quota)
		require.NoError(t, err, st.name)
		assert.Equal(t, st.used, used, st.name)
		assert.Equal(t, st.ok, ok, st.name)
	}
}

func testReserveConcurrent(t *testing.T, s storage.AccountStore, f Features) {
	mustCreate(t, s, fullCustomer("acct-a"))
	quota := f.Concurrency
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 2 * f.Concurrency {
		wg.Go(func() {
			_, ok, err := s.ReserveSegments(ctx(t), "acct-a", period(3), 1, quota)
			assert.NoError(t, err)
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, quota, granted, "exactly the quota is granted")
	used, ok, err := s.ReserveSegments(ctx(t), "acct-a", period(3), 0, quota)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, quota, used)
}

func testContextCanceled(t *testing.T, s storage.AccountStore, _ Features) {
	mustCreate(t, s, fullCustomer("acct-a", "alice"))
	c, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, s.CreateAccount(c, fullCustomer("acct-b")), context.Canceled)
	_, err := s.GetAccount(c, "acct-a")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.UpdateAccount(c, "acct-a", func(c *storage.Customer) error { c.Organisation = "x"; return nil })
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.FindUser(c, "alice")
	assert.ErrorIs(t, err, context.Canceled)
	_, _, err = s.ReserveSegments(c, "acct-a", period(3), 1, 0)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, s.DeleteAccount(c, "acct-a"), context.Canceled)

	got, err := s.GetAccount(ctx(t), "acct-a")
	require.NoError(t, err, "nothing was deleted")
	assert.Equal(t, "Exempelbolaget AB", got.Organisation, "nothing was updated")
	_, err = s.GetAccount(ctx(t), "acct-b")
	assert.ErrorIs(t, err, storage.ErrNotFound, "nothing was created")
}

func testClosed(t *testing.T, s storage.AccountStore, _ Features) {
	mustCreate(t, s, fullCustomer("acct-a", "alice"))
	require.NoError(t, s.Close())
	assert.ErrorIs(t, s.CreateAccount(ctx(t), fullCustomer("acct-b")), storage.ErrClosed)
	_, err := s.GetAccount(ctx(t), "acct-a")
	assert.ErrorIs(t, err, storage.ErrClosed)
	_, err = s.UpdateAccount(ctx(t), "acct-a", func(*storage.Customer) error { return nil })
	assert.ErrorIs(t, err, storage.ErrClosed)
	_, err = s.FindUser(ctx(t), "alice")
	assert.ErrorIs(t, err, storage.ErrClosed)
	_, _, err = s.ReserveSegments(ctx(t), "acct-a", period(3), 1, 0)
	assert.ErrorIs(t, err, storage.ErrClosed)
	assert.ErrorIs(t, s.DeleteAccount(ctx(t), "acct-a"), storage.ErrClosed)
	assert.NoError(t, s.Close(), "Close is idempotent")
}

// testSegmentUsage: a store that lists usage counters (storage.UsageLister)
// lists every period counted, oldest first, and only the account's.
func testSegmentUsage(t *testing.T, s storage.AccountStore, _ Features) {
	l, ok := s.(storage.UsageLister)
	if !ok {
		t.Skip("the store does not implement storage.UsageLister")
	}
	mustCreate(t, s, fullCustomer("acct-a"))
	mustCreate(t, s, fullCustomer("acct-b"))
	got, err := l.SegmentUsage(ctx(t), "acct-a")
	require.NoError(t, err)
	assert.Empty(t, got)
	for _, r := range []struct {
		account string
		month   time.Month
		n       int
	}{{"acct-a", 4, 3}, {"acct-a", 2, 5}, {"acct-b", 3, 7}, {"acct-a", 4, 1}} {
		_, _, err := s.ReserveSegments(ctx(t), r.account, period(r.month), r.n, 0)
		require.NoError(t, err)
	}
	got, err = l.SegmentUsage(ctx(t), "acct-a")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.True(t, got[0].Period.Equal(period(2)), "oldest first: %v", got[0].Period)
	assert.Equal(t, 5, got[0].Segments)
	assert.True(t, got[1].Period.Equal(period(4)))
	assert.Equal(t, 4, got[1].Segments)
	_, err = l.SegmentUsage(ctx(t), "nope")
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

// testUpdatePanics: an fn that panics (a bug in the caller, recovered
// further up, as net/http recovers a handler's panic) stores nothing and
// leaves nothing held: the same account can be read and updated at once,
// under a context that is still live.
func testUpdatePanics(t *testing.T, s storage.AccountStore, _ Features) {
	a := fullCustomer("acct-a", "alice")
	mustCreate(t, s, a)
	live := ctx(t) // not canceled until the test ends
	assert.Panics(t, func() {
		_, _ = s.UpdateAccount(live, "acct-a", func(c *storage.Customer) error {
			c.Organisation = "Half-written AB"
			c.Users = nil
			panic("accounttest: fn panics")
		})
	})

	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := s.GetAccount(c, "acct-a")
	require.NoError(t, err)
	assertSame(t, a, got)
	_, err = s.UpdateAccount(c, "acct-a", func(c *storage.Customer) error { c.Organisation = "Renamed AB"; return nil })
	require.NoError(t, err, "the panicking update must not keep the account locked")
	_, _, err = s.ReserveSegments(c, "acct-a", period(3), 1, 0)
	require.NoError(t, err)
	require.NoError(t, s.CreateAccount(c, fullCustomer("acct-b", "bob")), "nor the store")
}

// invalidText are the changes that make a customer unstorable: a string
// that is not UTF-8 or holds a NUL byte (PostgreSQL's text cannot hold
// either; a store must not keep what another store refuses, nor alter it
// silently), or a rate that is not a number.
var invalidText = []struct {
	name string
	set  func(c *storage.Customer)
}{
	{"NUL in the organisation", func(c *storage.Customer) { c.Organisation = "Exempel\x00AB" }},
	{"not UTF-8 in the e-mail", func(c *storage.Customer) { c.Email = "sms@exempel\xff.se" }},
	{"not UTF-8 in a reference", func(c *storage.Customer) { c.References = []string{"PO \xc3"} }},
	{"NUL in an address line", func(c *storage.Customer) { c.PostalAddress.Lines = []string{"Storgatan\x001"} }},
	{"not UTF-8 in a city", func(c *storage.Customer) { c.InvoiceAddress.City = "G\xf6teborg" }},
	{"NUL in a user id", func(c *storage.Customer) { c.Users[0].ID = "xavier\x00" }},
	{"not UTF-8 in a password hash", func(c *storage.Customer) { c.Users[0].PasswordHash = "$argon2id$\xff" }},
	{"NUL in a contact name", func(c *storage.Customer) { c.Contacts[0].Name = "\x00sa" }},
	{"not UTF-8 in a consent party", func(c *storage.Customer) { c.Consents[0].Party = "Reseller \xe5" }},
	{"rate not a number", func(c *storage.Customer) { c.Limits.Rate = math.NaN() }},
}

// testInvalidText: customer data a store cannot keep exactly is refused
// with ErrInvalid by CreateAccount and UpdateAccount, which store nothing;
// a lookup by an id no store can hold is ErrNotFound, never a database
// failure (ids come from outside: logins, URLs).
func testInvalidText(t *testing.T, s storage.AccountStore, _ Features) {
	a := fullCustomer("acct-a", "alice")
	mustCreate(t, s, a)
	for _, tc := range invalidText {
		t.Run(tc.name, func(t *testing.T) {
			c := fullCustomer("acct-x", "xavier")
			tc.set(&c)
			assert.ErrorIs(t, s.CreateAccount(ctx(t), c), storage.ErrInvalid, "create")
			_, err := s.GetAccount(ctx(t), "acct-x")
			assert.ErrorIs(t, err, storage.ErrNotFound, "nothing created")
			_, err = s.FindUser(ctx(t), "xavier")
			assert.ErrorIs(t, err, storage.ErrNotFound, "no user indexed")

			_, err = s.UpdateAccount(ctx(t), "acct-a", func(c *storage.Customer) error { tc.set(c); return nil })
			assert.ErrorIs(t, err, storage.ErrInvalid, "update")
			got, err := s.GetAccount(ctx(t), "acct-a")
			require.NoError(t, err)
			assertSame(t, a, got)
		})
	}
	t.Run("invalid account id", func(t *testing.T) {
		for _, id := range []string{"acct-\x00", "acct-\xff"} {
			c := fullCustomer(id, "yvonne")
			assert.ErrorIs(t, s.CreateAccount(ctx(t), c), storage.ErrInvalid, "%q", id)
			_, err := s.FindUser(ctx(t), "yvonne")
			assert.ErrorIs(t, err, storage.ErrNotFound, "no user indexed")
		}
	})
	t.Run("lookups by ids no store holds", func(t *testing.T) {
		for _, id := range []string{"acct-a\x00", "acct-a\xff", "alice\x00", "alice\xc3"} {
			_, err := s.GetAccount(ctx(t), id)
			assert.ErrorIs(t, err, storage.ErrNotFound, "get %q", id)
			_, err = s.FindUser(ctx(t), id)
			assert.ErrorIs(t, err, storage.ErrNotFound, "find user %q", id)
			_, err = s.UpdateAccount(ctx(t), id, func(*storage.Customer) error { return nil })
			assert.ErrorIs(t, err, storage.ErrNotFound, "update %q", id)
			assert.ErrorIs(t, s.DeleteAccount(ctx(t), id), storage.ErrNotFound, "delete %q", id)
			_, _, err = s.ReserveSegments(ctx(t), id, period(3), 1, 0)
			assert.ErrorIs(t, err, storage.ErrNotFound, "reserve %q", id)
		}
	})
}

// testReserveCanceled: reservations whose contexts end at random moments.
// A call that returns a context error counted nothing (the caller will
// neither send nor release those segments), so the stored usage is
// exactly what the successful calls were granted.
func testReserveCanceled(t *testing.T, s storage.AccountStore, f Features) {
	mustCreate(t, s, fullCustomer("acct-a"))
	var granted, canceled atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		for range f.Concurrency {
			wg.Go(func() {
				c, cancel := context.WithCancel(ctx(t))
				defer cancel()
				time.AfterFunc(time.Duration(rand.IntN(2000))*time.Microsecond, cancel)
				_, ok, err := s.ReserveSegments(c, "acct-a", period(3), 1, 0)
				switch {
				case err == nil:
					assert.True(t, ok)
					granted.Add(1)
				case errors.Is(err, context.Canceled):
					canceled.Add(1)
				default:
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
	}
	used, _, err := s.ReserveSegments(ctx(t), "acct-a", period(3), 0, 0)
	require.NoError(t, err)
	assert.EqualValues(t, granted.Load(), used, "usage is what was granted (%d calls canceled)", canceled.Load())
}
