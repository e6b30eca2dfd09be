package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
)

// cheapPasswords keep argon2id as fast as OWASP's floor allows in unit tests.
var cheapPasswords = accounts.PasswordParams{Time: 5, Memory: 7 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

// newTestAuth returns an authenticator over one account with user "u"
// (password "password-one", allowed from 127.0.0.0/8) and a clock the
// test moves.
func newTestAuth(t *testing.T) (*authenticator, *accounts.Accounts, *time.Time) {
	t.Helper()
	ctx := context.Background()
	accts, err := accounts.New(memstore.NewAccounts(), &accounts.Options{Password: &cheapPasswords})
	require.NoError(t, err)
	_, err = accts.Create(ctx, storage.Customer{Account: "acct", Organisation: "Acct AB",
		Users: []storage.User{{ID: "u", Allowed: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}}})
	require.NoError(t, err)
	require.NoError(t, accts.SetPassword(ctx, "u", "password-one"))
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	a := newAuthenticator(accts)
	a.now = func() time.Time { return now }
	return a, accts, &now
}

func basicReq(user, password, remote string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, "http://gateway/v1/usage", nil)
	if user != "" {
		r.SetBasicAuth(user, password)
	}
	r.RemoteAddr = remote
	return r
}

// A login is remembered for its TTL per (user, password, address) — so a
// changed password stops working once the TTL has passed — and failures
// are never remembered.
func TestAuthenticatorCache(t *testing.T) {
	a, accts, now := newTestAuth(t)
	ctx := context.Background()

	p, err := a.login(ctx, basicReq("u", "password-one", "127.0.0.1:50000"))
	require.NoError(t, err)
	assert.Equal(t, accounts.Principal{Account: "acct", User: "u"}, p)
	assert.Len(t, a.cache, 1)

	require.NoError(t, accts.SetPassword(ctx, "u", "password-two"))
	_, err = a.login(ctx, basicReq("u", "password-one", "127.0.0.1:50001"))
	assert.NoError(t, err, "remembered across connections (ports) within the TTL")

	*now = now.Add(defaultLoginTTL)
	_, err = a.login(ctx, basicReq("u", "password-one", "127.0.0.1:50002"))
	assert.ErrorIs(t, err, advox.ErrAuthFailed, "the old password is gone after the TTL")
	_, err = a.login(ctx, basicReq("u", "password-two", "127.0.0.1:50003"))
	assert.NoError(t, err)

	_, err = a.login(ctx, basicReq("u", "password-two", "192.0.2.1:50004"))
	assert.ErrorIs(t, err, advox.ErrAuthFailed, "a remembered login does not carry over to another address")
	_, err = a.login(ctx, basicReq("", "", "127.0.0.1:1"))
	assert.ErrorIs(t, err, advox.ErrAuthFailed)
	for _, k := range a.cache {
		assert.Equal(t, "u", k.p.User, "only successes are remembered")
	}
}

// The cache stays bounded: when full, expired logins go first, then all.
func TestAuthenticatorCacheBound(t *testing.T) {
	a, _, now := newTestAuth(t)
	a.max = 2
	p := accounts.Principal{Account: "acct", User: "u"}
	a.remember(a.cacheKey("u", "1", "127.0.0.1"), p, *now)
	a.remember(a.cacheKey("u", "2", "127.0.0.1"), p, now.Add(time.Second))
	*now = now.Add(defaultLoginTTL + time.Millisecond) // the first has expired, the second not
	a.remember(a.cacheKey("u", "3", "127.0.0.1"), p, *now)
	assert.Len(t, a.cache, 2)
	assert.Contains(t, a.cache, a.cacheKey("u", "2", "127.0.0.1"))
	a.remember(a.cacheKey("u", "4", "127.0.0.1"), p, *now)
	assert.Len(t, a.cache, 1, "nothing expired: everything dropped")
}

// Logins that need a hash run a bounded number at once: a request that
// finds every slot taken waits its turn (or its context), rather than
// allocating another argon2id state — anyone can make the gateway hash.
func TestAuthenticatorBoundsHashing(t *testing.T) {
	a, _, _ := newTestAuth(t)
	a.hashing = make(chan struct{}, 1)
	entered, release := make(chan struct{}), make(chan struct{})
	calls := 0
	a.verify = func(ctx context.Context, user, password, remoteAddr string) (accounts.Principal, error) {
		calls++ // guarded by the single slot
		if calls == 1 {
			close(entered)
			<-release
		}
		return accounts.Principal{}, advox.ErrAuthFailed
	}
	first := make(chan error, 1)
	go func() {
		_, err := a.login(context.Background(), basicReq("u", "wrong-1", "127.0.0.1:1"))
		first <- err
	}()
	<-entered

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := a.login(ctx, basicReq("u", "wrong-2", "127.0.0.1:2"))
	assert.ErrorIs(t, err, context.Canceled, "waited for a slot, not hashed")
	close(release)
	assert.ErrorIs(t, <-first, advox.ErrAuthFailed)
	assert.Equal(t, 1, calls, "one hash at a time")

	_, err = a.login(context.Background(), basicReq("u", "wrong-3", "127.0.0.1:3"))
	assert.ErrorIs(t, err, advox.ErrAuthFailed, "the slot is free again")
	assert.Equal(t, 2, calls)
}

// Regression: a login refused by the failure limit answered 401 (or the
// 503 of an operator's throttling); it is 429 with Retry-After, so a
// client knows to wait rather than to fix its password.
func TestLoginLimitedAnswers429(t *testing.T) {
	h := newHarness(t, testConfigJSON)
	for range accounts.DefaultAuthLimit().Failures {
		resp, _ := h.do(http.MethodGet, "/v1/usage", [2]string{"demo", "not-the-password"}, nil)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	resp, body := h.do(http.MethodGet, "/v1/usage", demoUser, nil)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, string(body))
	after, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After in seconds")
	assert.Positive(t, after)
	assert.LessOrEqual(t, after, int(accounts.DefaultAuthLimit().Every.Seconds()), "at most until the next attempt comes back")
	assert.Empty(t, resp.Header.Get("WWW-Authenticate"), "not a credentials problem")
	var e errorBody
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Equal(t, "throttled", e.Error.Code)
	assert.NotContains(t, string(body), "demo")
}
