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
	// lockKeys is appended to the SELECT that checks, in a transaction
	// that records, that the records' data keys exist: it holds the key
	// rows until the commit, so a concurrent DestroyKeys waits for it.
	lockKeys string
	// deferListing says records are inserted unlisted and listed in bulk
	// later (listing.go); queries by account then also read the unlisted.
	deferListing bool
	// lockChunk serializes purge and erase chunks across instances (nil:
	// the dialect's single writer does), so that two instances never pick
	// the same rows and stop early. Claiming each row instead (FOR UPDATE
	// SKIP LOCKED) doubled PostgreSQL's cost: every row was written twice,
	// once to lock it and once to delete it.
	lockChunk func(ctx context.Context, tx *wtx) error
	// inIDs and inTexts test a column against the integers or the
	// strings of one bound argument (made by ids or texts), so that one
	// statement serves any number of rows.
	inIDs, inTexts string
	// inQuery tests a column against the rows of a subquery. PostgreSQL
	// gets them as an array, evaluated once, so that its planner looks
	// each up by key instead of hash-joining the whole table.
	inQuery func(sub string) string
	// ids and texts make the arguments of inIDs and inTexts.
	ids   func(ns []int64) any
	texts func(ss []string) any
	// lockMigrations serializes migrations of one database across
	// processes, inside the migration transaction.
	lockMigrations func(ctx context.Context, tx *sql.Tx) error
	// insertRecords inserts rows, skipping ids that exist already, and
	// returns the rid of each inserted id.
	insertRecords func(ctx context.Context, tx *wtx, rows []recordRow) (map[string]int64, error)
	// insertOperatorIDs inserts the operator ids of parts after the first.
	insertOperatorIDs func(ctx context.Context, tx *wtx, rows []opRow) error
	// eraseChunk is the default Options.EraseChunk.
	eraseChunk int
	// queuedReservations says quota reservations are ops of the
	// group-commit writer (SQLite: its one writer would otherwise commit
	// each on its own) rather than transactions of their own (PostgreSQL:
	// usage rows are then never locked for a whole batch).
	queuedReservations bool
	// prepares says the writer prepares its statements (see wtx); false
	// when the driver caches prepared statements itself.
	prepares bool
	// scrub removes what deletions of one kind left in the database's
	// files, as far as the dialect can (hygiene.go).
	scrub func(ctx context.Context, s *Store, r residue) error
	// retryable reports a transient conflict (deadlock, serialization
	// failure) after which the whole transaction may simply run again.
	retryable func(err error) bool
}

// ddlTokens are the dialect's spellings used by the migration templates.
type ddlTokens struct {
	// RowID is the surrogate key column's type and constraint.
	RowID string
	// WithoutRowID makes a table clustered by its primary key.
	WithoutRowID string
	// Collate forces byte order on ids and accounts, as Go sorts strings.
	Collate string
	// Blob is the type of byte strings.
	Blob string
	// DeadlineKey is the column list of the deadline index, ordered by
	// (deadline, rid): SQLite appends the rowid to every index itself.
	DeadlineKey string
	// KeysApart says the keyring is kept outside the traffic database
	// (SQLite: the attached keys file, keyfile.go).
	KeysApart bool
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

// recordRow is a record as its columns (recordInsertCols). Byte strings
// are never nil except body: nil binds NULL.
type recordRow struct {
	id, account, transport, route, sender, recipientKey string
	recipient, recipientIndex                           []byte
	recipientTag, listed                                int64
	bodyKey                                             *string // NULL when there is no body
	body                                                []byte
	bodyUntil                                           *int64
	encoding                                            string
	segments                                            int64
	status, errorCode, op0                              string
	moreOps                                             int64
	parts                                               []byte
	createdAt, updatedAt, deadline                      int64
}

// appendArgs appends the row's values in recordInsertCols order.
func (r *recordRow) appendArgs(dst []any) []any {
	return append(dst, r.id, r.account, r.transport, r.route, r.sender, r.recipientKey, r.recipient,
		r.recipientIndex, r.recipientTag, r.listed, r.bodyKey, r.body, r.bodyUntil, r.encoding, r.segments, r.status,
		r.errorCode, r.op0, r.moreOps, r.parts, r.createdAt, r.updatedAt, r.deadline)
}

// opRow is the operator id of a part after the first.
type opRow struct {
	rid, idx              int64
	transport, operatorID string
}
