package sqlstore

import (
	"context"
	"errors"
	"maps"
	"math"
	"slices"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// EraseAccount deletes every record of the account and returns how many it
// deleted. The usage of those still visible is added to the account's
// aggregate per calendar month (UTC) in advox_erased_usage — counts only —
// so that Usage, and billing, survive the erase.
//
// It deletes in chunks of Options.EraseChunk records, each its own
// transaction (one DELETE … RETURNING, whose rows give the usage to add
// in the same transaction, so Usage is right between chunks too), and
// ends once a chunk that starts from the account's oldest record comes
// back short. A record recorded for the account while the erase runs,
// whatever its creation time, is erased too, or, if it comes after the
// last chunk, kept. The erase makes the records unreadable before it
// deletes them only when the caller destroyed the account's data key first
// (storage.KeyStore.DestroyKeys), which is what the Client does: that is
// immediate; the deletion takes its time. Once the records are deleted,
// what they left in the database files is scrubbed (see "Deleted data at
// rest" in the package doc); an error then says the records are deleted
// and copies may remain, and erasing again scrubs again.
func (s *Store) EraseAccount(ctx context.Context, account string) (int, error) {
	// The cursor's deadline is the creation time the next chunk starts at.
	// A pass whose chunks moved past the start (PostgreSQL) can have left
	// behind a record recorded meanwhile with an older creation time: the
	// erase ends only after a pass of a single, short chunk from the start.
	// That last pass runs once the cursor reached the end, so it costs one
	// more scan of the account's index, not one per chunk.
	total := 0
	for {
		moved := false
		n, err := s.runChunks(ctx, "erase account", s.echunk, func(ctx context.Context, tx *wtx, after cursor) (chunkResult, error) {
			if after.deadline != math.MinInt64 {
				moved = true
			}
			return s.eraseChunk(ctx, tx, account, after.deadline)
		})
		total += n
		if err != nil {
			return total, err
		}
		if !moved {
			return total, s.scrub(ctx, "erase account", trafficResidue)
		}
	}
}

// eraseChunk deletes up to s.echunk records of the account created at or
// after from, oldest first, and adds the usage of the visible ones to the
// erased aggregate. c.last.deadline is where the next chunk starts: on
// PostgreSQL the newest creation time it deleted (its index still holds
// the entries of the rows it deleted, until VACUUM); on SQLite from again.
func (s *Store) eraseChunk(ctx context.Context, tx *wtx, account string, from int64) (chunkResult, error) {
	c := chunkResult{last: cursor{deadline: from}}
	args := append(s.d.ofAccountArgs(account, []any{from}, s.echunk, false), visibleArgs(encodeTime(s.now()))...)
	rows, err := tx.query(ctx, s.q.erase, args...)
	if err != nil {
		return c, err
	}
	var multi []int64
	usage := make(map[int64]*storage.Usage) // by period
	for rows.Next() {
		var rid, more, created, segments, visible int64
		var status string
		if err := rows.Scan(&rid, &more, &created, &segments, &status, &visible); err != nil {
			rows.Close()
			return c, err
		}
		c.claimed++
		if more > 0 {
			multi = append(multi, rid)
		}
		c.last.deadline = max(c.last.deadline, created)
		if visible == 0 {
			continue
		}
		p := encodeTime(storage.MonthOf(decodeTime(created)))
		u := usage[p]
		if u == nil {
			u = &storage.Usage{}
			usage[p] = u
		}
		u.Add(int(segments), transport.Status(status))
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return c, err
	}
	c.deleted = c.claimed
	if s.d.deferListing {
		// SQLite's chunk is two scans, the listed records and the
		// unlisted tail, each in creation order: the newest record
		// deleted may come from the tail, while the listed scan left
		// older records. Its deleted rows leave its indexes at once, so
		// the next chunk starts where this one did.
		c.last.deadline = from
	}
	// In period order, so that two instances erasing at once take the
	// aggregate rows' locks in one order.
	for _, p := range slices.Sorted(maps.Keys(usage)) {
		u := usage[p]
		if _, err := tx.exec(ctx, s.q.erasedAdd, account, p, int64(u.Messages), int64(u.Segments),
			int64(u.Delivered), int64(u.Failed)); err != nil {
			return c, err
		}
	}
	return c, s.deleteOperatorIDs(ctx, tx, multi)
}
