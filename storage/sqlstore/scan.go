package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// stored is a record read back with its surrogate key.
type stored struct {
	rid int64
	rec storage.Record
}

// scanRecords reads the rows of a query selecting recordCols, in query
// order, and closes them.
func scanRecords(rows *sql.Rows) ([]stored, error) {
	defer rows.Close()
	var out []stored
	for rows.Next() {
		var (
			s                                  stored
			encoding, status                   string
			segments, created, updated, deadln int64
			bodyKey, invoice                   sql.NullString
			bodyUntil                          sql.NullInt64
			body, parts                        []byte
		)
		r := &s.rec
		if err := rows.Scan(&s.rid, &r.ID, &r.Account, &r.Transport, &r.Route, &r.From, &r.Recipient.KeyID,
			&r.Recipient.Data, &r.RecipientIndex, &bodyKey, &body, &bodyUntil, &encoding, &segments,
			&status, &r.ErrorCode, &parts, &created, &updated, &deadln, &invoice); err != nil {
			return nil, err
		}
		r.Encoding = transport.Encoding(encoding)
		r.Segments = int(segments)
		r.Status = transport.Status(status)
		r.CreatedAt, r.UpdatedAt, r.Deadline = decodeTime(created), decodeTime(updated), decodeTime(deadln)
		r.Recipient.Data, r.RecipientIndex = bytesOrNil(r.Recipient.Data), bytesOrNil(r.RecipientIndex)
		if bodyKey.Valid {
			r.Body = storage.Sealed{KeyID: bodyKey.String, Data: bytesOrNil(body)}
		}
		if bodyUntil.Valid {
			r.BodyUntil = decodeTime(bodyUntil.Int64)
		}
		r.InvoiceID = invoice.String
		var err error
		if r.Parts, err = decodeParts(parts, r.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// bytesOrNil returns nil for an empty byte string: the store keeps no
// difference between empty and absent.
func bytesOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// view is the record as a read at now returns it: a body past its time is
// withheld, even before Purge drops it.
func view(r storage.Record, now int64) storage.Record {
	if !r.BodyUntil.IsZero() && encodeTime(r.BodyUntil) <= now {
		r.Body, r.BodyUntil = storage.Sealed{}, time.Time{}
	}
	return r
}

// toRow is a record's column values, and the operator ids of its parts
// after the first appended to ops (their rid is set once it is known).
func toRow(r *storage.Record, listed int64) recordRow {
	row := recordRow{
		id: r.ID, account: r.Account, transport: r.Transport, route: r.Route, sender: r.From,
		recipientKey: r.Recipient.KeyID, recipient: nonNil(r.Recipient.Data),
		recipientIndex: nonNil(r.RecipientIndex), recipientTag: recipientTag(r.RecipientIndex), listed: listed,
		encoding: string(r.Encoding), segments: int64(r.Segments),
		status: string(r.Status), errorCode: r.ErrorCode,
		parts:     encodeParts(nil, r.Parts, r.CreatedAt),
		createdAt: encodeTime(r.CreatedAt), updatedAt: encodeTime(r.UpdatedAt), deadline: encodeTime(r.Deadline),
	}
	row.bodyKey, row.body, row.bodyUntil = bodyColumns(r)
	for i, p := range r.Parts {
		switch {
		case i == 0:
			row.op0 = p.OperatorID
		case p.OperatorID != "":
			row.moreOps++
		}
	}
	return row
}

// bodyColumns are the body's columns: all NULL when there is no body.
func bodyColumns(r *storage.Record) (*string, []byte, *int64) {
	var until *int64
	if !r.BodyUntil.IsZero() {
		u := encodeTime(r.BodyUntil)
		until = &u
	}
	if r.Body.IsZero() {
		return nil, nil, until
	}
	k := r.Body.KeyID
	return &k, nonNil(r.Body.Data), until
}

// recipientTag is the first 8 bytes of a blind index as an integer (zero
// padded): the part of it the account index holds.
func recipientTag(index []byte) int64 {
	var b [8]byte
	copy(b[:], index)
	return int64(binary.BigEndian.Uint64(b[:]))
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// opRows appends the operator ids of r's parts after the first, stored
// under rid.
func opRows(rid int64, r *storage.Record, dst []opRow) []opRow {
	for i, p := range r.Parts {
		if i > 0 && p.OperatorID != "" {
			dst = append(dst, opRow{rid: rid, idx: int64(i), transport: r.Transport, operatorID: p.OperatorID})
		}
	}
	return dst
}

// collectRids runs an INSERT … RETURNING rid, id and adds its rows to rids.
func collectRids(ctx context.Context, tx *wtx, q string, args []any, rids map[string]int64) error {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rid int64
		var id string
		if err := rows.Scan(&rid, &id); err != nil {
			return err
		}
		rids[id] = rid
	}
	return rows.Err()
}
