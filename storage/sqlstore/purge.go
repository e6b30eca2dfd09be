package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"github.com/azenna/advox/storage"
)

// Purge deletes every record that is no longer visible at now (past its
// deadline and not held by an open invoice), drops the sealed bodies whose
// time has passed, marks open invoices past their time-bar time-barred,
// and reports what it did. What it deleted is then scrubbed from the
// database files (see "Deleted data at rest" in the package doc); an error
// then says so, with the result of what was deleted, and the next purge
// scrubs again.
//
// It deletes in chunks of Options.PurgeChunk records, each its own
// transaction, so that recording goes on meanwhile. Unbilled records (all
// but those an invoice bills) come straight off their deadline index, a
// chunk being one DELETE. Billed records are stepped through in deadline
// order after a cursor, so that those an open invoice holds are passed
// over once rather than on every chunk. Two stores purging one database
// at once never count a record twice: on PostgreSQL a chunk takes an
// advisory lock first, so chunks of several instances run one after
// another, each seeing what the last deleted; SQLite runs one writer at
// a time.
func (s *Store) Purge(ctx context.Context, now time.Time) (storage.PurgeResult, error) {
	var res storage.PurgeResult
	t := encodeTime(now)
	for _, step := range []purgeStep{s.purgeUnbilled, s.purgeBilled} {
		n, err := s.runChunks(ctx, "purge", s.chunk, func(ctx context.Context, tx *wtx, after cursor) (chunkResult, error) {
			return step(ctx, tx, t, after)
		})
		res.Deleted += n
		if err != nil {
			return res, err
		}
	}
	fin, err := runValue(s, ctx, "purge", func(ctx context.Context, tx *wtx) (storage.PurgeResult, error, error) {
		var fin storage.PurgeResult
		var err error
		fin.BodiesDropped, fin.OldestDeadline, err = s.purgeFinish(ctx, tx, t)
		return fin, nil, err
	})
	if err != nil {
		return res, err
	}
	res.BodiesDropped, res.OldestDeadline = fin.BodiesDropped, fin.OldestDeadline
	return res, s.scrub(ctx, "purge", trafficResidue)
}

// cursor is a position in (deadline, rid) order.
type cursor struct{ deadline, rid int64 }

// after reports whether c comes after d.
func (c cursor) after(d cursor) bool {
	return c.deadline > d.deadline || (c.deadline == d.deadline && c.rid > d.rid)
}

// chunkResult is what one purge or erase chunk did.
type chunkResult struct {
	claimed, deleted int
	last             cursor
}

// purgeUnbilled deletes up to s.chunk unbilled records past their
// deadline at now, after the cursor, and the further operator ids of
// those it deleted.
func (s *Store) purgeUnbilled(ctx context.Context, tx *wtx, now int64, after cursor) (chunkResult, error) {
	c := chunkResult{last: after}
	rows, err := tx.query(ctx, s.q.purgeUnbilled, after.deadline, after.rid, now, s.chunk)
	if err != nil {
		return c, err
	}
	var multi []int64
	for rows.Next() {
		var rid, more, deadline int64
		if err := rows.Scan(&rid, &more, &deadline); err != nil {
			rows.Close()
			return c, err
		}
		c.claimed++
		if more > 0 {
			multi = append(multi, rid)
		}
		if (cursor{deadline, rid}).after(c.last) { // RETURNING keeps no order
			c.last = cursor{deadline, rid}
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return c, err
	}
	c.deleted = c.claimed
	return c, s.deleteOperatorIDs(ctx, tx, multi)
}

// purgeBilled claims up to s.chunk billed records after the cursor that
// are invisible at now, and deletes them.
func (s *Store) purgeBilled(ctx context.Context, tx *wtx, now int64, after cursor) (chunkResult, error) {
	c := chunkResult{last: after}
	args := append([]any{after.deadline, after.rid, now}, visibleArgs(now)...)
	rows, err := tx.query(ctx, s.q.purgeBilled, append(args, s.chunk)...)
	if err != nil {
		return c, err
	}
	var rids, multi []int64
	for rows.Next() {
		var rid, deadline, more int64
		if err := rows.Scan(&rid, &deadline, &more); err != nil {
			rows.Close()
			return c, err
		}
		rids = append(rids, rid)
		if more > 0 {
			multi = append(multi, rid)
		}
		c.last = cursor{deadline, rid}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return c, err
	}
	c.claimed = len(rids)
	if len(rids) == 0 {
		return c, nil
	}
	if err := s.deleteOperatorIDs(ctx, tx, multi); err != nil {
		return c, err
	}
	r, err := tx.exec(ctx, s.q.deleteRecs, s.d.ids(rids))
	if err != nil {
		return c, err
	}
	n, err := r.RowsAffected()
	c.deleted = int(n)
	return c, err
}

// deleteOperatorIDs deletes the further operator ids of the given records.
func (s *Store) deleteOperatorIDs(ctx context.Context, tx *wtx, rids []int64) error {
	if len(rids) == 0 {
		return nil
	}
	_, err := tx.exec(ctx, s.q.deleteOps, s.d.ids(rids))
	return err
}

// purgeFinish drops the bodies past their time, time-bars invoices, and
// reads the oldest deadline left.
func (s *Store) purgeFinish(ctx context.Context, tx *wtx, now int64) (int, time.Time, error) {
	r, err := tx.exec(ctx, s.q.dropBodies, now)
	if err != nil {
		return 0, time.Time{}, err
	}
	dropped, err := r.RowsAffected()
	if err != nil {
		return 0, time.Time{}, err
	}
	if _, err := tx.exec(ctx, s.q.timeBar, now); err != nil {
		return 0, time.Time{}, err
	}
	var oldest sql.NullInt64 // the query's MIN always returns its one row
	if err := tx.queryRow(ctx, s.q.oldest).Scan(&oldest); err != nil {
		return 0, time.Time{}, err
	}
	if !oldest.Valid {
		return int(dropped), time.Time{}, nil
	}
	return int(dropped), decodeTime(oldest.Int64), nil
}

// purgeStep deletes one chunk of expired records after a cursor.
type purgeStep func(ctx context.Context, tx *wtx, now int64, after cursor) (chunkResult, error)

// runChunks runs step, one transaction per chunk of up to size records
// under the dialect's chunk lock, from the start of the cursor order
// until a chunk comes back short, and returns how many records it
// deleted. Purge and EraseAccount chunk alike.
func (s *Store) runChunks(ctx context.Context, name string, size int,
	step func(ctx context.Context, tx *wtx, after cursor) (chunkResult, error)) (int, error) {
	deleted := 0
	after := cursor{deadline: math.MinInt64, rid: math.MinInt64}
	for {
		c, err := runValue(s, ctx, name, func(ctx context.Context, tx *wtx) (chunkResult, error, error) {
			if s.d.lockChunk != nil {
				if err := s.d.lockChunk(ctx, tx); err != nil {
					return chunkResult{}, nil, err
				}
			}
			c, err := step(ctx, tx, after)
			return c, nil, err
		})
		if err != nil {
			return deleted, err
		}
		deleted += c.deleted
		if c.claimed < size {
			return deleted, nil
		}
		after = c.last
	}
}
