package accounts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
)

const goodPassword = "korrekt häst batteri"

// authFixture has account "acme" with users acme-api (192.0.2.0/24,
// 2001:db8:1::/48) and acme-ops (198.51.100.7/32), both with goodPassword.
func authFixture(t *testing.T, opts *accounts.Options) *acctFixture {
	t.Helper()
	f := newAcctFixture(t, opts)
	_, err := f.acc.Create(ctxT(t), demoCustomer("acme"))
	require.NoError(t, err)
	require.NoError(t, f.acc.SetPassword(ctxT(t), "acme-api", goodPassword))
	require.NoError(t, f.acc.SetPassword(ctxT(t), "acme-ops", goodPassword))
	return f
}

func TestAuthenticate(t *testing.T) {
	// A limit the table's failures stay under: a limited attempt answers
	// ErrThrottled, which is tested on its own.
	f := authFixture(t, &accounts.Options{AuthLimit: accounts.AuthLimit{Failures: 100, Every: time.Minute}})
	_, err := f.acc.Create(ctxT(t), storage.Customer{
		Account: "nopass", Organisation: "No Password AB",
		Users: []storage.User{{ID: "nopass-api", Allowed: mustPrefixes("192.0.2.0/24")}},
	})
	require.NoError(t, err)
	_, err = f.acc.Create(ctxT(t), storage.Customer{
		Account: "nonet", Organisation: "No Network AB", Users: []storage.User{{ID: "nonet-api"}},
	})
	require.NoError(t, err)
	require.NoError(t, f.acc.SetPassword(ctxT(t), "nonet-api", goodPassword))

	tests := []struct {
		name, user, password, addr string
		ok                         bool
	}{
		{"right password, allowed address with port", "acme-api", goodPassword, "192.0.2.10:41234", true},
		{"bare address", "acme-api", goodPassword, "192.0.2.10", true},
		{"IPv6 inside the /48", "acme-api", goodPassword, "[2001:db8:1:2::5]:443", true},
		{"IPv4-mapped IPv6", "acme-api", goodPassword, "[::ffff:192.0.2.10]:1", true},
		{"single host", "acme-ops", goodPassword, "198.51.100.7:1", true},
		{"wrong password", "acme-api", goodPassword + "x", "192.0.2.10:1", false},
		{"empty password", "acme-api", "", "192.0.2.10:1", false},
		{"address outside the networks", "acme-api", goodPassword, "203.0.113.1:1", false},
		{"another user's network", "acme-ops", goodPassword, "192.0.2.10:1", false},
		{"unparsable address", "acme-api", goodPassword, "localhost:80", false},
		{"unknown user", "nobody", goodPassword, "192.0.2.10:1", false},
		{"user id with spaces", "acme api", goodPassword, "192.0.2.10:1", false},
		{"no password set", "nopass-api", "", "192.0.2.10:1", false},
		{"no networks allowed", "nonet-api", goodPassword, "192.0.2.10:1", false},
		{"password too long", "acme-api", strings.Repeat("x", accounts.MaxPasswordLen+1), "192.0.2.10:1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.acc.Authenticate(ctxT(t), tc.user, tc.password, tc.addr)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, accounts.Principal{Account: "acme", User: tc.user}, p)
				return
			}
			assert.Equal(t, advox.ErrAuthFailed, err, "one generic error, whatever failed")
			assert.Zero(t, p)
		})
	}
}

func TestAuthenticateLimitsFailuresPerUser(t *testing.T) {
	f := authFixture(t, &accounts.Options{AuthLimit: accounts.AuthLimit{Failures: 3, Every: time.Minute}})
	ctx := ctxT(t)
	for i := range 3 {
		_, err := f.acc.Authenticate(ctx, "acme-api", "wrong", fmt.Sprintf("192.0.2.%d:1", 10+i))
		require.ErrorIs(t, err, advox.ErrAuthFailed)
	}
	_, err := f.acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.50:1")
	assert.ErrorIs(t, err, advox.ErrThrottled, "locked in that network: even the right password is refused")

	_, err = f.acc.Authenticate(ctx, "acme-ops", goodPassword, "198.51.100.7:1")
	assert.NoError(t, err, "other users are not affected")

	f.clock.Advance(time.Minute)
	_, err = f.acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.50:1")
	require.NoError(t, err, "one attempt is back after Every")

	for range 3 {
		_, err = f.acc.Authenticate(ctx, "acme-api", "wrong", "192.0.2.60:1")
		require.ErrorIs(t, err, advox.ErrAuthFailed)
	}
	_, err = f.acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.61:1")
	assert.ErrorIs(t, err, advox.ErrThrottled, "a success resets the count to a full burst, not beyond")
}

