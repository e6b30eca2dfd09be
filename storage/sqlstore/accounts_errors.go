package sqlstore

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

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
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// foreignKeyViolation reports a row that refers to a missing one (an
// account deleted while its usage was being reserved).
func foreignKeyViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}
