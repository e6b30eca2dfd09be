package accounts

import (
	"context"

	"github.com/azenna/advox/storage"
)

// NewCheap is New without the floor on password
// parameters, so that the package's tests hash in microseconds.
func NewCheap(store storage.AccountStore, opts *Options) (*Accounts, error) {
	return newAccounts(store, opts, true)
}

// PasswordWork returns the argon2id work a has done, in KiB × passes.
func PasswordWork(a *Accounts) uint64 { return a.work.Load() }

// HashPassword hashes password as SetPassword does, without normalising
// it: a hash as an older version stored it.
func HashPassword(password string, p PasswordParams) (storage.PasswordHash, error) {
	return hashPassword(password, p)
}

// SetPasswordHash stores h as the user's hash, as an older version would
// have left it.
func SetPasswordHash(ctx context.Context, a *Accounts, userID string, h storage.PasswordHash) error {
	c, err := a.store.FindUser(ctx, userID)
	if err != nil {
		return err
	}
	_, err = a.store.UpdateAccount(ctx, c.Account, func(c *storage.Customer) error {
		for i := range c.Users {
			if c.Users[i].ID == userID {
				c.Users[i].PasswordHash = h
			}
		}
		return nil
	})
	return err
}