func TestAuthenticateLimitsFailuresPerAddress(t *testing.T) {
	f := authFixture(t, &accounts.Options{AuthLimit: accounts.AuthLimit{Failures: 3, Every: time.Minute}})
	ctx := ctxT(t)
	for i := range 3 {
		_, err := f.acc.Authenticate(ctx, fmt.Sprintf("guess-%d", i), "wrong", "[2001:db8:1:2::1]:1")
		require.ErrorIs(t, err, advox.ErrAuthFailed)
	}
	_, err := f.acc.Authenticate(ctx, "acme-api", goodPassword, "[2001:db8:1:2::99]:1")
	assert.ErrorIs(t, err, advox.ErrThrottled, "the same IPv6 /64 is locked")
	_, err = f.acc.Authenticate(ctx, "acme-api", goodPassword, "[2001:db8:1:3::1]:1")
	assert.NoError(t, err, "another /64 is not")
	_, err = f.acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.10:1")
	assert.NoError(t, err)
}

// Regression: wrong passwords from anywhere locked the real user out of
// its own networks, a denial of service on any known user id. Failures
// are counted per (user, allowed network) too; a network's own count is
// the one that can lock a login from it.
func TestAuthenticateFailuresElsewhereDoNotLockOut(t *testing.T) {
	tests := []struct {
		name      string
		guessFrom []string // where the wrong passwords come from
		loginFrom string   // where the right one then comes from
		throttled bool
	}{
		{"guesses from outside every allowed network", []string{"203.0.113.1:1", "203.0.113.2:1", "198.18.0.1:1", "198.18.0.2:1", "198.18.0.3:1"}, "192.0.2.10:1", false},
		{"guesses from another allowed network", []string{"192.0.2.1:1", "192.0.2.2:1", "192.0.2.3:1"}, "[2001:db8:1::5]:1", false},
		{"guesses from the same allowed network", []string{"192.0.2.1:1", "192.0.2.2:1", "192.0.2.3:1"}, "192.0.2.10:1", true},
		{"guesses from the login's own address", []string{"203.0.113.9:1", "203.0.113.9:2", "203.0.113.9:3"}, "203.0.113.9:4", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := authFixture(t, &accounts.Options{AuthLimit: accounts.AuthLimit{Failures: 3, Every: time.Minute}})
			ctx := ctxT(t)
			for _, from := range tc.guessFrom {
				_, err := f.acc.Authenticate(ctx, "acme-api", "wrong", from)
				require.Error(t, err)
			}
			_, err := f.acc.Authenticate(ctx, "acme-api", goodPassword, tc.loginFrom)
			if tc.throttled {
				assert.ErrorIs(t, err, advox.ErrThrottled)
				return
			}
			assert.NoError(t, err)
		})
	}
}

// A refused attempt says so with an ErrThrottled-class error carrying
// when to try again, so that an HTTP front end can answer 429 with
// Retry-After; it holds neither the user id nor the address.
func TestAuthenticateThrottledCarriesRetryAfter(t *testing.T) {
	f := authFixture(t, &accounts.Options{AuthLimit: accounts.AuthLimit{Failures: 2, Every: time.Minute}})
	ctx := ctxT(t)
	for range 2 {
		_, err := f.acc.Authenticate(ctx, "acme-api", "wrong", "203.0.113.1:1")
		require.Equal(t, advox.ErrAuthFailed, err)
	}
	f.clock.Advance(20 * time.Second)
	_, err := f.acc.Authenticate(ctx, "acme-api", "wrong", "203.0.113.1:1")
	require.ErrorIs(t, err, advox.ErrThrottled)
	assert.NotErrorIs(t, err, advox.ErrAuthFailed)
	assert.Equal(t, advox.CodeThrottled, advox.CodeOf(err))
	d, ok := transport.RetryAfter(err)
	require.True(t, ok, "a retry-after hint")
	assert.Equal(t, 40*time.Second, d, "until the next token")
	for _, secret := range []string{"acme-api", "203.0.113"} {
		assert.NotContains(t, err.Error(), secret)
	}
}

