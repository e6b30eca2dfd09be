package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"math"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// The reads: straight to the read pool, filtered by the store clock so that
// nothing past its deadline is ever returned.

// Get returns the record with the given id, or storage.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (storage.Record, error) {
	got, err := s.read(ctx, "get", s.q.get, id, encodeTime(s.now()))
	if err != nil {
		return storage.Record{}, err
	}
	if len(got) == 0 {
		return storage.Record{}, fmt.Errorf("sqlstore: get: %w", storage.ErrNotFound)
	}
	return got[0].rec, nil
}

// FindByOperatorID returns the record one of whose parts the named
// transport gave operatorID, and that part's index. When an operator
// reused an id, the newest record wins.
func (s *Store) FindByOperatorID(ctx context.Context, transportName, operatorID string) (storage.Record, int, error) {
	notFound := fmt.Errorf("sqlstore: find by operator id: %w", storage.ErrNotFound)
	if operatorID == "" {
		return storage.Record{}, 0, notFound
	}
	got, err := s.read(ctx, "find by operator id", s.q.byOperatorID, transportName, operatorID, encodeTime(s.now()))
	if err != nil {
		return storage.Record{}, 0, err
	}
	if len(got) == 0 {
		return storage.Record{}, 0, notFound
	}
	rec := got[0].rec
	for i, p := range rec.Parts {
		if p.OperatorID == operatorID {
			return rec, i, nil
		}
	}
	return storage.Record{}, 0, notFound
}

// queryPage is how many records Query reads per round trip. Between pages
// it holds no connection, so the caller may use the store while iterating.
const queryPage = 256

// Query yields an account's records created in [q.From, q.To), oldest
// first, ties broken by id.
func (s *Store) Query(ctx context.Context, q storage.Query) iter.Seq2[storage.Record, error] {
	return func(yield func(storage.Record, error) bool) {
		from, to := bounds(q.From, q.To)
		left := q.Limit
		var last *storage.Record
		for {
			n := queryPage
			if q.Limit > 0 {
				n = min(n, left)
			}
			var got []stored
			var err error
			if last == nil {
				got, err = s.read(ctx, "query", s.q.queryFirst, q.Account, from, to, encodeTime(s.now()), n)
			} else {
				got, err = s.read(ctx, "query", s.q.queryNext, q.Account, from, to, encodeTime(s.now()),
					encodeTime(last.CreatedAt), last.ID, n)
			}
			if err != nil {
				yield(storage.Record{}, err)
				return
			}
			for i := range got {
				if !yield(got[i].rec, nil) {
					return
				}
			}
			left -= len(got)
			if len(got) < n || (q.Limit > 0 && left <= 0) {
				return
			}
			last = &got[len(got)-1].rec
		}
	}
}

// Usage aggregates an account's records created in [from, to); a zero
// bound is open, as in Query.
func (s *Store) Usage(ctx context.Context, account string, from, to time.Time) (storage.Usage, error) {
	u := storage.Usage{Account: account, From: from, To: to}
	lo, hi := bounds(from, to)
	args := []any{string(transport.StatusDelivered)}
	for _, st := range finalFailed() {
		args = append(args, string(st))
	}
	args = append(args, account, lo, hi, encodeTime(s.now()))
	var messages, segments, delivered, failed int64
	err := s.withDB(ctx, "usage", func(db *sql.DB) error {
		return db.QueryRowContext(ctx, s.q.usage, args...).Scan(&messages, &segments, &delivered, &failed)
	})
	if err != nil {
		return storage.Usage{}, err
	}
	u.Messages, u.Segments, u.Delivered, u.Failed = int(messages), int(segments), int(delivered), int(failed)
	return u, nil
}

// bounds encodes a [from, to) creation-time range, zero meaning open.
func bounds(from, to time.Time) (int64, int64) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !from.IsZero() {
		lo = encodeTime(from)
	}
	if !to.IsZero() {
		hi = encodeTime(to)
	}
	return lo, hi
}

// read runs a recordSelect query on the read pool.
func (s *Store) read(ctx context.Context, name, q string, args ...any) ([]stored, error) {
	var got []stored
	err := s.withDB(ctx, name, func(db *sql.DB) error {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		got, err = scanRecords(rows)
		return err
	})
	return got, err
}
