package advox

import "github.com/azenna/advox/storage"

// NewCheapAccounts is NewAccounts without the floor on password
// parameters, so that the package's tests hash in microseconds.
func NewCheapAccounts(store storage.AccountStore, opts *AccountsOptions) (*Accounts, error) {
	return newAccounts(store, opts, true)
}

// PasswordWork returns the argon2id work a has done, in KiB × passes.
func PasswordWork(a *Accounts) uint64 { return a.work.Load() }

// HashPassword hashes password as SetPassword does, without normalising
// it: a hash as an older version stored it.
func HashPassword(password string, p PasswordParams) (storage.PasswordHash, error) {
	return hashPassword(password, p)
}
