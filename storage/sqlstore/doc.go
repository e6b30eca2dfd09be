// Package sqlstore keeps advox traffic records in SQL: SQLite as the
// embedded default (modernc.org/sqlite, pure Go, so it builds and runs
// anywhere without cgo) and PostgreSQL (pgx) for deployments that outgrow
// one machine, where many application instances share one database.
//
//	s, err := sqlstore.OpenSQLite("/var/lib/app/traffic.db", nil)
//	s, err := sqlstore.OpenPostgres(ctx, dsn, nil)
//	s, err := sqlstore.NewPostgres(ctx, existingPool, nil)
//
// A *Store implements storage.TrafficStore and passes storagetest on both
// databases.
//
// # Schema
//
// One schema serves both dialects: the embedded, versioned migrations in
// migrations/ are templates filled with the few spellings that differ
// (dialect.go holds every difference). Migrations run on open, in one
// transaction, idempotently; several processes opening one database at
// once serialize on SQLite's write lock or a PostgreSQL advisory lock.
// Version 2 (issue 6: encrypted recipients with a blind index, invoices
// and retention holds, per-period usage kept after erase) adds columns and
// tables without touching these.
//
// A record is a row of advox_records; its parts are rows of
// advox_record_parts keyed by (rid, idx), rid being the record's integer
// surrogate key. A child table rather than JSON because the part is what
// delivery reports address: the no-regression rule becomes one
// conditional UPDATE per report, evaluated by the database, and the
// operator-id index is an ordinary index on the part rows, which the
// foreign key's ON DELETE CASCADE removes together with the record. The
// integer key keeps parts clustered with their record (SQLite stores the
// parts table WITHOUT ROWID), so purge and erase walk both tables in
// storage order.
//
// Indexes follow the hot paths, each proportional to its result: the
// message id (Get, status updates), (transport, operator id) on parts
// (delivery-report correlation), (account, created_at, id) (Query, Usage,
// EraseAccount), and deadline (Purge, which touches only expired rows).
// TestHotPathsUseIndexes checks every plan.
//
// Times are int64 nanoseconds (exact, and compared the same way in both
// databases); see timecodec.go. Reads filter on the store clock
// (Options.Now), so a record past its deadline is never returned even
// before Purge removes it. A zero Deadline means none, as in memstore.
//
// # Writes: group commit
//
// Every write — Record, UpdateStatus, EraseAccount, and Purge one chunk
// at a time — is queued for a single writer goroutine, which runs
// whatever is queued (up to Options.MaxBatch) in one transaction with one
// commit. A caller returns only after its transaction committed, so an
// acknowledged write is durable: SQLite runs in WAL mode with
// synchronous=FULL (the WAL is fsynced at every commit), and
// TestCrashLosesNoAcknowledgedRecord kills a writing process to prove it.
// The queue is bounded (Options.QueueSize): when it is full, callers
// block until there is room or their context ends. Close stops taking
// writes and lets the writer commit everything already queued.
//
// Records go in with multi-row INSERTs (SQLite: statements prepared once
// for power-of-two row counts; PostgreSQL: one INSERT over arrays) that
// skip existing ids, so one failing call never fails its batch: a call
// whose id exists gets storage.ErrExists and its other rows are removed
// again in the same transaction. Any database failure of a batch reruns
// its writes one by one, so only the write that causes it sees it.
// PostgreSQL deadlocks and serialization failures rerun the batch.
//
// # Status updates across instances
//
// UpdateStatus locks the record's row (SELECT … FOR UPDATE in PostgreSQL;
// in SQLite the writer holds the database's write lock), then reads the
// record and its parts with a fresh statement, applies storage.Apply, and
// writes the parts with a conditional UPDATE whose WHERE clause refuses
// any part that transport.Status.CanBecome forbids. The lock makes the
// record's overall status consistent with its parts when two instances
// race; the condition keeps a final status final even so.
//
// # Customer data
//
// Store.Accounts returns a storage.AccountStore on the same database
// (accounts.go; tables from migration 0002_accounts.sql), passing
// accounttest on both databases. Account writes are short transactions of
// their own beside the group-commit writer (on SQLite on the writer's
// connection); UpdateAccount locks the account row on PostgreSQL, and
// ReserveSegments is one conditional upsert, so instances sharing a
// database never exceed a quota.
//
// # Errors
//
// Missing and expired records are storage.ErrNotFound, a used id
// storage.ErrExists, calls after Close storage.ErrClosed, and every
// database failure storage.ErrUnavailable wrapping the driver's error
// (reachable with errors.As as *sqlite.Error or *pgconn.PgError).
// Context errors are returned as they are. Error strings never hold
// recipient numbers or passwords.
package sqlstore
