package sqlstore

import (
	"context"
	"fmt"

	"github.com/azenna/advox/storage"
)

// The writes: each becomes an op for the group-commit writer (writer.go),
// executed by execBatch (batch.go).

// Record stores new records, all or none; an id that exists already fails
// the call with storage.ErrExists, an empty id or a zero Deadline with
// storage.ErrInvalid,
// and a record sealed under a destroyed data key with storage.ErrErased.
// It returns once the records are durable. The records' InvoiceID is
// ignored: only CreateInvoice links records to an invoice.
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
		if r.ID == "" || r.Deadline.IsZero() {
			return fmt.Errorf("sqlstore: record without id or deadline: %w", storage.ErrInvalid)
		}
		if _, dup := seen[r.ID]; dup {
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
// that is missing, no longer visible or lacks the named part is
// storage.ErrNotFound. A final status drops the record's sealed body.
func (s *Store) UpdateStatus(ctx context.Context, u storage.StatusUpdate) (storage.Record, error) {
	o := &op{kind: opUpdate, update: u, now: s.now()}
	if err := s.do(ctx, "update status", o); err != nil {
		return storage.Record{}, err
	}
	return o.rec, nil
}

// run queues fn as one write of its own batch share and waits for it.
func (s *Store) run(ctx context.Context, name string, fn func(ctx context.Context, tx *wtx) (error, error)) error {
	return s.do(ctx, name, &op{kind: opFunc, fn: fn})
}

// runValue is run for a write that yields a value: fn returns it with the
// op's own result and a database failure. The value is returned only once
// the write has finished — a caller that gave up gets the zero value, as
// the writer may still be running fn — and each rerun of a failed batch
// yields it afresh.
func runValue[T any](s *Store, ctx context.Context, name string, fn func(ctx context.Context, tx *wtx) (T, error, error)) (T, error) {
	var v T
	o := &op{kind: opFunc, fn: func(ctx context.Context, tx *wtx) (result, failure error) {
		v, result, failure = fn(ctx, tx)
		return result, failure
	}}
	err := s.do(ctx, name, o)
	select {
	case <-o.done: // closed once fn has run for the last time
		return v, err
	default:
		var zero T
		return zero, err
	}
}
