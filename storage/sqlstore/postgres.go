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
		db.Close()
		closePool()
		return nil, mapErr("open", err)
	}
	s, err := newStore(ctx, d, db, db, func() error {
		err := db.Close()
		closePool()
		return err
	}, o)
	if err != nil {
		db.Close()
		closePool()
		return nil, mapErr("open", err)
	}
	return s, nil
}

// dsnError hides a connection string that failed to parse (it may hold a
// password) while keeping pgx's error reachable with errors.As.
type dsnError struct{ err error }

func (e *dsnError) Error() string { return "sqlstore: postgres: invalid connection string" }
func (e *dsnError) Unwrap() error { return e.err }

// migrationLockKey is the advisory lock that serializes migrations.
const migrationLockKey = 0x6164766f78 // "advox"

// postgresDialect is PostgreSQL through pgx's database/sql adapter.
func postgresDialect() *dialect {
	return &dialect{
		name:     "postgres",
		numbered: true,
		ddl: ddlTokens{
			RowID:   "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
			Collate: ` COLLATE "C"`,
		},
		lockRecord: " FOR UPDATE",
		lockMigrations: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLockKey))
			return err
		},
		insertRecords: pgInsertRecords,
		insertParts:   pgInsertParts,
		retryable:     pgRetryable,
	}
}

// pgInsertRecords inserts every row with one statement over arrays, so the
// statement text (and pgx's prepared statement) is the same for any batch.
func pgInsertRecords(ctx context.Context, tx *wtx, rows []recordRow) (map[string]int64, error) {
	ids := make([]string, len(rows))
	accounts := make([]string, len(rows))
	transports := make([]string, len(rows))
	senders := make([]string, len(rows))
	recipients := make([]string, len(rows))
	encodings := make([]string, len(rows))
	segments := make([]int64, len(rows))
	statuses := make([]string, len(rows))
	codes := make([]string, len(rows))
	created := make([]int64, len(rows))
	updated := make([]int64, len(rows))
	deadlines := make([]int64, len(rows))
	for i, r := range rows {
		ids[i], accounts[i], transports[i], senders[i] = r.id, r.account, r.transport, r.sender
		recipients[i], encodings[i], segments[i] = r.recipient, r.encoding, r.segments
		statuses[i], codes[i] = r.status, r.errorCode
		created[i], updated[i], deadlines[i] = r.createdAt, r.updatedAt, r.deadline
	}
	q := "INSERT INTO advox_records (" + recordInsertCols + ") " +
		"SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], " +
		"$7::int[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[]) " +
		"ON CONFLICT (id) DO NOTHING RETURNING rid, id"
	rids := make(map[string]int64, len(rows))
	err := collectRids(ctx, tx, q, []any{ids, accounts, transports, senders, recipients, encodings,
		segments, statuses, codes, created, updated, deadlines}, rids)
	return rids, err
}

func pgInsertParts(ctx context.Context, tx *wtx, rows []partRow) error {
	if len(rows) == 0 {
		return nil
	}
	rids := make([]int64, len(rows))
	idxs := make([]int64, len(rows))
	transports := make([]string, len(rows))
	opids := make([]string, len(rows))
	statuses := make([]string, len(rows))
	codes := make([]string, len(rows))
	updated := make([]int64, len(rows))
	for i, p := range rows {
		rids[i], idxs[i], transports[i], opids[i] = p.rid, p.idx, p.transport, p.operatorID
		statuses[i], codes[i], updated[i] = p.status, p.errorCode, p.updatedAt
	}
	q := "INSERT INTO advox_record_parts (" + partInsertCols + ") " +
		"SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])"
	_, err := tx.exec(ctx, q, rids, idxs, transports, opids, statuses, codes, updated)
	return err
}

// pgRetryable: a deadlock or serialization failure aborts the transaction
// with nothing written, so running it again is safe.
func pgRetryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}
