package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"math"
	"time"

	"github.com/azenna/advox/storage"
)

// The reads: straight to the read pool, filtered by the store clock with
// storage.Visible's rule (queries.go: visible), so that nothing past its
// deadline is ever returned unless an open invoice holds it, even before
// Purge removes it; a body past its time is withheld (view).

// Get returns the record with the given id, or storage.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (storage.Record, error) {
	now := encodeTime(s.now())
	got, err := s.read(ctx, "get", s.q.get, append([]any{id}, visibleArgs(now)...)...)
	if err != nil {
		return storage.Record{}, err
	}
	if len(got) == 0 {
		return storage.Record{}, fmt.Errorf("sqlstore: get: %w", storage.ErrNotFound)
	}
	return view(got[0].rec, now), nil
}

// FindByOperatorID returns the record one of whose parts the named
// transport gave operatorID, and that part's index. When an operator
// reused an id, it chooses among the records that hold it as
// storage.ByOperatorID does: the query reads them all through the
// operator-id indexes (a reused id has a few, one per reuse within the
// retention period) and the choice looks at their parts.
func (s *Store) FindByOperatorID(ctx context.Context, transportName, operatorID string) (storage.Record, int, error) {
	notFound := fmt.Errorf("sqlstore: find by operator id: %w", storage.ErrNotFound)
	if operatorID == "" {
		return storage.Record{}, 0, notFound
	}
	now := encodeTime(s.now())
	vis := visibleArgs(now)
	args := append(append([]any{transportName, operatorID}, vis...), transportName, operatorID)
	got, err := s.read(ctx, "find by operator id", s.q.byOperatorID, append(args, vis...)...)
	if err != nil {
		return storage.Record{}, 0, err
	}
	best, part := storage.ByOperatorID(operatorID, func(yield func(*storage.Record) bool) {
		for i := range got {
			if !yield(&got[i].rec) {
				return
			}
		}
	})
	if best == nil {
		return storage.Record{}, 0, notFound
	}
	return view(*best, now), part, nil
}

// queryPage is how many records Query reads per round trip. Between pages
// it holds no connection, so the caller may use the store while iterating.
const queryPage = 256

// Query yields an account's records created in [q.From, q.To), oldest
// first, ties broken by id; with q.RecipientIndex, only those with that
// blind index.
func (s *Store) Query(ctx context.Context, q storage.Query) iter.Seq2[storage.Record, error] {
	return func(yield func(storage.Record, error) bool) {
		from, to := bounds(q.From, q.To)
		first, next := s.q.queryFirst, s.q.queryNext
		var filter []any
		if q.RecipientIndex != nil {
			first, next = s.q.queryIndexFirst, s.q.queryIndexNext
			filter = []any{recipientTag(q.RecipientIndex), q.RecipientIndex}
		}
		left := q.Limit
		var last *storage.Record
		for {
			n := queryPage
			if q.Limit > 0 {
				n = min(n, left)
			}
			now := encodeTime(s.now())
			var (
				got []stored
				err error
			)
			if last == nil {
				cond := append(append([]any{from, to}, visibleArgs(now)...), filter...)
				got, err = s.read(ctx, "query", first, s.d.ofAccountArgs(q.Account, cond, n, true)...)
			} else {
				// The next page starts at the last record's time.
				lc := encodeTime(last.CreatedAt)
				cond := append(append([]any{lc, to}, visibleArgs(now)...), filter...)
				cond = append(cond, lc, lc, last.ID)
				got, err = s.read(ctx, "query", next, s.d.ofAccountArgs(q.Account, cond, n, true)...)
			}
			if err != nil {
				yield(storage.Record{}, err)
				return
			}
			for i := range got {
				if !yield(view(got[i].rec, now), nil) {
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

// Usage aggregates an account's visible records created in [from, to),
// plus the aggregates EraseAccount kept of erased records whose period
// starts in [from, to); a zero bound is open, as in Query.
func (s *Store) Usage(ctx context.Context, account string, from, to time.Time) (storage.Usage, error) {
	u := storage.Usage{Account: account, From: from, To: to}
	lo, hi := bounds(from, to)
	args := s.d.ofAccountArgs(account, append([]any{lo, hi}, visibleArgs(encodeTime(s.now()))...), -1, false)
	var live, erased [4]int64
	err := s.withDB(ctx, "usage", func(db *sql.DB) error {
		// One read transaction, so an erase chunk committing in between
		// cannot count its records twice or not at all.
		tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := tx.QueryRowContext(ctx, s.q.usage, args...).Scan(&live[0], &live[1], &live[2], &live[3]); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q.erasedUsage, account, lo, hi).Scan(&erased[0], &erased[1], &erased[2], &erased[3])
	})
	if err != nil {
		return storage.Usage{}, err
	}
	u.Messages = int(live[0] + erased[0])
	u.Segments = int(live[1] + erased[1])
	u.Delivered = int(live[2] + erased[2])
	u.Failed = int(live[3] + erased[3])
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

// read runs a query selecting recordCols on the read pool.
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
