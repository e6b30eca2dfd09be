package sqlstore

import (
	"strings"

	"github.com/azenna/advox/transport"
)

// Column lists shared by the inserts and the scanners.
const (
	recordInsertCols = "id, account, transport, sender, recipient, encoding, segments, " +
		"status, error_code, created_at, updated_at, deadline"
	partInsertCols = "rid, idx, transport, operator_id, status, error_code, updated_at"

	// recordSelect reads records (alias r) with their parts (alias p),
	// one row per part, in the order scanRecords expects.
	recordSelect = "SELECT r.rid, r.id, r.account, r.transport, r.sender, r.recipient, r.encoding, " +
		"r.segments, r.status, r.error_code, r.created_at, r.updated_at, r.deadline, " +
		"p.idx, p.operator_id, p.status, p.error_code, p.updated_at "
	partsJoin = "LEFT JOIN advox_record_parts p ON p.rid = r.rid "
)

// queries are the statements of the store, bound for one dialect.
type queries struct {
	get, lockRecord, getByRid, byOperatorID string
	queryFirst, queryNext                   string
	usage                                   string
	updateRecord                            string
	purgeChunk, erase                       string
}

// writerStatements lists every statement the writer runs, for dialects
// that prepare them once (dialect.prepared).
func (q *queries) writerStatements(d *dialect) []string {
	qs := append([]string{q.lockRecord, q.getByRid, q.updateRecord, q.purgeChunk, q.erase}, d.prepared...)
	for _, st := range transport.Statuses {
		u, _ := d.updateParts(st)
		qs = append(qs, u)
	}
	return qs
}

// finalFailed lists the final statuses other than delivered (Usage.Failed).
func finalFailed() []transport.Status {
	var s []transport.Status
	for _, st := range transport.Statuses {
		if st.Final() && st != transport.StatusDelivered {
			s = append(s, st)
		}
	}
	return s
}

// placeholders renders n comma-separated ? placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func newQueries(d *dialect) *queries {
	page := "FROM (SELECT * FROM advox_records WHERE account = ? AND created_at >= ? AND created_at < ? " +
		"AND deadline > ? %s ORDER BY created_at, id LIMIT ?) r " + partsJoin +
		"ORDER BY r.created_at, r.id, p.idx"
	return &queries{
		get: d.bind(recordSelect + "FROM advox_records r " + partsJoin +
			"WHERE r.id = ? AND r.deadline > ? ORDER BY p.idx"),
		lockRecord: d.bind("SELECT rid FROM advox_records WHERE id = ? AND deadline > ?" + d.lockRecord),
		getByRid: d.bind(recordSelect + "FROM advox_records r " + partsJoin +
			"WHERE r.rid = ? ORDER BY p.idx"),
		byOperatorID: d.bind(recordSelect + "FROM advox_records r " + partsJoin +
			"WHERE r.rid = (SELECT q.rid FROM advox_record_parts q JOIN advox_records s ON s.rid = q.rid " +
			"WHERE q.transport = ? AND q.operator_id = ? AND q.operator_id <> '' AND s.deadline > ? " +
			"ORDER BY s.created_at DESC, s.id DESC LIMIT 1) ORDER BY p.idx"),
		queryFirst: d.bind(recordSelect + strings.Replace(page, "%s", "", 1)),
		queryNext:  d.bind(recordSelect + strings.Replace(page, "%s", "AND (created_at, id) > (?, ?)", 1)),
		usage: d.bind("SELECT COUNT(*), COALESCE(SUM(segments), 0), " +
			"COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0), " +
			"COALESCE(SUM(CASE WHEN status IN (" + placeholders(len(finalFailed())) + ") THEN 1 ELSE 0 END), 0) " +
			"FROM advox_records WHERE account = ? AND created_at >= ? AND created_at < ? AND deadline > ?"),
		updateRecord: d.bind("UPDATE advox_records SET status = ?, error_code = ?, updated_at = ? WHERE rid = ?"),
		purgeChunk: d.bind("DELETE FROM advox_records WHERE rid IN " +
			"(SELECT rid FROM advox_records WHERE deadline <= ? ORDER BY deadline LIMIT ?)"),
		erase: d.bind("DELETE FROM advox_records WHERE account = ?"),
	}
}

// updateParts is the conditional part update for a status: it sets only
// parts whose stored status may become next (the no-regression rule of
// transport.Status.CanBecome, evaluated by the database so it holds even
// against a concurrent writer).
func (d *dialect) updateParts(next transport.Status) (string, []any) {
	var blocked []any
	for _, s := range transport.Statuses {
		if !s.CanBecome(next) {
			blocked = append(blocked, string(s))
		}
	}
	q := "UPDATE advox_record_parts SET status = ?, error_code = ?, updated_at = ? " +
		"WHERE rid = ? AND (? = -1 OR idx = ?)"
	if len(blocked) > 0 {
		q += " AND status NOT IN (" + placeholders(len(blocked)) + ")"
	}
	return d.bind(q), blocked
}
