package memstore

import (
	"fmt"

	"github.com/azenna/advox/storage"
)

// checkCustomer refuses, with storage.ErrInvalid, what a database store
// cannot keep exactly (storage.Unkeepable), so that the memory store never
// accepts customer data the SQL stores refuse. The error names the field,
// never its value.
func checkCustomer(op string, c *storage.Customer) error {
	if f := storage.Unkeepable(c); f != "" {
		return fmt.Errorf("memstore: %s: %s is not UTF-8 text without NUL bytes, or not a number: %w", op, f, storage.ErrInvalid)
	}
	return nil
}
