package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/azenna/advox/storage"
)

// The keyring: advox_keys holds each account's current data key, wrapped
// by the application's key-encryption key, at most one per account (a
// unique index on account). Records name the key their recipient is
// sealed under; Record refuses a key that is gone (batch.go).

// EnsureKey returns the account's current key, storing candidate as that
// key if the account has none. Every concurrent caller, in this process
// or another sharing the database, gets the same key: the insert does
// nothing when the account has a key, and the key is then read back in
// the same transaction. A candidate without id, account or wrapped key
// fails with storage.ErrInvalid; one whose id another account's key has,
// with storage.ErrExists.
func (s *Store) EnsureKey(ctx context.Context, candidate storage.DataKey) (storage.DataKey, error) {
	if k, err := s.readKey(ctx, "ensure key", s.q.keyOfAccount, candidate.Account); !errors.Is(err, storage.ErrErased) {
		return k, err
	}
	if candidate.ID == "" || candidate.Account == "" || len(candidate.Wrapped) == 0 {
		return storage.DataKey{}, fmt.Errorf("sqlstore: incomplete data key: %w", storage.ErrInvalid)
	}
	if s.kdb != nil {
		return s.ensureKeyApart(ctx, candidate)
	}
	k, err := runValue(s, ctx, "ensure key", func(ctx context.Context, tx *wtx) (storage.DataKey, error, error) {
		if _, err := tx.exec(ctx, s.q.insertKey, candidate.ID, candidate.Account, candidate.Wrapped,
			encodeTime(candidate.CreatedAt)); err != nil {
			return storage.DataKey{}, nil, err
		}
		k, err := scanKey(tx.queryRow(ctx, s.q.keyOfAccount, candidate.Account))
		if errors.Is(err, sql.ErrNoRows) {
			// The account has no key, so the insert conflicted on the id.
			return storage.DataKey{}, fmt.Errorf("sqlstore: data key id taken: %w", storage.ErrExists), nil
		}
		return k, nil, err
	})
	if err != nil {
		return storage.DataKey{}, err
	}
	return k, nil
}

// Key returns the key with the given id, or storage.ErrErased when it was
// destroyed (or never existed).
func (s *Store) Key(ctx context.Context, id string) (storage.DataKey, error) {
	return s.readKey(ctx, "key", s.q.key, id)
}

// DestroyKeys destroys every key of the account and returns how many it
// destroyed. It commits on its own, beside the group-commit writer rather
// than behind its queue, so the key is gone within one writer batch (on
// SQLite the write connection is handed to it as soon as the batch in
// flight commits; on PostgreSQL it waits only for the transactions that
// are recording under the key, which hold it FOR SHARE). Records sealed
// under it are unreadable from then on; EraseAccount deletes them.
//
// Before it returns, no file of the keyring holds a copy of the key (see
// "Deleted data at rest" in the package doc): on SQLite the row is
// overwritten and the keys file's write-ahead log truncated; on
// PostgreSQL the keyring is rewritten (VACUUM FULL), and with KeysDSN a
// copy left in the traffic database by an interrupted move of the keyring
// is deleted too. When that cannot be done (readers of the log, a lock
// held past a timeout), the key is destroyed all the same and the error
// says so; calling DestroyKeys again scrubs again. Once the delete has
// started it finishes whatever ctx does, and the call reports its outcome.
func (s *Store) DestroyKeys(ctx context.Context, account string) (int, error) {
	const name = "destroy keys"
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n, err := s.destroyKeys(ctx, name, account)
	if err != nil {
		return n, mapErr(name, err)
	}
	return n, s.scrub(ctx, name, keyResidue)
}

// destroyKeys deletes the account's keys under a context ctx cannot
// cancel: the keyring's, and with a keyring apart the traffic database's
// (a copy an interrupted move of the keyring left there).
func (s *Store) destroyKeys(ctx context.Context, name, account string) (int, error) {
	ctx, cancel := finishing(ctx)
	defer cancel()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, errClosed(name)
	}
	dbs := []*sql.DB{s.w.db}
	if s.kdb != nil {
		dbs = []*sql.DB{s.kdb, s.w.db}
	}
	n := int64(0)
	for _, db := range dbs {
		r, err := db.ExecContext(ctx, s.q.destroyKeys, account)
		if err != nil {
			return int(n), err
		}
		m, err := r.RowsAffected()
		if err != nil {
			return int(n), err
		}
		n = max(n, m)
	}
	return int(n), nil
}

// readKey reads one key on the read pool; none is storage.ErrErased.
func (s *Store) readKey(ctx context.Context, name, q string, arg string) (storage.DataKey, error) {
	var k storage.DataKey
	err := s.withDB(ctx, name, func(db *sql.DB) error {
		if s.kdb != nil {
			db = s.kdb
		}
		var err error
		k, err = scanKey(db.QueryRowContext(ctx, q, arg))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlstore: data key: %w", storage.ErrErased)
		}
		return err
	})
	return k, err
}

// ensureKeyApart is EnsureKey on a keys database of its own (pgkeys.go):
// one transaction there, not a writer op, that finishes once begun
// (inWriteTx).
func (s *Store) ensureKeyApart(ctx context.Context, candidate storage.DataKey) (storage.DataKey, error) {
	var k storage.DataKey
	err := s.withDB(ctx, "ensure key", func(*sql.DB) error {
		return inWriteTx(ctx, s.kdb, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, s.q.insertKey, candidate.ID, candidate.Account, candidate.Wrapped,
				encodeTime(candidate.CreatedAt)); err != nil {
				return err
			}
			var err error
			if k, err = scanKey(tx.QueryRowContext(ctx, s.q.keyOfAccount, candidate.Account)); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sqlstore: data key id taken: %w", storage.ErrExists)
			}
			return err
		})
	})
	return k, err
}

// scanKey reads a key row: sql.ErrNoRows from a *sql.Row that has none.
func scanKey(r rowScanner) (storage.DataKey, error) {
	var (
		k       storage.DataKey
		created int64
	)
	if err := r.Scan(&k.ID, &k.Account, &k.Wrapped, &created); err != nil {
		return storage.DataKey{}, err
	}
	k.CreatedAt = decodeTime(created)
	return k, nil
}
