package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// OpenPostgres connects to the PostgreSQL database named by dsn (a pgx
// connection string or URL) and migrates it. The store owns the pool and
// closes it on Close. Many application instances may share one database:
// migrations take an advisory lock, and status updates lock the record row.
//
// The accounts' wrapped data keys live in the traffic database unless
// Options.KeysDSN names another one. Keep them apart in production: a
// dump or base backup of a database holding both stays readable, to
// whoever holds the key-encryption key, for every account erased after it
// was taken. With the keys elsewhere (another database, ideally on a
// server whose backups are kept briefly), an erase makes the account's
// records unreadable in every traffic backup at once.
func OpenPostgres(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, &dsnError{err}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, mapErr("open", err)
	}
	return openPostgres(ctx, pool, opts, pool.Close)
}

// NewPostgres is OpenPostgres on a pool the caller already has (to share
// its configuration, tracing or search_path). The caller keeps ownership:
// Close leaves the pool open.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, opts *Options) (*Store, error) {
	return openPostgres(ctx, pool, opts, func() {})
}

func openPostgres(ctx context.Context, pool *pgxpool.Pool, opts *Options, closePool func()) (*Store, error) {
	o := opts.withDefaults()
	db := stdlib.OpenDBFromPool(pool)
	d := postgresDialect()
	if err := migrate(ctx, db, d); err != nil {
		_ = db.Close()
		closePool()
		return nil, mapErr("open", err)
	}
	var (
		kdb       *sql.DB
		closeKeys = func() error { return nil }
	)
	if o.KeysDSN != "" {
		var err error
		if kdb, closeKeys, err = openPostgresKeys(ctx, o.KeysDSN, db); err != nil {
			_ = db.Close()
			closePool()
			if errors.Is(err, ErrNoKeyring) {
				return nil, err
			}
			return nil, mapErr("open: keys", err)
		}
	}
	return newStore(d, db, db, kdb, func() error {
		err := errors.Join(closeKeys(), db.Close())
		closePool()
		return err
	}, o), nil
}

// dsnError hides a connection string that failed to parse (it may hold a
// password) while keeping pgx's error reachable with errors.As.
type dsnError struct{ err error }

func (e *dsnError) Error() string { return "sqlstore: postgres: invalid connection string" }
func (e *dsnError) Unwrap() error { return e.err }

// migrationLockKey is the advisory lock that serializes migrations.
const migrationLockKey = 0x6164766f78 // "advox"

// chunkLockKey is the advisory lock that serializes purge and erase
// chunks.
const chunkLockKey = migrationLockKey + 2

// postgresDialect is PostgreSQL through pgx's database/sql adapter.
func postgresDialect() *dialect {
	return &dialect{
		name:     "postgres",
		numbered: true,
		ddl: ddlTokens{
			RowID:       "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
			Collate:     ` COLLATE "C"`,
			Blob:        "BYTEA",
			DeadlineKey: "deadline, rid",
		},
		lockRecord: " FOR UPDATE",
		lockKeys:   " FOR SHARE",
		lockChunk: func(ctx context.Context, tx *wtx) error {
			_, err := tx.exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(chunkLockKey))
			return err
		},
		inIDs:   "= ANY(?::bigint[])",
		inTexts: "= ANY(?::text[])",
		inQuery: func(sub string) string { return "= ANY(ARRAY(" + sub + "))" },
		ids:     func(ns []int64) any { return ns },
		texts:   func(ss []string) any { return ss },
		lockMigrations: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLockKey))
			return err
		},
		insertRecords:     pgInsertRecords,
		insertOperatorIDs: pgInsertOperatorIDs,
		retryable:         pgRetryable,
		eraseChunk:        DefaultPurgeChunk,
		scrub:             pgScrub,
	}
}

// pgInsertRecords inserts every row with one statement over arrays, so the
// statement text (and pgx's prepared statement) is the same for any batch.
func pgInsertRecords(ctx context.Context, tx *wtx, rows []recordRow) (map[string]int64, error) {
	n := len(rows)
	var (
		ids, accounts, transports, senders = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		routes                             = make([]string, n)
		recipientKeys, encodings           = make([]string, n), make([]string, n)
		tags, listed                       = make([]int64, n), make([]int64, n)
		statuses, codes, op0s              = make([]string, n), make([]string, n), make([]string, n)
		recipients, indexes, bodies, parts = make([][]byte, n), make([][]byte, n), make([][]byte, n), make([][]byte, n)
		bodyKeys                           = make([]*string, n)
		bodyUntils                         = make([]*int64, n)
		segments, moreOps                  = make([]int64, n), make([]int64, n)
		created, updated, deadlines        = make([]int64, n), make([]int64, n), make([]int64, n)
	)
	for i, r := range rows {
		ids[i], accounts[i], transports[i], senders[i], recipientKeys[i] = r.id, r.account, r.transport, r.sender, r.recipientKey
		routes[i] = r.route
		recipients[i], indexes[i], tags[i], listed[i] = r.recipient, r.recipientIndex, r.recipientTag, r.listed
		bodyKeys[i], bodies[i], bodyUntils[i] = r.bodyKey, r.body, r.bodyUntil
		encodings[i], segments[i], statuses[i], codes[i], op0s[i] = r.encoding, r.segments, r.status, r.errorCode, r.op0
		moreOps[i], parts[i], created[i], updated[i], deadlines[i] = r.moreOps, r.parts, r.createdAt, r.updatedAt, r.deadline
	}
	rids := make(map[string]int64, n)
	err := collectRids(ctx, tx, pgRecordInsert, []any{ids, accounts, transports, routes, senders, recipientKeys,
		recipients, indexes, tags, listed, bodyKeys, bodies, bodyUntils, encodings, segments, statuses, codes, op0s,
		moreOps, parts, created, updated, deadlines}, rids)
	return rids, err
}

// pgRecordInsert inserts the columns of recordInsertCols, each given as an
// array.
var pgRecordInsert = "INSERT INTO advox_records (" + recordInsertCols + ") " +
	"SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], " +
	"$8::bytea[], $9::bigint[], $10::smallint[], $11::text[], $12::bytea[], $13::bigint[], $14::text[], $15::int[], " +
	"$16::text[], $17::text[], $18::text[], $19::int[], $20::bytea[], $21::bigint[], $22::bigint[], $23::bigint[]) " +
	"ON CONFLICT (id) DO NOTHING RETURNING rid, id"

func pgInsertOperatorIDs(ctx context.Context, tx *wtx, rows []opRow) error {
	if len(rows) == 0 {
		return nil
	}
	rids := make([]int64, len(rows))
	idxs := make([]int64, len(rows))
	transports := make([]string, len(rows))
	opids := make([]string, len(rows))
	for i, o := range rows {
		rids[i], idxs[i], transports[i], opids[i] = o.rid, o.idx, o.transport, o.operatorID
	}
	q := "INSERT INTO advox_operator_ids (rid, idx, transport, operator_id) " +
		"SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[])"
	_, err := tx.exec(ctx, q, rids, idxs, transports, opids)
	return err
}

// pgRetryable: a deadlock or serialization failure aborts the transaction
// with nothing written, so running it again is safe.
func pgRetryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}
