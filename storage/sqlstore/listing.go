package sqlstore

import (
	"context"
	"database/sql"
)

// Listing: how SQLite keeps the account index cheap to write.
//
// The account index (advox_records_account, led by the account) is what
// Query, Usage, CreateInvoice and EraseAccount reach an account's records
// through. Records arrive interleaved across accounts, so every record
// inserted into it lands on another leaf page: with a hundred accounts, a
// commit of 32 records dirtied about 30 leaves of that one index, which
// SQLite then writes to the WAL, each a page — more than all the other
// B-trees of the record together; on this package's measurements
// (BENCHMARKS.md) it cost a third of the records per second.
//
// So on SQLite a record is inserted unlisted (listed = 0: the index is
// partial, WHERE listed = 1, so it has no entry yet), and the writer lists
// the records in bulk once listEvery of them are waiting: one UPDATE in
// its transaction sets listed = 1 on every record above
// advox_listing.listed_to, and moves listed_to to the newest record. A
// thousand records over a hundred accounts then add ten entries to each
// account's leaf in one go, one page write per leaf instead of one per
// record. Until then the unlisted records are the few above listed_to:
// rids are AUTOINCREMENT (never reused) and assigned in commit order by
// the single writer, so the tail is a rowid range, and every query by
// account reads both — the index, and the tail — in one statement
// (ofAccount), which sees one snapshot of both.
//
// PostgreSQL records every record listed, and its queries read the index
// only: its rids come from a sequence and commit out of order across
// instances, so a rid range could not stand for "not yet listed", and its
// B-trees do not cost a page write per insert in the first place.

// listEvery is how many records the SQLite writer leaves unlisted before
// it lists them: a query by account scans at most about this many (and a
// batch's worth more) beyond the index.
const listEvery = 1024

// ofAccount is a SELECT of cols from the records (aliased r) of one
// account that meet cond, in order (if not "") and with a LIMIT (if order
// is not ""). Its arguments are those of ofAccountArgs.
// outer orders the union of SQLite's two parts, by result column names.
func (d *dialect) ofAccount(cols, cond, order, outer string) string {
	part := func(which string) string {
		q := "SELECT " + cols + " FROM advox_records r WHERE " + which + " AND r.account = ? AND " + cond
		if order != "" {
			q += " ORDER BY " + order + " LIMIT ?"
		}
		return q
	}
	listed := part("r.listed = 1")
	if !d.deferListing {
		return listed
	}
	tail := part("r.rid > (SELECT listed_to FROM advox_listing)")
	if order == "" {
		return listed + " UNION ALL " + tail
	}
	q := "SELECT * FROM (" + listed + ") l UNION ALL SELECT * FROM (" + tail + ") t"
	if outer != "" {
		q += " ORDER BY " + outer + " LIMIT ?"
	}
	return q
}

// ofAccountArgs are the arguments of an ofAccount query: the account, the
// condition's, and the limit (when limit >= 0) — twice over on SQLite,
// with the outer limit once more when outer is true.
func (d *dialect) ofAccountArgs(account string, cond []any, limit int, outer bool) []any {
	part := append([]any{account}, cond...)
	if limit >= 0 {
		part = append(part, limit)
	}
	if !d.deferListing {
		return part
	}
	args := append(append([]any{}, part...), part...)
	if outer {
		args = append(args, limit)
	}
	return args
}

// listing is the writer's count of records it inserted unlisted since it
// last listed, and how many it lets wait (listEvery; tests lower it).
// Only the writer goroutine touches it.
type listing struct{ unlisted, every int }

// afterInsert lists the unlisted records in tx once listEvery of them
// are waiting (SQLite only).
func (s *Store) afterInsert(ctx context.Context, tx *wtx, inserted int) error {
	if !s.d.deferListing {
		return nil
	}
	s.listing.unlisted += inserted
	if s.listing.unlisted < s.listing.every {
		return nil
	}
	if err := s.listAll(ctx, tx); err != nil {
		return err
	}
	s.listing.unlisted = 0
	return nil
}

// listAll lists every record above listed_to and moves listed_to to the
// newest record.
func (s *Store) listAll(ctx context.Context, tx *wtx) error {
	var from int64
	var to sql.NullInt64
	if err := tx.queryRow(ctx, s.q.listedTo).Scan(&from); err != nil {
		return err
	}
	if err := tx.queryRow(ctx, s.q.maxRid).Scan(&to); err != nil {
		return err
	}
	if !to.Valid || to.Int64 <= from {
		return nil
	}
	if _, err := tx.exec(ctx, s.q.listTo, from, to.Int64); err != nil {
		return err
	}
	_, err := tx.exec(ctx, s.q.setListedTo, to.Int64)
	return err
}
