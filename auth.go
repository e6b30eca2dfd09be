package advox

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/azenna/advox/storage"
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
// failure takes. Failures are limited per user and per address (see
// AuthLimit) and all return ErrAuthFailed. Only a store failure or ctx
// returns another error.
func (a *Accounts) Authenticate(ctx context.Context, userID, password, remoteAddr string) (Principal, error) {
	userID = CanonicalID(userID)
	addr, addrOK := parseRemoteAddr(remoteAddr)
	uk := userKey(userID)
	keys := []string{uk}
	if addrOK {
		keys = append(keys, addrKey(addr))
	}
	// The attempt counts against the limits while it is under way, so that
	// concurrent guesses cannot get more passwords verified than the limit.
	ok, err := a.fails.begin(ctx, a.now, keys...)
	if err != nil {
		return Principal{}, err
	}
	if !ok {
		return Principal{}, ErrAuthFailed
	}
	validID := ValidateAccountID(userID) == nil // user ids follow account-id rules
	p, failed, err := a.authenticate(ctx, userID, validID, password, addr, addrOK)
	now := a.now()
	a.fails.end(uk, failed && validID, now)
	if addrOK {
		a.fails.end(addrKey(addr), failed, now)
	}
	if err != nil {
		return Principal{}, err
	}
	if !failed {
		a.fails.reset(uk)
		return p, nil
	}
	if validID && p.Account != "" && a.fails.blocked(uk, now) {
		// The account id is opaque; the user id and address are not logged.
		a.log.Warn("advox: failed logins limited for a user", "account", p.Account)
	}
	return Principal{}, ErrAuthFailed
}

// authenticate checks one attempt. failed is true when the password or the
// address is wrong (p then holds the user's account, if the user exists);
// err is a store failure, which counts as no attempt.
func (a *Accounts) authenticate(ctx context.Context, userID string, validID bool, password string, addr netip.Addr, addrOK bool) (p Principal, failed bool, err error) {
	var user storage.User
	var c storage.Customer
	if validID {
		c, err = a.store.FindUser(ctx, userID)
	}
	switch {
	case !validID:
	case err == nil:
		i := slices.IndexFunc(c.Users, func(u storage.User) bool { return u.ID == userID })
		if i >= 0 {
			user = c.Users[i]
		}
	case !errors.Is(err, storage.ErrNotFound):
		return Principal{}, false, wrap("authenticate", err)
	}
	// Always hash, so that an unknown user or a refused address costs the
	// same time as a wrong password.
	passwordOK, stale := a.checkPassword(user.PasswordHash, password)
	addrAllowed := addrOK && slices.ContainsFunc(user.Allowed, func(p netip.Prefix) bool { return p.Contains(addr) })
	p = Principal{Account: c.Account, User: userID}
	if passwordOK && addrAllowed && stale {
		a.rehash(ctx, c.Account, userID, user.PasswordHash, password)
	}
	return p, !(passwordOK && addrAllowed), nil
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
	userID = CanonicalID(userID)
	if len(password) > MaxPasswordLen {
		return newError(op, CodeInvalidArgument, "a password has %d–%d characters", a.opts.MinPasswordLen, MaxPasswordLen)
	}
	password = norm.NFC.String(password)
	if n := utf8.RuneCountInString(password); n < a.opts.MinPasswordLen || len(password) > MaxPasswordLen {
		return newError(op, CodeInvalidArgument, "a password has %d–%d characters", a.opts.MinPasswordLen, MaxPasswordLen)
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
			return newError(op, CodeNotFound, "no such user")
		}
		c.Users[i].PasswordHash = hash
		c.UpdatedAt = now
		return nil
	})
	if err != nil {
		return wrap(op, err)
	}
	a.fails.reset(userKey(userID))
	a.record(ctx, "set password", c.Account)
	return nil
}
