// Package sqlstore keeps advox traffic records in SQL: SQLite as the
// embedded default (modernc.org/sqlite, pure Go, so it builds and runs
// anywhere without cgo) and PostgreSQL (pgx) for deployments that outgrow
// one machine, where many application instances share one database.
//
//	s, err := sqlstore.OpenSQLite("/var/lib/app/traffic.db", nil)
//	s, err := sqlstore.OpenPostgres(ctx, dsn, nil)
//	s, err := sqlstore.NewPostgres(ctx, existingPool, nil)
//
// A *Store implements storage.TrafficStore and storage.KeyStore (the
// keyring of wrapped per-account data keys) and passes storagetest on
// both databases. It never sees a recipient number: the Client hands it
// the number sealed under the account's data key and a keyed blind index
// of it, and the store keeps both as they are.
//
// # Schema
//
// One schema serves both dialects: the embedded, versioned migrations in
// migrations/ are templates filled with the few spellings that differ
// (dialect.go holds every difference). Migrations run on open, in one
// transaction, idempotently; several processes opening one database at
// once serialize on SQLite's write lock or a PostgreSQL advisory lock.
// Version 1 holds the traffic tables: records, the operator ids of
// multi-part messages, invoices, the usage kept of erased records, and
// the data keys.
//
// A record is one row of advox_records, keyed by rid, an integer in
// arrival order (so the table is appended to). Its parts are one compact
// column (parts.go): delivery reports address parts, but always through
// their record, which is locked, read, changed with storage.Apply and
// written back. The first part's operator id is a column of the row, with
// an index for delivery-report correlation; further parts' operator ids
// are rows of advox_operator_ids. Each B-tree a record adds to costs a
// page write per commit and a seek per deletion, so there are as few as
// the reads need: the message id (Get, status updates); the account and
// time (Query, Usage, CreateInvoice, EraseAccount), holding the first 8
// bytes of the blind index, so that lookups by number scan that index for
// the account's records and read only the matching rows (a random blind
// index leading its own index would cost a scattered page per record);
// the deadline (Purge), split by whether an invoice bills the record; the
// operator id. TestHotPathsUseIndexes checks every plan. On SQLite new
// records enter the account index in bulk (listing.go).
//
// Times are int64 nanoseconds (exact, and compared the same way in both
// databases); see timecodec.go. A record without a Deadline is refused.
//
// # Retention, invoices and erase
//
// Every read applies storage.Visible with the store clock (Options.Now):
// a record is returned while its deadline is ahead, or while an invoice
// that bills it is neither final nor time-barred. A sealed body whose
// BodyUntil has passed is withheld, and a final status drops it.
// CreateInvoice links, with one UPDATE, the account's visible, billable,
// unbilled records of the period. Purge deletes what is no longer
// visible, chunk by chunk, drops expired bodies and time-bars invoices.
// EraseAccount deletes an account's records chunk by chunk, adding the
// usage of each chunk's visible records to advox_erased_usage (counts per
// calendar month, nothing else) in the same transaction, so Usage — live
// records plus those aggregates — is right throughout.
//
// Erasure is crypto-shredding first: DestroyKeys deletes the account's
// wrapped data key in a transaction of its own, beside the writer queue,
// so the records become unreadable within one writer batch, whatever
// their number; deleting them takes EraseAccount longer. Record refuses a
// record sealed under a key that is gone (storage.ErrErased), checked in
// the recording transaction: PostgreSQL holds the key rows FOR SHARE until
// the commit, so a concurrent DestroyKeys waits for records being
// recorded under the key, and SQLite's single writer serializes the two.
//
// The keyring lives apart from the traffic, so that backups of the
// traffic hold no key and an erase makes the account unreadable in them
// too: on SQLite in a second file attached to every connection
// (Options.KeysPath, keyfile.go; the writer's BEGIN IMMEDIATE locks both
// files), on PostgreSQL in the database Options.KeysDSN names (pgkeys.go;
// the writer reads the batch's keys there FOR SHARE in a transaction it
// ends after the traffic commit). Without KeysDSN, PostgreSQL keeps the
// keys in the traffic database, and its backups with them; Store.KeysApart
// says so, and advox.NewClient then refuses the store unless told to
// accept it.
//
// # Writes: group commit
//
// Every write — Record, UpdateStatus, a purge or erase chunk, an invoice
// change, EnsureKey — is queued for a single writer goroutine, which runs
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
// for power-of-two row counts, INSERT OR IGNORE so that no statement
// journal is kept; PostgreSQL: one INSERT over arrays) that skip existing
// ids, so one failing call never fails its batch: a call whose id exists
// gets storage.ErrExists and its other rows are removed again in the same
// transaction. Any database failure of a batch reruns its writes one by
// one, so only the write that causes it sees it. PostgreSQL deadlocks and
// serialization failures rerun the batch.
//
// # Several instances
//
// UpdateStatus locks the record's row (SELECT … FOR UPDATE in PostgreSQL;
// in SQLite the writer holds the database's write lock), then reads the
// record with a fresh statement, applies storage.Apply and writes it
// back, so two instances applying reports to one record never lose one.
// Purge and erase chunks take an advisory lock on PostgreSQL, so chunks
// of instances purging or erasing at once run one after another, each
// seeing what the last deleted: each record is deleted (and counted) once. EnsureKey inserts with ON CONFLICT DO NOTHING and reads back, so
// every instance gets the account's one key.
//
// # Errors
//
// Missing and invisible records are storage.ErrNotFound, a used id
// storage.ErrExists, a destroyed key storage.ErrErased, a settled invoice
// storage.ErrInvoiceFinal, calls after Close storage.ErrClosed, and every
// database failure storage.ErrUnavailable wrapping the driver's error
// (reachable with errors.As as *sqlite.Error or *pgconn.PgError).
// Context errors are returned as they are. Error strings never hold
// recipient numbers, ciphertext or passwords.
package sqlstore
