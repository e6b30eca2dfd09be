package advox

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"unicode/utf8"

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
// matches the stored argon2id hash (compared in constant time). Failures
// are limited per user and per address (see AuthLimit) and all return
// ErrAuthFailed. Only a store failure or ctx returns another error.
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
	hash := user.PasswordHash
	if hash == "" {
		hash = a.dummyHash()
	}
	passwordOK := len(password) <= MaxPasswordLen && verifyPassword(hash, password) && user.PasswordHash != ""
	addrAllowed := addrOK && slices.ContainsFunc(user.Allowed, func(p netip.Prefix) bool { return p.Contains(addr) })
	return Principal{Account: c.Account, User: userID}, !(passwordOK && addrAllowed), nil
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
// at most MaxPasswordLen bytes. It is stored as an argon2id hash with its
// parameters; the password itself is never stored or logged.
func (a *Accounts) SetPassword(ctx context.Context, userID, password string) error {
	const op = "set password"
	userID = CanonicalID(userID)
	if n := utf8.RuneCountInString(password); n < a.opts.MinPasswordLen || len(password) > MaxPasswordLen {
		return newError(op, CodeInvalidArgument, "a password has %d–%d characters", a.opts.MinPasswordLen, MaxPasswordLen)
	}
	hash, err := hashPassword(password, *a.opts.Password)
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
	a.audit(ctx, "set password", c.Account)
	return nil
}