// A new password forgets the user's failures, those counted per network
// included.
func TestSetPasswordForgetsNetworkFailures(t *testing.T) {
	f := authFixture(t, &accounts.Options{AuthLimit: accounts.AuthLimit{Failures: 2, Every: time.Hour}})
	ctx := ctxT(t)
	for i := range 2 {
		_, err := f.acc.Authenticate(ctx, "acme-api", "wrong", fmt.Sprintf("192.0.2.%d:1", 20+i))
		require.ErrorIs(t, err, advox.ErrAuthFailed)
	}
	_, err := f.acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.10:1")
	require.ErrorIs(t, err, advox.ErrThrottled)
	require.NoError(t, f.acc.SetPassword(ctx, "acme-api", goodPassword))
	_, err = f.acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.10:1")
	assert.NoError(t, err)
}

func TestSetPasswordRules(t *testing.T) {
	f := authFixture(t, nil)
	ctx := ctxT(t)
	assert.ErrorIs(t, f.acc.SetPassword(ctx, "acme-api", "short"), advox.ErrInvalidArgument)
	assert.ErrorIs(t, f.acc.SetPassword(ctx, "acme-api", strings.Repeat("x", accounts.MaxPasswordLen+1)), advox.ErrInvalidArgument)
	assert.ErrorIs(t, f.acc.SetPassword(ctx, "nobody", goodPassword), advox.ErrNotFound)

	require.NoError(t, f.acc.SetPassword(ctx, "acme-api", "ett helt nytt lösenord"))
	_, err := f.acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.10:1")
	assert.ErrorIs(t, err, advox.ErrAuthFailed, "the old password is gone")
	_, err = f.acc.Authenticate(ctx, "acme-api", "ett helt nytt lösenord", "192.0.2.10:1")
	assert.NoError(t, err)
}

func TestPasswordHashStored(t *testing.T) {
	f := authFixture(t, nil)
	c, err := f.store.GetAccount(ctxT(t), "acme")
	require.NoError(t, err)
	api, ops := string(c.Users[0].PasswordHash), string(c.Users[1].PasswordHash)
	assert.True(t, strings.HasPrefix(api, "$argon2id$v=19$m=64,t=1,p=1$"), "PHC format with the parameters")
	assert.NotEqual(t, api, ops, "each hash has its own salt")
	assert.NotContains(t, api, goodPassword)
}

// stronger are "current" parameters for tests where cheapPasswords made
// the stored hashes.
var stronger = accounts.PasswordParams{Time: 2, Memory: 128, Threads: 2, SaltLen: 24, KeyLen: 48}

// TestPasswordParamsChangeKeepsOldHashes: a hash made under older
// parameters still logs in, and the login rehashes it under the current
// ones. Broke: it stayed under the old parameters for good.
func TestPasswordParamsChangeKeepsOldHashes(t *testing.T) {
	f := authFixture(t, nil)
	trail := &testkit.AuditLog{}
	acc2, err := accounts.NewCheap(f.store, &accounts.Options{Password: &stronger, Now: f.clock.Now, Auditor: trail})
	require.NoError(t, err)
	_, err = acc2.Authenticate(ctxT(t), "acme-api", goodPassword, "192.0.2.10:1")
	assert.NoError(t, err, "the parameters travel with the hash")

	c, err := f.store.GetAccount(ctxT(t), "acme")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(c.Users[0].PasswordHash), "$argon2id$v=19$m=128,t=2,p=2$"), "rehashed")
	assert.True(t, strings.HasPrefix(string(c.Users[1].PasswordHash), "$argon2id$v=19$m=64,t=1,p=1$"), "no login, no rehash")
	assert.Equal(t, []string{"rehash password"}, trail.Actions())
	_, err = acc2.Authenticate(ctxT(t), "acme-api", goodPassword, "192.0.2.10:1")
	assert.NoError(t, err, "the new hash logs in")

	_, err = acc2.Authenticate(ctxT(t), "acme-ops", goodPassword, "203.0.113.1:1")
	require.ErrorIs(t, err, advox.ErrAuthFailed)
	c, err = f.store.GetAccount(ctxT(t), "acme")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(c.Users[1].PasswordHash), "$argon2id$v=19$m=64,t=1,p=1$"),
		"a refused login (wrong network) rehashes nothing")
}

