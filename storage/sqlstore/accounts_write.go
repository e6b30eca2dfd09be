package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/azenna/advox/storage"
)

// errAccountChanged is UpdateAccount's refusal of an fn that changed the
// account id.
var errAccountChanged = errors.New("sqlstore: update account: fn changed the account id")

// CreateAccount implements storage.AccountStore. The account and its
// child rows go in with one transaction; a taken account id or user id
// (the primary keys) is storage.ErrExists and stores nothing, and so is
// the id of a deleted account (kept in advox_account_ids) and data the
// database cannot keep exactly (a string that is not UTF-8 or holds a NUL
// byte, a NaN rate) with storage.ErrInvalid.
func (a *Accounts) CreateAccount(ctx context.Context, c storage.Customer) error {
	if err := checkCustomer("create account", &c); err != nil {
		return err
	}
	return a.write(ctx, "create account", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, a.q.insertAccountID, c.Account); err != nil {
			return existsOr(err, "create account")
		}
		if _, err := tx.ExecContext(ctx, a.q.insertAccount, accountArgs(&c)...); err != nil {
			return existsOr(err, "create account")
		}
		return a.insertChildren(ctx, tx, &c, "create account")
	})
}

// UpdateAccount implements storage.AccountStore. The read, fn and the
// write share one transaction that holds the account: on PostgreSQL the
// account row is locked (SELECT … FOR UPDATE), on SQLite the transaction
// holds the database's write lock from its start. fn runs once per
// attempt; PostgreSQL reruns the transaction after a deadlock, so fn may
// run again. A user id taken by another account is storage.ErrExists,
// data CreateAccount would refuse storage.ErrInvalid.
func (a *Accounts) UpdateAccount(ctx context.Context, account string, fn func(*storage.Customer) error) (storage.Customer, error) {
	if err := a.lookup(ctx, "update account", account); err != nil {
		return storage.Customer{}, err
	}
	var (
		c      storage.Customer
		refuse error // fn's error, errAccountChanged or checkCustomer's, returned as it is
	)
	err := a.write(ctx, "update account", func(tx *sql.Tx) error {
		refuse = nil
		var err error
		if c, err = a.load(ctx, tx, tx.QueryRowContext(ctx, a.q.getLocked, account)); err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			refuse = err
			return errAborted
		}
		if c.Account != account {
			refuse = errAccountChanged
			return errAborted
		}
		if refuse = checkCustomer("update account", &c); refuse != nil {
			return errAborted
		}
		args := accountArgs(&c)
		if _, err := tx.ExecContext(ctx, a.q.updateAccount, append(args[1:], account)...); err != nil {
			return err
		}
		for _, q := range []string{a.q.deleteUsers, a.q.deleteContacts, a.q.deleteConsents} {
			if _, err := tx.ExecContext(ctx, q, account); err != nil {
				return err
			}
		}
		return a.insertChildren(ctx, tx, &c, "update account")
	})
	if refuse != nil {
		return storage.Customer{}, refuse
	}
	if err != nil {
		return storage.Customer{}, err
	}
	// Committed whatever the scrub does (see DeleteAccount).
	_ = a.s.scrub(ctx, "update account", supersededResidue)
	return c.Clone(), nil // fn may have kept its pointer
}

// DeleteAccount implements storage.AccountStore. The foreign keys'
// ON DELETE CASCADE removes users, networks, contacts, consents and usage
// with the account row; the id stays in advox_account_ids, retired. What
// they held is then scrubbed from the database files (see "Deleted data at
// rest" in the package doc).
func (a *Accounts) DeleteAccount(ctx context.Context, account string) error {
	if err := a.lookup(ctx, "delete account", account); err != nil {
		return err
	}
	err := a.write(ctx, "delete account", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, a.q.deleteAccount, account)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("sqlstore: delete account: %w", storage.ErrNotFound)
		}
		return nil
	})
	if err == nil {
		// The delete has committed whatever the scrub does: one that
		// fails (another process reading the log past the busy timeout)
		// is not the call's failure. The next scrub, and Close, clear it.
		_ = a.s.scrub(ctx, "delete account", deletedResidue)
	}
	return err
}

// insertChildren inserts c's users with their networks, contacts and
// consents, each at its slice position.
func (a *Accounts) insertChildren(ctx context.Context, tx *sql.Tx, c *storage.Customer, op string) error {
	for i, u := range c.Users {
		if _, err := tx.ExecContext(ctx, a.q.insertUser, u.ID, c.Account, i, string(u.PasswordHash)); err != nil {
			return existsOr(err, op)
		}
		for j, p := range u.Allowed {
			if _, err := tx.ExecContext(ctx, a.q.insertNetwork, u.ID, j, encodePrefix(p)); err != nil {
				return err
			}
		}
	}
	for i, k := range c.Contacts {
		if _, err := tx.ExecContext(ctx, a.q.insertContact, c.Account, i, k.Name, k.Email, k.Role); err != nil {
			return err
		}
	}
	for i, k := range c.Consents {
		if _, err := tx.ExecContext(ctx, a.q.insertConsent, c.Account, i, k.Party, k.Purpose,
			encodeTime(k.GrantedAt), encodeTime(k.WithdrawnAt)); err != nil {
			return err
		}
	}
	return nil
}
