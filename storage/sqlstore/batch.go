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

// execBatch runs the ops of one batch inside tx: the records first, then
// the status updates, then the other writes in arrival order. Results an
// op owns (ErrExists, ErrNotFound, ErrErased, the updated record, counts)
// are set on the op; a returned error is a database failure that aborts
// the whole batch. Every op's result is reset first, because a failed
// batch runs again.
func (s *Store) execBatch(ctx context.Context, tx *wtx, batch []*op) error {
	var recs, updates []*op
	for _, o := range batch {
		o.err, o.rec = nil, storage.Record{}
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
		if o.kind != opFunc {
			continue
		}
		var err error
		if o.err, err = o.fn(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// insert records the record ops all or none each. A record sealed under a
// data key that does not exist (destroyed by an erase) fails its op with
// ErrErased: the check holds the key rows until the commit (PostgreSQL:
// FOR SHARE; SQLite: the writer holds the database), so a DestroyKeys
// either sees the records or they see it. Every other row goes in with one
// statement that skips existing ids; an op that lost any id to an existing
// record gets ErrExists and its other rows are taken out again.
func (s *Store) insert(ctx context.Context, tx *wtx, ops []*op) error {
	if len(ops) == 0 {
		return nil
	}
	ops, err := s.checkKeys(ctx, tx, ops)
	if err != nil || len(ops) == 0 {
		return err
	}
	listed := int64(1)
	if s.d.deferListing {
		listed = 0
	}
	var rows []recordRow
	for _, o := range ops {
		for i := range o.recs {
			rows = append(rows, toRow(&o.recs[i], listed))
		}
	}
	// Insert in id order, so concurrent instances take unique-index locks
	// in the same order and cannot deadlock.
	slices.SortFunc(rows, func(a, b recordRow) int { return cmp.Compare(a.id, b.id) })
	rids, err := s.d.insertRecords(ctx, tx, rows)
	if err != nil {
		return err
	}
	var opIDs []opRow
	var undo []int64
	for _, o := range ops {
		if complete(o, rids) {
			for i := range o.recs {
				opIDs = opRows(rids[o.recs[i].ID], &o.recs[i], opIDs)
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
	if len(undo) > 0 {
		if _, err := tx.exec(ctx, s.q.deleteRecs, s.d.ids(undo)); err != nil {
			return err
		}
	}
	if len(opIDs) > 0 {
		if err := s.d.insertOperatorIDs(ctx, tx, opIDs); err != nil {
			return err
		}
	}
	return s.afterInsert(ctx, tx, len(rids)-len(undo))
}

// checkKeys fails the ops holding a record sealed under a missing data
// key with ErrErased and returns the others.
func (s *Store) checkKeys(ctx context.Context, tx *wtx, ops []*op) ([]*op, error) {
	var keys []string
	for _, o := range ops {
		for i := range o.recs {
			if k := o.recs[i].Recipient.KeyID; k != "" {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return ops, nil
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var (
		rows *sql.Rows
		err  error
	)
	if s.kdb != nil {
		// Held until the traffic transaction ended (pgkeys.go).
		ktx, err := s.kdb.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		tx.release = append(tx.release, func() { ktx.Rollback() })
		if rows, err = ktx.QueryContext(ctx, s.q.checkKeys, s.d.texts(keys)); err != nil {
			return nil, err
		}
	} else if rows, err = tx.query(ctx, s.q.checkKeys, s.d.texts(keys)); err != nil {
		return nil, err
	}
	exist := make(map[string]bool, len(keys))
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, err
		}
		exist[k] = true
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	kept := ops[:0:0]
	for _, o := range ops {
		if erased(o, exist) {
			o.err = fmt.Errorf("sqlstore: record: sealed under a destroyed key: %w", storage.ErrErased)
			continue
		}
		kept = append(kept, o)
	}
	return kept, nil
}

// erased reports whether a record of o names a key not in exist.
func erased(o *op, exist map[string]bool) bool {
	for i := range o.recs {
		if k := o.recs[i].Recipient.KeyID; k != "" && !exist[k] {
			return true
		}
	}
	return false
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

// errUpdateNotFound is UpdateStatus's result for a record that is missing
// or no longer visible.
var errUpdateNotFound = fmt.Errorf("sqlstore: update status: %w", storage.ErrNotFound)

// applyUpdate applies a delivery report. It first locks the record row if
// it is visible at the store clock (PostgreSQL; SQLite's single writer
// holds the database lock), then reads the record with a new statement:
// under READ COMMITTED a statement that waited for a lock re-reads only
// the locked row's own columns as of the wait's end, which a second
// statement sees consistently. It applies the no-regression rule with
// storage.Apply and writes the record back.
func (s *Store) applyUpdate(ctx context.Context, tx *wtx, o *op) error {
	u := o.update
	now := encodeTime(o.now)
	var rid int64
	err := tx.queryRow(ctx, s.q.lockRecord, append([]any{u.ID}, visibleArgs(now)...)...).Scan(&rid)
	if errors.Is(err, sql.ErrNoRows) {
		o.err = errUpdateNotFound
		return nil
	}
	if err != nil {
		return err
	}
	rows, err := tx.query(ctx, s.q.getByRid, rid)
	if err != nil {
		return err
	}
	got, err := scanRecords(rows)
	if err != nil {
		return err
	}
	if len(got) == 0 {
		o.err = errUpdateNotFound
		return nil
	}
	rec := got[0].rec
	if u.Part != storage.AllParts && (u.Part < 0 || u.Part >= len(rec.Parts)) {
		o.err = fmt.Errorf("sqlstore: update status: no part %d: %w", u.Part, storage.ErrNotFound)
		return nil
	}
	if storage.Apply(&rec, u) {
		bodyKey, body, bodyUntil := bodyColumns(&rec)
		if _, err := tx.exec(ctx, s.q.updateRecord, string(rec.Status), rec.ErrorCode, encodeTime(rec.UpdatedAt),
			encodeParts(nil, rec.Parts, rec.CreatedAt), bodyKey, body, bodyUntil, rid); err != nil {
			return err
		}
	}
	o.rec = view(rec, now)
	return nil
}