// TestLoginWorkEqualised: a failed login costs the same argon2id work
// whether the user is unknown, has a hash under the current parameters or
// one under older, cheaper ones, so that users cannot be told apart by
// timing. Broke: an older-parameter user answered 30 times sooner.
// Measured as work done, not wall time.
func TestLoginWorkEqualised(t *testing.T) {
	f := authFixture(t, nil) // acme-api and acme-ops hashed under cheapPasswords
	acc, err := accounts.NewCheap(f.store, &accounts.Options{Password: &stronger, Now: f.clock.Now})
	require.NoError(t, err)
	ctx := ctxT(t)
	require.NoError(t, acc.SetPassword(ctx, "acme-ops", goodPassword)) // under stronger
	want := uint64(stronger.Memory) * uint64(stronger.Time)
	for _, tt := range []struct{ name, user, password string }{
		{"unknown user", "acme-nobody", "wrong password"},
		{"current parameters", "acme-ops", "wrong password"},
		{"older parameters", "acme-api", "wrong password"},
		{"not an id", "no such user", "wrong password"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := accounts.PasswordWork(acc)
			_, err := acc.Authenticate(ctx, tt.user, tt.password, "192.0.2.10:1")
			require.ErrorIs(t, err, advox.ErrAuthFailed)
			assert.InDelta(t, want, accounts.PasswordWork(acc)-before, float64(stronger.Time))
		})
	}
}

// TestPasswordsNormalised: a password is hashed and compared in Unicode
// normal form C, so that "å" typed as one character or as "a" and a
// combining ring is the same password; a hash stored before passwords
// were normalised still logs in as typed, and is rehashed normalised.
// Broke: the two spellings were different passwords.
func TestPasswordsNormalised(t *testing.T) {
	const nfc, nfd = "lösenordet är hemligt", "lo\u0308senordet a\u0308r hemligt"
	f := authFixture(t, nil)
	ctx := ctxT(t)
	require.NoError(t, f.acc.SetPassword(ctx, "acme-api", nfd))
	_, err := f.acc.Authenticate(ctx, "acme-api", nfc, "192.0.2.10:1")
	assert.NoError(t, err, "set decomposed, typed composed")
	require.NoError(t, f.acc.SetPassword(ctx, "acme-api", nfc))
	_, err = f.acc.Authenticate(ctx, "acme-api", nfd, "192.0.2.10:1")
	assert.NoError(t, err, "set composed, typed decomposed")

	legacy, err := accounts.HashPassword(nfd, cheapPasswords)
	require.NoError(t, err)
	_, err = f.store.UpdateAccount(ctx, "acme", func(c *storage.Customer) error {
		c.Users[0].PasswordHash = legacy
		return nil
	})
	require.NoError(t, err)
	_, err = f.acc.Authenticate(ctx, "acme-api", nfd, "192.0.2.10:1")
	require.NoError(t, err, "an old hash of the decomposed form, typed the same")
	_, err = f.acc.Authenticate(ctx, "acme-api", nfc, "192.0.2.10:1")
	assert.NoError(t, err, "rehashed normalised: the composed form logs in too")
}

func TestPasswordHashNeverShown(t *testing.T) {
	f := authFixture(t, nil)
	c, err := f.store.GetAccount(ctxT(t), "acme")
	require.NoError(t, err)
	raw := string(c.Users[0].PasswordHash)
	require.NotEmpty(t, raw)
	salt := strings.Split(raw, "$")[4]

	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("user", "user", c.Users[0], "hash", c.Users[0].PasswordHash)
	js, err := json.Marshal(c)
	require.NoError(t, err)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"%s": fmt.Sprintf("%s", c.Users[0].PasswordHash), "%q": fmt.Sprintf("%q", c.Users[0].PasswordHash),
		"%x": fmt.Sprintf("%x", c.Users[0].PasswordHash), "%d": fmt.Sprintf("%d", c.Users[0].PasswordHash),
		"String": c.Users[0].PasswordHash.String(), "slog": logBuf.String(), "json": string(js),
	}
	for name, out := range outputs {
		assert.NotContains(t, out, salt, name)
		assert.NotContains(t, out, "argon2id", name)
	}
	assert.Contains(t, outputs["json"], "[redacted]")

	got, err := f.acc.Get(ctxT(t), "acme")
	require.NoError(t, err)
	assert.Empty(t, got.Users[0].PasswordHash, "Get never hands out hashes")
}

