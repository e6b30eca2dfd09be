package accounts

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// Principal is who logged in: a user of an account.
type Principal struct {
	// Account is the account the user belongs to.
	Account string
	// User is the user id.
	User string
}

// Authenticate logs a user in from remoteAddr ("203.0.113.5:41234", as in
// http.Request.RemoteAddr, or a bare address). It succeeds only when the
// address lies in one of the user's allowed networks and the password
// matches the stored argon2id hash (compared in constant time, in Unicode
// normal form C). A hash made under other parameters than the current
// ones is rehashed under them on success, and its verification costs what
// the current parameters cost, so that it does not show in the time a
// failure takes. Every failed check returns advox.ErrAuthFailed, whatever
// failed. Failures are limited per address, per user and per (user,
// allowed network) (see AuthLimit): an attempt over a limit is refused
// before any password is verified with an *Error of advox.CodeThrottled
// (errors.Is(err, advox.ErrThrottled)) whose cause carries when to try again
// (transport.RetryAfter), so that an HTTP front end can answer 429 with
// Retry-After. Failures from elsewhere never lock a user out of its own
// networks. Only a store failure or ctx
// returns another error.
func (a *Accounts) Authenticate(ctx context.Context, userID, password, remoteAddr string) (Principal, error) {
	const op = "authenticate"
	userID = advox.CanonicalID(userID)
	addr, addrOK := parseRemoteAddr(remoteAddr)
	validID := advox.ValidateAccountID(userID) == nil // user ids follow account-id rules
	// The address is limited first, before the store is asked anything.
	// The attempt counts against each limit while it is under way, so that
	// concurrent guesses cannot get more passwords verified than the limit.
	var begun []string
	endAll := func(failed bool) {
		for _, k := range begun {
			a.fails.end(k, failed, a.now())
		}
	}
	if addrOK {
		if err := a.beginAttempt(ctx, op, addrKey(addr)); err != nil {
			return Principal{}, err
		}
		begun = append(begun, addrKey(addr))
	}
	c, user, err := a.findUser(ctx, userID, validID)
	if err != nil {
		endAll(false) // a store failure counts as no attempt
		return Principal{}, err
	}
	// The user's side: its count for the allowed network the address lies
	// in, or its own count from anywhere else. Ids that cannot be user ids
	// are counted only per address.
	uk := userKey(userID)
	gate := uk
	if n, ok := allowedNetwork(user, addr, addrOK); ok {
		gate = netKey(userID, n)
	}
	if validID {
		if err := a.beginAttempt(ctx, op, gate); err != nil {
			endAll(false)
			return Principal{}, err
		}
		begun = append(begun, gate)
	}
	p, failed := a.verify(ctx, c, user, userID, password, addr, addrOK)
	endAll(failed)
	if !failed {
		a.fails.reset(uk, gate)
		return p, nil
	}
	if validID && gate != uk {
		a.fails.spend(uk, a.now()) // counted per user as well
	}
	if now := a.now(); validID && p.Account != "" && a.fails.blocked(gate, now) {
		// The account id is opaque; the user id and address are not logged.
		a.log.Warn("advox: failed logins limited for a user", "account", p.Account)
	}
	return Principal{}, advox.ErrAuthFailed
}

// errLoginsLimited is the cause of a login refused by AuthLimit.
var errLoginsLimited = errors.New("too many failed logins")

// beginAttempt begins an attempt on the limiter key k, or returns the
// advox.ErrThrottled-class error of a key over its limit, or ctx's error.
func (a *Accounts) beginAttempt(ctx context.Context, op, k string) error {
	retry, err := a.fails.begin(ctx, a.now, k)
	switch {
	case err != nil:
		return err
	case retry > 0:
		return &advox.Error{Op: op, Code: advox.CodeThrottled, Err: &transport.RetryAfterError{After: retry, Err: errLoginsLimited}}
	}
	return nil
}

// findUser looks the user up: c is its account and user its entry, both
// zero for an unknown user or an id that cannot be one. err is a store
// failure.
func (a *Accounts) findUser(ctx context.Context, userID string, validID bool) (c storage.Customer, user storage.User, err error) {
	if !validID {
		return c, user, nil
	}
	c, err = a.store.FindUser(ctx, userID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return storage.Customer{}, user, nil
	case err != nil:
		return c, user, wrap("authenticate", err)
	}
	if i := slices.IndexFunc(c.Users, func(u storage.User) bool { return u.ID == userID }); i >= 0 {
		user = c.Users[i]
	}
	return c, user, nil
}

// allowedNetwork returns the most specific of the user's allowed networks
// that addr lies in.
func allowedNetwork(user storage.User, addr netip.Addr, addrOK bool) (netip.Prefix, bool) {
	var best netip.Prefix
	for _, p := range user.Allowed {
		if addrOK && p.Contains(addr) && (!best.IsValid() || p.Bits() > best.Bits()) {
			best = p
		}
	}
	return best, best.IsValid()
}

