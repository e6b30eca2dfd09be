package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/azenna/advox/storage"
)

// The writes: each becomes an op for the group-commit writer (writer.go),
// executed by execBatch (batch.go).

// Record stores new records, all or none; an id that exists already (or
// an empty id) fails the call with storage.ErrExists. It returns once the
// records are durable.
func (s *Store) Record(ctx context.Context, recs ...storage.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	seen := make(map[string]struct{}, len(recs))
	own := make([]storage.Record, len(recs))
	for i, r := range recs {
		if _, dup := seen[r.ID]; dup || r.ID == "" {
			return fmt.Errorf("sqlstore: record: %w", storage.ErrExists)
		}
		seen[r.ID] = struct{}{}
		own[i] = r.Clone()
	}
	o := &op{kind: opRecord, recs: own}
	return s.do(ctx, "record", o)
}

// UpdateStatus applies a delivery report to one record under the
// no-regression rule and returns the record as it is afterwards. A record
// that is missing, expired or lacks the named part is storage.ErrNotFound.
func (s *Store) UpdateStatus(ctx context.Context, u storage.StatusUpdate) (storage.Record, error) {
	o := &op{kind: opUpdate, update: u, now: s.now()}
	if err := s.do(ctx, "update status", o); err != nil {
		return storage.Record{}, err
	}
	return o.rec, nil
}

// Purge deletes every record whose deadline is at or before now, in
// chunks of Options.PurgeChunk so that recording goes on meanwhile, and
// returns how many it deleted. Two stores purging one database at once
// never count a record twice.
func (s *Store) Purge(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		o := &op{kind: opPurge, now: now, limit: s.chunk}
		if err := s.do(ctx, "purge", o); err != nil {
			return total, err
		}
		total += o.n
		if o.n < s.chunk {
			return total, nil
		}
	}
}

// EraseAccount deletes every record of the account in one transaction and
// returns how many it deleted.
func (s *Store) EraseAccount(ctx context.Context, account string) (int, error) {
	o := &op{kind: opErase, account: account}
	if err := s.do(ctx, "erase account", o); err != nil {
		return 0, err
	}
	return o.n, nil
}
