package sqlstore

import (
	"context"
	"fmt"

	"github.com/azenna/advox/storage"
)

// checkCustomer refuses, with storage.ErrInvalid, a customer that the
// database cannot keep exactly (storage.Unkeepable: PostgreSQL refuses a
// string that is not UTF-8 or holds a NUL byte, even as a query argument,
// a JSON list would replace invalid bytes silently, and SQLite stores NaN
// as NULL). The error names the field, never its value.
func checkCustomer(op string, c *storage.Customer) error {
	if f := storage.Unkeepable(c); f != "" {
		return fmt.Errorf("sqlstore: %s: %s is not UTF-8 text without NUL bytes, or not a number: %w", op, f, storage.ErrInvalid)
	}
	return nil
}

// lookup vets an id a call looks an account or user up by. One that no
// account can hold is storage.ErrNotFound without asking the database
// (PostgreSQL would fail the query), after the checks every call makes
// first (context, Close).
func (a *Accounts) lookup(ctx context.Context, name, id string) error {
	if storage.Keepable(id) {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	a.s.mu.RLock()
	closed := a.s.closed
	a.s.mu.RUnlock()
	if closed || a.closed.Load() {
		return errClosed(name)
	}
	return fmt.Errorf("sqlstore: %s: %w", name, storage.ErrNotFound)
}
