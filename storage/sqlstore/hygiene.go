package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/azenna/advox/storage"
)

// Deleted data at rest: what is deleted must not stay in the files. The
// package doc's section of that name says what each dialect does and
// guarantees; this file does it. SQLite's writing connections run with
// secure_delete (sqlite.go); the writes whose purpose is to make data go
// end with a scrub of what SQLite or PostgreSQL kept of it.

// residue says what a scrub is after.
type residue int

const (
	// keyResidue: a destroyed data key.
	keyResidue residue = iota
	// trafficResidue: erased or purged records.
	trafficResidue
	// deletedResidue: a deleted customer account.
	deletedResidue
	// supersededResidue: customer data an update replaced.
	supersededResidue
)

// errScrubBusy: a truncating checkpoint could not finish because another
// connection kept reading the log past the busy timeout.
var errScrubBusy = errors.New("readers kept the write-ahead log busy")

// scrub removes, as far as the dialect can, the copies that deletions of
// kind r, committed already, left in the database's files. It finishes
// whatever ctx does (finishing). An error means copies may remain; the
// write that deleted, run again (it finds nothing more to delete), scrubs
// again.
func (s *Store) scrub(ctx context.Context, name string, r residue) error {
	ctx, cancel := finishing(ctx)
	defer cancel()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed(name) // Close has scrubbed on SQLite
	}
	if err := s.d.scrub(ctx, s, r); err != nil {
		return fmt.Errorf("sqlstore: %s: committed, but deleted data may remain in the database files: %w (%w)",
			name, storage.ErrUnavailable, err)
	}
	return nil
}

// sqliteScrub truncates the write-ahead log that held the deleted data:
// the keys file's for a key, the traffic database's for the rest.
func sqliteScrub(ctx context.Context, s *Store, r residue) error {
	schema := "main"
	if r == keyResidue {
		schema = "keys"
	}
	return checkpointTruncate(ctx, s.w.db, schema)
}

// checkpointTruncate copies the schema's write-ahead log into its
// database and truncates the log to zero bytes. It waits for readers of
// the log up to the connection's busy timeout.
func checkpointTruncate(ctx context.Context, db *sql.DB, schema string) error {
	var busy, logFrames, done int
	if err := db.QueryRowContext(ctx, "PRAGMA "+schema+".wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		return err
	}
	if busy != 0 {
		return errScrubBusy
	}
	return nil
}

// The customer tables DeleteAccount vacuums on PostgreSQL.
var customerTables = []string{"advox_accounts", "advox_users", "advox_user_networks", "advox_contacts",
	"advox_consents", "advox_account_usage"}

// pgScrubLockTimeout bounds how long VACUUM FULL of the keyring waits for
// transactions that hold it (those recording under a key) before it gives
// up; recording waits behind it meanwhile.
const pgScrubLockTimeout = "5s"

// pgScrub rewrites the keyring (VACUUM FULL) after a key is destroyed and
// vacuums the customer tables after an account is deleted. Traffic is not
// vacuumed here, nor are the customer tables after an update: the records
// table is large and an erased account's key is gone already, updates are
// routine, and autovacuum prunes both.
func pgScrub(ctx context.Context, s *Store, r residue) error {
	switch r {
	case keyResidue:
		dbs := []*sql.DB{s.w.db}
		if s.kdb != nil {
			dbs = append(dbs, s.kdb) // and the copy DestroyKeys deleted in the traffic database
		}
		for _, db := range dbs {
			if err := pgRewriteKeys(ctx, db); err != nil {
				return err
			}
		}
	case deletedResidue:
		for _, t := range customerTables {
			if _, err := s.w.db.ExecContext(ctx, "VACUUM "+t); err != nil {
				return err
			}
		}
	}
	return nil
}

// pgRewriteKeys runs VACUUM FULL on db's keyring, waiting at most
// pgScrubLockTimeout for its lock.
func pgRewriteKeys(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET lock_timeout = '"+pgScrubLockTimeout+"'"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "VACUUM FULL advox_keys")
	if _, rerr := conn.ExecContext(ctx, "RESET lock_timeout"); rerr != nil {
		// Never back to the pool with the timeout set.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		return errors.Join(err, rerr)
	}
	return err
}

// keysScrubbed is the keys file's user_version once it has been vacuumed
// by a version that deletes with secure_delete: a keys file written
// before may hold destroyed keys in its free pages.
const keysScrubbed = 1

// scrubOnOpen clears what an earlier run may have left. A keys file not
// yet marked keysScrubbed is vacuumed once (one small row per account),
// and both logs are truncated, in case a crash came between a deletion
// and its scrub. A log another process is reading stays as it is: that
// process's own scrubs clear it. The traffic database of an earlier
// version may hold deleted records in free pages too; it is not vacuumed
// here, because that rewrites the whole file (see doc.go).
func scrubOnOpen(ctx context.Context, db *sql.DB) error {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA keys.user_version").Scan(&v); err != nil {
		return err
	}
	if v < keysScrubbed {
		if _, err := db.ExecContext(ctx, "VACUUM keys"); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA keys.user_version = %d", keysScrubbed)); err != nil {
			return err
		}
	}
	for _, schema := range []string{"keys", "main"} {
		if err := checkpointTruncate(ctx, db, schema); err != nil && !errors.Is(err, errScrubBusy) {
			return err
		}
	}
	return nil
}
