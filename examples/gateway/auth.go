package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
)

// Defaults of the login cache.
const (
	// defaultLoginTTL is how long a successful login is remembered. A
	// password changed meanwhile stops working at the latest this long
	// after the change.
	defaultLoginTTL = time.Minute
	// defaultLoginCacheMax bounds the remembered logins.
	defaultLoginCacheMax = 10000
)

// authenticator logs users in with HTTP Basic (user id and password) from
// the request's remote address, which must lie in one of the user's
// allowed networks. Forwarding headers are never trusted: put no proxy in
// front that hides the client's address.
//
// Successful logins are remembered for a short while under a keyed hash of
// (user, password, client address), so that a busy customer does not pay
// an argon2id hash — tens of milliseconds and 19 MiB — on every request.
// The cache holds no password and no address in the clear. Failures are
// never remembered: each goes through the failure limiter of Accounts.
//
// The hashes a login needs run at most GOMAXPROCS at once, the others
// wait their turn: anyone can make the gateway hash (a wrong password, an
// unknown user), and unbounded, a burst of such requests would allocate
// 19 MiB each until memory runs out. The failure limiter does not stop
// it: concurrent requests all pass it before any has failed.
type authenticator struct {
	ttl time.Duration
	max int
	now func() time.Time
	key []byte
	// verify checks credentials (Accounts.Authenticate); a login holds
	// a slot of the hashing semaphore while it runs.
	verify  func(ctx context.Context, user, password, remoteAddr string) (accounts.Principal, error)
	hashing chan struct{}

	mu    sync.Mutex
	cache map[[sha256.Size]byte]cachedLogin
}

type cachedLogin struct {
	p     accounts.Principal
	until time.Time
}

func newAuthenticator(accts *accounts.Accounts) *authenticator {
	return &authenticator{
		ttl: defaultLoginTTL, max: defaultLoginCacheMax, now: time.Now,
		key: []byte(randomHex(32)), cache: make(map[[sha256.Size]byte]cachedLogin),
		verify: accts.Authenticate, hashing: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
	}
}

// login authenticates the request. Every failure of the credentials is
// advox.ErrAuthFailed; a login refused for too many failed ones is a
// *loginLimited; only a store failure or ctx returns another error.
func (a *authenticator) login(ctx context.Context, r *http.Request) (accounts.Principal, error) {
	user, password, ok := r.BasicAuth()
	if !ok || user == "" {
		return accounts.Principal{}, advox.ErrAuthFailed
	}
	k := a.cacheKey(user, password, r.RemoteAddr)
	now := a.now()
	a.mu.Lock()
	c, hit := a.cache[k]
	a.mu.Unlock()
	if hit && now.Before(c.until) {
		return c.p, nil
	}
	select {
	case a.hashing <- struct{}{}:
	case <-ctx.Done():
		return accounts.Principal{}, ctx.Err()
	}
	p, err := a.verify(ctx, user, password, r.RemoteAddr)
	<-a.hashing
	if advox.CodeOf(err) == advox.CodeThrottled {
		return accounts.Principal{}, &loginLimited{err: err}
	}
	if err != nil {
		return accounts.Principal{}, err
	}
	a.remember(k, p, now)
	return p, nil
}

// cacheKey is an HMAC of the credentials and the client's address (its
// port left out: a client opens many connections).
func (a *authenticator) cacheKey(user, password, remoteAddr string) [sha256.Size]byte {
	host := remoteAddr
	if ap, err := netip.ParseAddrPort(remoteAddr); err == nil {
		host = ap.Addr().Unmap().String()
	}
	m := hmac.New(sha256.New, a.key)
	for _, s := range []string{user, password, host} {
		m.Write([]byte(s))
		m.Write([]byte{0})
	}
	var k [sha256.Size]byte
	m.Sum(k[:0])
	return k
}

// remember caches a successful login, sweeping expired entries when the
// cache is full (and dropping everything if that frees nothing).
func (a *authenticator) remember(k [sha256.Size]byte, p accounts.Principal, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cache) >= a.max {
		for key, c := range a.cache {
			if !now.Before(c.until) {
				delete(a.cache, key)
			}
		}
		if len(a.cache) >= a.max {
			clear(a.cache)
		}
	}
	a.cache[k] = cachedLogin{p: p, until: now.Add(a.ttl)}
}

// loginLimited is a login refused because too many failed before it (see
// accounts.AuthLimit): the customer is answered 429 with Retry-After, not the
// 503 of an operator's throttling. It wraps the advox error, whose cause
// carries the retry time.
type loginLimited struct{ err error }

func (e *loginLimited) Error() string { return e.err.Error() }
func (e *loginLimited) Unwrap() error { return e.err }
