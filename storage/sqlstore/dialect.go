package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// dialect holds everything that differs between SQLite and PostgreSQL.
// Queries are written once, with ? placeholders, and rebound per dialect;
// the rest of the package is dialect-free.
type dialect struct {
	// name appears in error messages.
	name string
	// numbered says placeholders are $1, $2, … instead of ?.
	numbered bool
	// ddl fills the migration templates.
	ddl ddlTokens
	// lockRecord is appended to the SELECT that finds a record for a
	// status update: it row-locks the record against other instances.
	lockRecord string
	// lockMigrations serializes migrations of one database across
	// processes, inside the migration transaction.
	lockMigrations func(ctx context.Context, tx *sql.Tx) error
	// insertRecords inserts rows, skipping ids that exist already, and
	// returns the rid of each inserted id.
	insertRecords func(ctx context.Context, tx *wtx, rows []recordRow) (map[string]int64, error)
	// insertParts inserts part rows.
	insertParts func(ctx context.Context, tx *wtx, rows []partRow) error
	// prepared lists the writer statements to prepare once at open, beyond
	// the store's own (nil: the driver caches statements itself).
	prepared []string
	// retryable reports a transient conflict (deadlock, serialization
	// failure) after which the whole transaction may simply run again.
	retryable func(err error) bool
}

// ddlTokens are the dialect's spellings used by the migration templates.
type ddlTokens struct {
	// RowID is the surrogate key column's type and constraint.
	RowID string
	// WithoutRowID makes the parts table clustered by its primary key.
	WithoutRowID string
	// Collate forces byte order on ids and accounts, as Go sorts strings.
	Collate string
}

// bind rewrites ? placeholders for the dialect. Queries of this package
// never contain ? inside literals.
func (d *dialect) bind(q string) string {
	if !d.numbered {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maxRowsPerStatement bounds the rows of one multi-row statement, well
// under SQLite's limit on bound parameters.
const maxRowsPerStatement = 256

// recordRow is a record as its columns.
type recordRow struct {
	id, account, transport, sender, recipient, encoding string
	segments                                            int64
	status, errorCode                                   string
	createdAt, updatedAt, deadline                      int64
}

// partRow is a part as its columns.
type partRow struct {
	rid                                      int64
	idx                                      int64
	transport, operatorID, status, errorCode string
	updatedAt                                int64
}
