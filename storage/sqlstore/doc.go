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
// # Deleted data at rest
//
// A database deletes a row by unlinking it: its bytes stay in the page
// that held it, in free pages and in the write-ahead log until something
// overwrites them, where anyone who reads the files finds them. What the
// store does about it (hygiene.go):
//
// On SQLite every connection that writes runs with secure_delete, so a
// deleted row, index entry or freed page is overwritten with zeros, in
// the traffic database and the keys file alike: erased and purged records,
// deleted accounts and the values an account update replaced, destroyed
// keys. The write-ahead log keeps pages as they were before (SQLite
// rewinds it after a checkpoint but never clears it), so DestroyKeys
// truncates the keys file's log before it returns — no file the store
// owns then holds the key, and a crash right after cannot leave one —
// and EraseAccount, Purge, DeleteAccount and UpdateAccount truncate the
// traffic database's log (a truncating checkpoint, which waits for
// readers up to Options.BusyTimeout; DestroyKeys, EraseAccount and Purge
// report it when another process reads the log longer than that, after
// their deletions committed, and scrub again when run again; account
// writes leave it to the next scrub). Close removes the log. Opening a
// keys file written by an earlier version vacuums it once, since it may
// hold destroyed keys in free pages. A traffic database written by an
// earlier version may hold deleted rows in free pages too and is not
// rewritten on open: run VACUUM on it once (sqlite3 traffic.db VACUUM,
// with the application stopped). Copies made outside the store (backups,
// file-system snapshots, blocks the file system freed) are beyond its
// reach: the keyring apart is what makes those unreadable.
//
// PostgreSQL has no such setting. A deleted row stays in its page as a
// dead tuple until VACUUM prunes it; after VACUUM its line pointer is
// free for reuse but its bytes may stay in the page until a new row
// overwrites them, and its index entries likewise. VACUUM cannot remove a
// row that a transaction which began before the delete may still read,
// anywhere in the database: such a row stays until that transaction ends
// and the next VACUUM runs. The write-ahead log holds every row as it was
// inserted until the segment is recycled and overwritten, and a WAL
// archive or base backup for as long as it is kept. VACUUM FULL rewrites
// a table into a new file and truncates the old one, which leaves no copy
// in the table's files. So DestroyKeys deletes the key and rewrites the
// keyring with VACUUM FULL (the keyring is small; recording waits for its
// exclusive lock for a few milliseconds; it gives up after 5 s of waiting
// for that lock, and says so), so that no page of it holds the key; with
// Options.KeysDSN it also deletes any copy an interrupted move of the
// keyring left in the traffic database, and rewrites that table too.
// DeleteAccount runs VACUUM on the customer tables, so no tuple, live or
// dead, holds the account afterwards; it does not rewrite them (VACUUM
// FULL locks tables every send reads). Erased and purged records, and
// the rows an account update replaced, are left to autovacuum: the
// records table is large, and an erased account's key is gone already.
// Keep the keyring in a database of its own (KeysDSN) whose WAL archive
// and backups are kept briefly, and where no long transactions run, and
// give the store's role ownership of its tables (VACUUM skips tables it
// does not own, with a warning only).
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
// A caller's context is honoured until its write starts: a write still
// queued when the context ends is dropped and the call returns the
// context's error. Once the writer has taken it into a batch, the call
// waits for that batch and reports its outcome, so a context error never
// stands for a write that then commits. Writes that run beside the writer
// (account writes, DestroyKeys, EnsureKey with KeysDSN) do the same: the
// connection and the statements before the commit honour the context;
// the BEGIN and the COMMIT (or a single-statement write) finish under a
// context it cannot cancel, bounded by 30 s each (finish.go).
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
// seeing what the last deleted: each record is deleted (and counted)
// once. EnsureKey inserts with ON CONFLICT DO NOTHING and reads back, so
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