func TestAuthenticateConcurrent(t *testing.T) {
	f := authFixture(t, &accounts.Options{AuthLimit: accounts.AuthLimit{Failures: 1000, Every: time.Minute}})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			pw := goodPassword
			if i%2 == 1 {
				pw = "wrong"
			}
			_, err := f.acc.Authenticate(ctxT(t), "acme-api", pw, "192.0.2.10:1")
			assert.Equal(t, i%2 == 0, err == nil)
		})
	}
	wg.Wait()
}

// BenchmarkAuthenticateDefaultParams measures one login with the
// production argon2id parameters (DefaultPasswordParams).
func BenchmarkAuthenticateDefaultParams(b *testing.B) {
	acc, err := accounts.New(memstore.NewAccounts(), nil)
	require.NoError(b, err)
	ctx := b.Context()
	_, err = acc.Create(ctx, demoCustomer("acme"))
	require.NoError(b, err)
	require.NoError(b, acc.SetPassword(ctx, "acme-api", goodPassword))
	for b.Loop() {
		if _, err := acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.10:1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateFailed measures a failed login with the production
// parameters for an unknown user, a user hashed under them and one hashed
// under parameters far below them (m=8 KiB, t=1): the three must cost the
// same, or the third could be told apart by timing.
func BenchmarkAuthenticateFailed(b *testing.B) {
	acc, err := accounts.New(memstore.NewAccounts(), &accounts.Options{
		AuthLimit: accounts.AuthLimit{Failures: 1 << 30, Every: time.Nanosecond},
	})
	require.NoError(b, err)
	ctx := b.Context()
	_, err = acc.Create(ctx, demoCustomer("acme"))
	require.NoError(b, err)
	require.NoError(b, acc.SetPassword(ctx, "acme-api", goodPassword))
	old, err := accounts.HashPassword(goodPassword, accounts.PasswordParams{Time: 1, Memory: 8, Threads: 1, SaltLen: 16, KeyLen: 32})
	require.NoError(b, err)
	require.NoError(b, accounts.SetPasswordHash(ctx, acc, "acme-ops", old))
	for _, user := range []string{"acme-nobody", "acme-api", "acme-ops"} {
		b.Run(user, func(b *testing.B) {
			for b.Loop() {
				if _, err := acc.Authenticate(ctx, user, "wrong password", "192.0.2.10:1"); !errors.Is(err, advox.ErrAuthFailed) {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestLockoutLogHoldsNoCustomerData(t *testing.T) {
	var buf bytes.Buffer
	f := authFixture(t, &accounts.Options{
		AuthLimit: accounts.AuthLimit{Failures: 2, Every: time.Minute},
		Logger:    slog.New(slog.NewTextHandler(&buf, nil)),
	})
	for range 2 {
		_, err := f.acc.Authenticate(ctxT(t), "acme-api", "wrong password", "192.0.2.10:1")
		require.ErrorIs(t, err, advox.ErrAuthFailed)
	}
	out := buf.String()
	assert.Contains(t, out, "failed logins limited")
	assert.Contains(t, out, "account=acme")
	for _, secret := range []string{"acme-api", "192.0.2", "wrong password"} {
		assert.NotContains(t, out, secret)
	}
}

// Guesses made at the same time count against the limit like guesses made
// one after the other: an attacker cannot get more than Failures passwords
// verified by sending them concurrently.
func TestAuthenticateLimitHoldsForConcurrentGuesses(t *testing.T) {
	const failures, guesses = 2, 12
	acc, st := gatedAccounts(t, accounts.AuthLimit{Failures: failures, Every: time.Hour})
	st.gated.Store(true)
	var wg sync.WaitGroup
	for range guesses {
		wg.Go(func() {
			_, err := acc.Authenticate(ctxT(t), "acme-api", "wrong guess", "192.0.2.10:1")
			assert.True(t, err == advox.ErrAuthFailed || errors.Is(err, advox.ErrThrottled), "%v", err)
		})
	}
	// Let the guesses pile up in the store (or be held back by the limit).
	deadline := time.Now().Add(200 * time.Millisecond)
	for st.calls.Load() < guesses && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(st.release)
	wg.Wait()
	assert.LessOrEqual(t, int(st.calls.Load()), failures, "passwords verified past the limit")

	_, err := acc.Authenticate(ctxT(t), "acme-api", goodPassword, "192.0.2.10:1")
	assert.ErrorIs(t, err, advox.ErrThrottled, "the user is limited")
}

// Holding concurrent attempts to the limit never refuses logins that
// succeed: more concurrent right passwords than Failures all get in.
func TestAuthenticateConcurrentSuccessesBeyondTheLimit(t *testing.T) {
	acc, _ := gatedAccounts(t, accounts.AuthLimit{Failures: 2, Every: time.Hour})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := acc.Authenticate(ctxT(t), "acme-api", goodPassword, "192.0.2.10:1")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
}

// An attempt held back by concurrent ones ends with its context.
func TestAuthenticateHeldAttemptHonoursContext(t *testing.T) {
	acc, st := gatedAccounts(t, accounts.AuthLimit{Failures: 1, Every: time.Hour})
	st.gated.Store(true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = acc.Authenticate(ctxT(t), "acme-api", "wrong guess", "192.0.2.10:1")
	}()
	require.Eventually(t, func() bool { return st.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithCancel(ctxT(t))
	cancel()
	_, err := acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.10:1")
	assert.ErrorIs(t, err, context.Canceled)
	close(st.release)
	<-done
}

// "Åsa" has two Unicode spellings that look the same: NFC (one code point
// for Å) and NFD (A and a combining ring). Ids are compared byte for byte,
// so both spellings as two users would be a look-alike login. Ids are
// kept in NFC only, and a login typed in another form still finds its
// user.
const (
	asaNFC = "\u00c5sa-api"  // Å
	asaNFD = "A\u030asa-api" // A + combining ring above
)

func TestLoginInAnotherUnicodeFormFindsTheUser(t *testing.T) {
	f := authFixture(t, nil)
	_, err := f.acc.Create(ctxT(t), storage.Customer{
		Account: "asa", Organisation: "Åsas Blommor AB",
		Users: []storage.User{{ID: asaNFC, Allowed: mustPrefixes("192.0.2.0/24")}},
	})
	require.NoError(t, err)
	_, err = f.acc.Create(ctxT(t), storage.Customer{
		Account: "asa-twin", Organisation: "Tvilling AB",
		Users: []storage.User{{ID: asaNFD, Allowed: mustPrefixes("192.0.2.0/24")}},
	})
	assert.Equal(t, advox.CodeInvalidArgument, advox.CodeOf(err), "a look-alike of an existing user id")

	require.NoError(t, f.acc.SetPassword(ctxT(t), asaNFD, goodPassword), "set by either spelling")
	for _, id := range []string{asaNFC, asaNFD} {
		p, err := f.acc.Authenticate(ctxT(t), id, goodPassword, "192.0.2.10:1")
		require.NoError(t, err, "%q", id)
		assert.Equal(t, "asa", p.Account)
	}
}

// gatedUsers holds every FindUser call until release is closed, counting
// the calls: each one is a password guess that gets verified.
type gatedUsers struct {
	storage.AccountStore
	gated   atomic.Bool
	calls   atomic.Int32
	release chan struct{}
}

func (g *gatedUsers) FindUser(ctx context.Context, userID string) (storage.Customer, error) {
	if g.gated.Load() {
		g.calls.Add(1)
		select {
		case <-g.release:
		case <-ctx.Done():
			return storage.Customer{}, ctx.Err()
		}
	}
	return g.AccountStore.FindUser(ctx, userID)
}

func gatedAccounts(t *testing.T, limit accounts.AuthLimit) (*accounts.Accounts, *gatedUsers) {
	t.Helper()
	st := &gatedUsers{AccountStore: memstore.NewAccounts(), release: make(chan struct{})}
	p := cheapPasswords
	acc, err := accounts.NewCheap(st, &accounts.Options{Now: testkit.NewClock(acctEpoch).Now, Password: &p, AuthLimit: limit})
	require.NoError(t, err)
	_, err = acc.Create(ctxT(t), demoCustomer("acme"))
	require.NoError(t, err)
	require.NoError(t, acc.SetPassword(ctxT(t), "acme-api", goodPassword))
	return acc, st
}
