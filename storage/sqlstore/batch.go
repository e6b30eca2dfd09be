package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/azenna/advox/storage"
)

// execBatch runs the ops of one batch inside tx. Results an op owns
// (ErrExists, ErrNotFound, the updated record, counts) are set on the op;
// a returned error is a database failure that aborts the whole batch.
// Every op's result is reset first, because a failed batch runs again.
func (s *Store) execBatch(ctx context.Context, tx *wtx, batch []*op) error {
	var recs, updates []*op
	for _, o := range batch {
		o.err, o.n, o.rec = nil, 0, storage.Record{}
		switch o.kind {
		case opRecord:
			recs = append(recs, o)
		case opUpdate:
			updates = append(updates, o)
		}
	}
	if err := s.insert(ctx, tx, recs); err != nil {
		return err
	}
	// Lock records in id order, so that two instances updating the same
	// records cannot deadlock; updates of one record keep arrival order.
	slices.SortStableFunc(updates, func(a, b *op) int { return cmp.Compare(a.update.ID, b.update.ID) })
	for _, o := range updates {
		if err := s.applyUpdate(ctx, tx, o); err != nil {
			return err
		}
	}
	for _, o := range batch {
		var (
			res sql.Result
			err error
		)
		switch o.kind {
		case opPurge:
			res, err = tx.exec(ctx, s.q.purgeChunk, encodeTime(o.now), o.limit)
		case opErase:
			res, err = tx.exec(ctx, s.q.erase, o.account)
		default:
			continue
		}
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		o.n = int(n)
	}
	return nil
}

// insert records the record ops all or none each: every row goes in with
// one statement that skips existing ids; an op that lost any id to an
// existing record gets ErrExists and its other rows are taken out again.
func (s *Store) insert(ctx context.Context, tx *wtx, ops []*op) error {
	if len(ops) == 0 {
		return nil
	}
	var rows []recordRow
	for _, o := range ops {
		for i := range o.recs {
			rows = append(rows, toRow(&o.recs[i]))
		}
	}
	// Insert in id order, so concurrent instances take unique-index locks
	// in the same order and cannot deadlock.
	slices.SortFunc(rows, func(a, b recordRow) int { return cmp.Compare(a.id, b.id) })
	rids, err := s.d.insertRecords(ctx, tx, rows)
	if err != nil {
		return err
	}
	var parts []partRow
	var undo []any
	for _, o := range ops {
		if complete(o, rids) {
			for i := range o.recs {
				parts = partRows(rids[o.recs[i].ID], &o.recs[i], parts)
			}
			continue
		}
		o.err = fmt.Errorf("sqlstore: record: %w", storage.ErrExists)
		for i := range o.recs {
			if rid, ok := rids[o.recs[i].ID]; ok {
				undo = append(undo, rid)
			}
		}
	}
	for len(undo) > 0 {
		n := min(len(undo), maxRowsPerStatement)
		q := s.d.bind("DELETE FROM advox_records WHERE rid IN (" + placeholders(n) + ")")
		if _, err := tx.exec(ctx, q, undo[:n]...); err != nil {
			return err
		}
		undo = undo[n:]
	}
	return s.d.insertParts(ctx, tx, parts)
}

// complete reports whether every record of o was inserted.
func complete(o *op, rids map[string]int64) bool {
	for i := range o.recs {
		if _, ok := rids[o.recs[i].ID]; !ok {
			return false
		}
	}
	return true
}

// applyUpdate applies a delivery report. It first locks the record row
// (PostgreSQL; SQLite's single writer holds the database lock), then reads
// the record with a new statement: under READ COMMITTED a statement that
// waited for a lock re-reads only the locked row, so parts read by that
// same statement could predate a concurrent update. It applies the
// no-regression rule with storage.Apply and writes the parts with a
// conditional update and the record's derived status.
func (s *Store) applyUpdate(ctx context.Context, tx *wtx, o *op) error {
	u := o.update
	notFound := fmt.Errorf("sqlstore: update status: %w", storage.ErrNotFound)
	var rid int64
	rows, err := tx.query(ctx, s.q.lockRecord, u.ID, encodeTime(o.now))
	if err != nil {
		return err
	}
	found := rows.Next()
	if found {
		err = rows.Scan(&rid)
	}
	if err := errors.Join(err, rows.Close(), rows.Err()); err != nil {
		return err
	}
	if !found {
		o.err = notFound
		return nil
	}
	rows, err = tx.query(ctx, s.q.getByRid, rid)
	if err != nil {
		return err
	}
	got, err := scanRecords(rows)
	if err != nil {
		return err
	}
	if len(got) == 0 {
		o.err = notFound
		return nil
	}
	rec := got[0].rec
	if u.Part != storage.AllParts && (u.Part < 0 || u.Part >= len(rec.Parts)) {
		o.err = fmt.Errorf("sqlstore: update status: no part %d: %w", u.Part, storage.ErrNotFound)
		return nil
	}
	if storage.Apply(&rec, u) {
		q, blocked := s.d.updateParts(u.Status)
		args := append([]any{string(u.Status), u.ErrorCode, encodeTime(u.At), rid, int64(u.Part), int64(u.Part)}, blocked...)
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, s.q.updateRecord,
			string(rec.Status), rec.ErrorCode, encodeTime(rec.UpdatedAt), rid); err != nil {
			return err
		}
	}
	o.rec = rec
	return nil
}
