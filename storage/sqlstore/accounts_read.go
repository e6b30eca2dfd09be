package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/azenna/advox/storage"
)

// GetAccount implements storage.AccountStore.
func (a *Accounts) GetAccount(ctx context.Context, account string) (storage.Customer, error) {
	if err := a.lookup(ctx, "get account", account); err != nil {
		return storage.Customer{}, err
	}
	var c storage.Customer
	err := a.read(ctx, "get account", func(tx *sql.Tx) error {
		var err error
		c, err = a.load(ctx, tx, tx.QueryRowContext(ctx, a.q.get, account))
		return err
	})
	if err != nil {
		return storage.Customer{}, err
	}
	return c, nil
}

// FindUser implements storage.AccountStore. User ids are compared byte
// for byte (case-sensitive).
func (a *Accounts) FindUser(ctx context.Context, userID string) (storage.Customer, error) {
	if err := a.lookup(ctx, "find user", userID); err != nil {
		return storage.Customer{}, err
	}
	var c storage.Customer
	err := a.read(ctx, "find user", func(tx *sql.Tx) error {
		var err error
		c, err = a.load(ctx, tx, tx.QueryRowContext(ctx, a.q.getByUser, userID))
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("sqlstore: user: %w", storage.ErrNotFound) // the id may be an e-mail address
		}
		return err
	})
	if err != nil {
		return storage.Customer{}, err
	}
	return c, nil
}

// load scans the account row and reads its users, contacts and consents
// in tx. A missing row is storage.ErrNotFound.
func (a *Accounts) load(ctx context.Context, tx *sql.Tx, row *sql.Row) (storage.Customer, error) {
	c, err := scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.Customer{}, fmt.Errorf("sqlstore: account: %w", storage.ErrNotFound)
	}
	if err != nil {
		return storage.Customer{}, err
	}
	if c.Users, err = a.users(ctx, tx, c.Account); err != nil {
		return storage.Customer{}, err
	}
	if c.Contacts, err = a.contacts(ctx, tx, c.Account); err != nil {
		return storage.Customer{}, err
	}
	if c.Consents, err = a.consents(ctx, tx, c.Account); err != nil {
		return storage.Customer{}, err
	}
	return c, nil
}

// users reads the account's users with their networks, in order.
func (a *Accounts) users(ctx context.Context, tx *sql.Tx, account string) ([]storage.User, error) {
	rows, err := tx.QueryContext(ctx, a.q.usersOf, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var users []storage.User
	for rows.Next() {
		var (
			id, hash string
			prefix   sql.NullString
		)
		if err := rows.Scan(&id, &hash, &prefix); err != nil {
			return nil, err
		}
		if n := len(users); n == 0 || users[n-1].ID != id {
			users = append(users, storage.User{ID: id, PasswordHash: storage.PasswordHash(hash)})
		}
		if prefix.Valid {
			p, err := decodePrefix(prefix.String)
			if err != nil {
				return nil, err
			}
			u := &users[len(users)-1]
			u.Allowed = append(u.Allowed, p)
		}
	}
	return users, rows.Err()
}

// contacts reads the account's contacts in order.
func (a *Accounts) contacts(ctx context.Context, tx *sql.Tx, account string) ([]storage.Contact, error) {
	rows, err := tx.QueryContext(ctx, a.q.contactsOf, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storage.Contact
	for rows.Next() {
		var c storage.Contact
		if err := rows.Scan(&c.Name, &c.Email, &c.Role); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// consents reads the account's consents in order.
func (a *Accounts) consents(ctx context.Context, tx *sql.Tx, account string) ([]storage.Consent, error) {
	rows, err := tx.QueryContext(ctx, a.q.consentsOf, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storage.Consent
	for rows.Next() {
		var (
			c                  storage.Consent
			granted, withdrawn int64
		)
		if err := rows.Scan(&c.Party, &c.Purpose, &granted, &withdrawn); err != nil {
			return nil, err
		}
		c.GrantedAt, c.WithdrawnAt = decodeTime(granted), decodeTime(withdrawn)
		out = append(out, c)
	}
	return out, rows.Err()
}
