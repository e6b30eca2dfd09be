package sqlstore

import (
	"context"
	"database/sql"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// stored is a record read back with its surrogate key.
type stored struct {
	rid int64
	rec storage.Record
}

// scanRecords reads the rows of a recordSelect query: one row per part
// (or one row with NULL part columns for a record without parts), grouped
// by record in query order.
func scanRecords(rows *sql.Rows) ([]stored, error) {
	defer rows.Close()
	var out []stored
	for rows.Next() {
		var (
			s                                 stored
			encoding, status                  string
			segments, created, updated, deadl int64
			pIdx, pUpdated                    sql.NullInt64
			pOperatorID, pStatus, pErrorCode  sql.NullString
		)
		r := &s.rec
		if err := rows.Scan(&s.rid, &r.ID, &r.Account, &r.Transport, &r.From, &r.To, &encoding,
			&segments, &status, &r.ErrorCode, &created, &updated, &deadl,
			&pIdx, &pOperatorID, &pStatus, &pErrorCode, &pUpdated); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].rid != s.rid {
			r.Encoding = transport.Encoding(encoding)
			r.Segments = int(segments)
			r.Status = transport.Status(status)
			r.CreatedAt, r.UpdatedAt, r.Deadline = decodeTime(created), decodeTime(updated), decodeDeadline(deadl)
			out = append(out, s)
		}
		if pIdx.Valid {
			last := &out[len(out)-1].rec
			last.Parts = append(last.Parts, storage.Part{
				OperatorID: pOperatorID.String,
				Status:     transport.Status(pStatus.String),
				ErrorCode:  pErrorCode.String,
				UpdatedAt:  decodeTime(pUpdated.Int64),
			})
		}
	}
	return out, rows.Err()
}

// toRow is a record's column values (its parts go in as partRows).
func toRow(r *storage.Record) recordRow {
	return recordRow{
		id: r.ID, account: r.Account, transport: r.Transport, sender: r.From, recipient: r.To,
		encoding: string(r.Encoding), segments: int64(r.Segments),
		status: string(r.Status), errorCode: r.ErrorCode,
		createdAt: encodeTime(r.CreatedAt), updatedAt: encodeTime(r.UpdatedAt), deadline: encodeDeadline(r.Deadline),
	}
}

// partRows returns the part rows of a record stored under rid.
func partRows(rid int64, r *storage.Record, dst []partRow) []partRow {
	for i, p := range r.Parts {
		dst = append(dst, partRow{
			rid: rid, idx: int64(i), transport: r.Transport, operatorID: p.OperatorID,
			status: string(p.Status), errorCode: p.ErrorCode, updatedAt: encodeTime(p.UpdatedAt),
		})
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
