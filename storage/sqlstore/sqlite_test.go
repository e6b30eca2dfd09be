package sqlstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	sqlite3 "modernc.org/sqlite/lib"
)

// TestDriverErrorCodes: the store reads the drivers' errors without
// importing them (so the import of a dialect package decides what is
// linked); the codes it compares must be the drivers' own.
func TestDriverErrorCodes(t *testing.T) {
	assert.Equal(t, sqlite3.SQLITE_BUSY, sqliteBusyCode)
	assert.Equal(t, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqliteConstraintForeignKey)
	assert.Equal(t, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqliteConstraintPrimaryKey)
	assert.Equal(t, sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqliteConstraintUnique)

	wrapped := func(e error) error { return fmt.Errorf("context: %w", e) }
	assert.True(t, uniqueViolation(wrapped(&pgconn.PgError{Code: "23505"})))
	assert.True(t, foreignKeyViolation(wrapped(&pgconn.PgError{Code: "23503"})))
	assert.True(t, pgRetryable(wrapped(&pgconn.PgError{Code: "40P01"})))
	assert.False(t, pgRetryable(wrapped(&pgconn.PgError{Code: "23505"})))
	assert.False(t, uniqueViolation(errors.New("plain")))
	assert.False(t, sqliteBusy(errors.New("plain")))
}