// verify checks one attempt. failed is true when the password or the
// address is wrong; p then holds the user's account, if the user exists.
func (a *Accounts) verify(ctx context.Context, c storage.Customer, user storage.User, userID, password string, addr netip.Addr, addrOK bool) (p Principal, failed bool) {
	// Always hash, so that an unknown user or a refused address costs the
	// same time as a wrong password.
	passwordOK, stale := a.checkPassword(user.PasswordHash, password)
	_, addrAllowed := allowedNetwork(user, addr, addrOK)
	p = Principal{Account: c.Account, User: userID}
	if passwordOK && addrAllowed && stale {
		a.rehash(ctx, c.Account, userID, user.PasswordHash, password)
	}
	return p, !(passwordOK && addrAllowed)
}

// checkPassword verifies password against h (against a dummy hash when h
// is empty or malformed, to take the same time). The password is compared
// in Unicode normal form C, and — for a hash set before passwords were
// normalised — as typed too when that differs, whatever the user: the
// time depends on the input, never on the user. Each verification costs
// at least what the current parameters cost (see padWork). stale reports
// a match that should be rehashed: under other parameters than the
// current ones, or matched only as typed.
func (a *Accounts) checkPassword(h storage.PasswordHash, password string) (ok, stale bool) {
	if len(password) > MaxPasswordLen {
		return false, false
	}
	cur := *a.opts.Password
	ph, err := parsePasswordHash(h)
	real := h != "" && err == nil
	if !real {
		if ph, err = parsePasswordHash(a.dummyHash()); err != nil {
			return false, false // no randomness for a dummy: nothing to hide behind
		}
	}
	tries := []string{norm.NFC.String(password)}
	if tries[0] != password {
		tries = append(tries, password)
	}
	for i, pw := range tries {
		// Every try runs, matched or not: no early answer.
		if ph.verify(pw) && !ok {
			ok, stale = true, i > 0
		}
		done := ph.params.work()
		a.work.Add(done + padWork(done, cur))
	}
	ok = ok && real
	return ok, ok && (stale || ph.params != cur)
}

// rehash replaces the user's hash old, which password matched, with one
// under the current parameters, unless it changed meanwhile. A failure is
// logged, not returned: the login succeeded.
func (a *Accounts) rehash(ctx context.Context, account, userID string, old storage.PasswordHash, password string) {
	hash, err := a.hash(norm.NFC.String(password))
	if err == nil {
		_, err = a.store.UpdateAccount(ctx, account, func(c *storage.Customer) error {
			i := slices.IndexFunc(c.Users, func(u storage.User) bool { return u.ID == userID })
			if i < 0 || c.Users[i].PasswordHash != old {
				return errPasswordChanged
			}
			c.Users[i].PasswordHash = hash
			return nil
		})
	}
	switch {
	case err == nil:
		a.record(ctx, "rehash password", account)
	case !errors.Is(err, errPasswordChanged):
		a.log.Warn("advox: password not rehashed", "account", account, "error", err)
	}
}

// errPasswordChanged ends a rehash whose password was set anew meanwhile.
var errPasswordChanged = errors.New("password changed meanwhile")

// hash hashes password under the current parameters, counting the work.
func (a *Accounts) hash(password string) (storage.PasswordHash, error) {
	a.work.Add(a.opts.Password.work())
	return hashPassword(password, *a.opts.Password)
}

// dummyHash is a hash of a random password with the current parameters.
func (a *Accounts) dummyHash() storage.PasswordHash {
	a.dummyOnce.Do(func() {
		h, err := hashPassword("advox: no such user", *a.opts.Password)
		if err == nil {
			a.dummy = h
		}
	})
	return a.dummy
}

// parseRemoteAddr reads "host:port" or a bare address, unmapping
// IPv4-in-IPv6 and dropping any zone.
func parseRemoteAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if ad, err := netip.ParseAddr(s); err == nil {
		return ad.Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// SetPassword sets a user's password: at least MinPasswordLen characters,
// at most MaxPasswordLen bytes. It is stored, in Unicode normal form C (so
// that the same password typed on another keyboard or system logs in), as
// an argon2id hash with its parameters; the password itself is never
// stored or logged.
func (a *Accounts) SetPassword(ctx context.Context, userID, password string) error {
	const op = "set password"
	userID = advox.CanonicalID(userID)
	if len(password) > MaxPasswordLen {
		return errs.New(op, advox.CodeInvalidArgument, "a password has %d–%d characters", a.opts.MinPasswordLen, MaxPasswordLen)
	}
	password = norm.NFC.String(password)
	if n := utf8.RuneCountInString(password); n < a.opts.MinPasswordLen || len(password) > MaxPasswordLen {
		return errs.New(op, advox.CodeInvalidArgument, "a password has %d–%d characters", a.opts.MinPasswordLen, MaxPasswordLen)
	}
	hash, err := a.hash(password)
	if err != nil {
		return wrap(op, err)
	}
	c, err := a.store.FindUser(ctx, userID)
	if err != nil {
		return wrap(op, err)
	}
	now := a.now()
	_, err = a.store.UpdateAccount(ctx, c.Account, func(c *storage.Customer) error {
		i := slices.IndexFunc(c.Users, func(u storage.User) bool { return u.ID == userID })
		if i < 0 {
			return errs.New(op, advox.CodeNotFound, "no such user")
		}
		c.Users[i].PasswordHash = hash
		c.UpdatedAt = now
		return nil
	})
	if err != nil {
		return wrap(op, err)
	}
	a.fails.resetUser(userID)
	a.record(ctx, "set password", c.Account)
	return nil
}
