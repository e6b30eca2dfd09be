package sqlstore

import (
	"fmt"

	"github.com/azenna/advox/storage"
)

// existsOr maps a unique-key violation (a taken account or user id) to
// storage.ErrExists and returns any other error as it is. The driver's
// error is dropped: PostgreSQL's detail quotes the key, which may be a
// customer's e-mail address.
func existsOr(err error, op string) error {
	if uniqueViolation(err) {
		return fmt.Errorf("sqlstore: %s: id taken: %w", op, storage.ErrExists)
	}
	return err
}

// uniqueViolation reports a primary-key or unique-index violation.
func uniqueViolation(err error) bool {
	if c, ok := sqliteCode(err); ok {
		return c == sqliteConstraintPrimaryKey || c == sqliteConstraintUnique
	}
	return sqlState(err) == "23505"
}

// foreignKeyViolation reports a row that refers to a missing one (an
// account deleted while its usage was being reserved).
func foreignKeyViolation(err error) bool {
	if c, ok := sqliteCode(err); ok {
		return c == sqliteConstraintForeignKey
	}
	return sqlState(err) == "23503"
}
