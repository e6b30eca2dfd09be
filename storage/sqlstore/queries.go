package sqlstore

import (
	"strings"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// Column lists shared by the inserts and the scanners.
const (
	recordInsertCols = "id, account, transport, route, sender, recipient_key, recipient, recipient_index, " +
		"recipient_tag, listed, body_key, body, body_until, encoding, segments, status, error_code, op0, " +
		"more_ops, parts, created_at, updated_at, deadline"
	recordInsertWidth = 23

	// recordCols are the columns scanRecord reads, of a record aliased r.
	recordCols = "r.rid, r.id, r.account, r.transport, r.route, r.sender, r.recipient_key, r.recipient, " +
		"r.recipient_index, r.body_key, r.body, r.body_until, r.encoding, r.segments, r.status, " +
		"r.error_code, r.parts, r.created_at, r.updated_at, r.deadline, r.invoice"

	invoiceCols = "id, account, period_start, period_end, state, issued_at, time_bar, final_at"
)

// visible is storage.Visible in SQL, for the record aliased r: before its
// deadline, or billed on an invoice that still holds it and not failed
// since. It takes two
// arguments, both the instant of the read (see visibleArgs).
var visible = visibleOf("r.")

// visibleOf is visible for the record whose columns are named with the
// prefix ("" where the statement allows no alias, as in RETURNING).
func visibleOf(prefix string) string {
	return "(" + prefix + "deadline > ? OR (" + prefix + "invoice IS NOT NULL AND " + prefix + "status NOT IN " +
		inList(finalFailed()) + " AND EXISTS (SELECT 1 FROM advox_invoices i " +
		"WHERE i.id = " + prefix + "invoice AND i.state IN ('" + string(storage.InvoiceOpen) + "', '" +
		string(storage.InvoicePartiallyPaid) + "') AND i.time_bar > ?)))"
}

// visibleArgs are the arguments of visible at the encoded instant now.
func visibleArgs(now int64) []any { return []any{now, now} }

// queries are the statements of the store, bound for one dialect.
type queries struct {
	// Reads.
	get, byOperatorID, queryFirst, queryNext       string
	queryIndexFirst, queryIndexNext                string
	usage, erasedUsage, invoice, key, keyOfAccount string
	// Writes.
	checkKeys, lockRecord, getByRid, updateRecord string
	purgeUnbilled, purgeBilled, erase, erasedAdd  string
	deleteRecs                                    string
	deleteOps, dropBodies, timeBar, oldest        string
	insertInvoice, linkInvoice, setInvoiceState   string
	insertKey, destroyKeys                        string
	listTo, listedTo, setListedTo, maxRid         string
}

// finalFailed lists the final statuses other than delivered (Usage.Failed,
// and the records no invoice bills).
func finalFailed() []transport.Status {
	var s []transport.Status
	for _, st := range transport.Statuses() {
		if st.Final() && st != transport.StatusDelivered {
			s = append(s, st)
		}
	}
	return s
}

// inList renders the statuses as a SQL list of literals: they are the
// package's own constants, never input.
func inList(sts []transport.Status) string {
	q := make([]string, len(sts))
	for i, s := range sts {
		q[i] = "'" + string(s) + "'"
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// placeholders renders n comma-separated ? placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// counts is the aggregate of Usage over records aliased r: messages,
// segments, delivered, failed.
var counts = "COUNT(*), COALESCE(SUM(r.segments), 0), " +
	"COALESCE(SUM(CASE WHEN r.status = '" + string(transport.StatusDelivered) + "' THEN 1 ELSE 0 END), 0), " +
	"COALESCE(SUM(CASE WHEN r.status IN " + inList(finalFailed()) + " THEN 1 ELSE 0 END), 0)"

func newQueries(d *dialect) *queries {
	sel := "SELECT " + recordCols + " FROM advox_records r "
	page := func(extra string) string {
		return d.ofAccount(recordCols, "r.created_at >= ? AND r.created_at < ? AND "+visible+extra,
			"r.created_at, r.id", "created_at, id")
	}
	const next = " AND (r.created_at > ? OR (r.created_at = ? AND r.id > ?))"
	const byIndex = " AND r.recipient_tag = ? AND r.recipient_index = ?"
	open := "('" + string(storage.InvoiceOpen) + "', '" + string(storage.InvoicePartiallyPaid) + "')"
	return &queries{
		get: d.bind(sel + "WHERE r.id = ? AND " + visible),
		// Every record holding the id: when an operator reused it, the
		// caller picks one from the (few) candidates by their parts.
		byOperatorID: d.bind(sel + "WHERE r.transport = ? AND r.op0 = ? AND r.op0 <> '' AND " + visible +
			" UNION ALL " + sel + "JOIN advox_operator_ids o ON o.rid = r.rid " +
			"WHERE o.transport = ? AND o.operator_id = ? AND " + visible),
		queryFirst:      d.bind(page("")),
		queryNext:       d.bind(page(next)),
		queryIndexFirst: d.bind(page(byIndex)),
		queryIndexNext:  d.bind(page(byIndex + next)),
		usage: d.bind("SELECT " + counts + " FROM (" +
			d.ofAccount("r.segments, r.status", "r.created_at >= ? AND r.created_at < ? AND "+visible, "", "") + ") r"),
		erasedUsage: d.bind("SELECT COALESCE(SUM(messages), 0), COALESCE(SUM(segments), 0), " +
			"COALESCE(SUM(delivered), 0), COALESCE(SUM(failed), 0) FROM advox_erased_usage " +
			"WHERE account = ? AND period >= ? AND period < ?"),
		invoice:      d.bind("SELECT " + invoiceCols + " FROM advox_invoices WHERE id = ?"),
		key:          d.bind("SELECT id, account, wrapped, created_at FROM advox_keys WHERE id = ?"),
		keyOfAccount: d.bind("SELECT id, account, wrapped, created_at FROM advox_keys WHERE account = ?"),

		checkKeys:  d.bind("SELECT id FROM advox_keys WHERE id " + d.inTexts + d.lockKeys),
		lockRecord: d.bind("SELECT r.rid FROM advox_records r WHERE r.id = ? AND " + visible + d.lockRecord),
		getByRid:   d.bind(sel + "WHERE r.rid = ?"),
		updateRecord: d.bind("UPDATE advox_records SET status = ?, error_code = ?, updated_at = ?, parts = ?, " +
			"body_key = ?, body = ?, body_until = ? WHERE rid = ?"),
		// A purge chunk deletes the next unbilled records past their
		// deadline; then the billed ones no open invoice holds. Each
		// steps through its index in (deadline, rid) order after a cursor:
		// the billed to pass over the held records once, both so that
		// PostgreSQL's scan starts past the index entries of the rows it
		// deleted, which stay until VACUUM.
		purgeUnbilled: d.bind("DELETE FROM advox_records WHERE rid " + d.inQuery("SELECT r.rid FROM advox_records r "+
			"WHERE r.invoice IS NULL AND (r.deadline, r.rid) > (?, ?) AND r.deadline <= ? "+
			"ORDER BY r.deadline, r.rid LIMIT ?") + " RETURNING rid, more_ops, deadline"),
		purgeBilled: d.bind("SELECT r.rid, r.deadline, r.more_ops FROM advox_records r " +
			"WHERE r.invoice IS NOT NULL AND (r.deadline, r.rid) > (?, ?) AND r.deadline <= ? AND NOT " + visible +
			" ORDER BY r.deadline, r.rid LIMIT ?"),
		// An erase chunk deletes the account's next records and returns
		// what the usage of those still visible needs.
		erase: d.bind("DELETE FROM advox_records WHERE rid " + d.inQuery(d.ofAccount("r.rid", "r.created_at >= ?", "r.created_at", "")) + " " +
			"RETURNING rid, more_ops, created_at, segments, status, CASE WHEN " + visibleOf("") + " THEN 1 ELSE 0 END"),
		erasedAdd: d.bind("INSERT INTO advox_erased_usage (account, period, messages, segments, delivered, failed) " +
			"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, period) DO UPDATE SET " +
			"messages = advox_erased_usage.messages + excluded.messages, " +
			"segments = advox_erased_usage.segments + excluded.segments, " +
			"delivered = advox_erased_usage.delivered + excluded.delivered, " +
			"failed = advox_erased_usage.failed + excluded.failed"),
		deleteRecs: d.bind("DELETE FROM advox_records WHERE rid " + d.inIDs),
		deleteOps:  d.bind("DELETE FROM advox_operator_ids WHERE rid " + d.inIDs),
		dropBodies: d.bind("UPDATE advox_records SET body_key = NULL, body = NULL, body_until = NULL " +
			"WHERE body IS NOT NULL AND body_until <= ?"),
		timeBar: d.bind("UPDATE advox_invoices SET state = '" + string(storage.InvoiceTimeBarred) +
			"', final_at = time_bar WHERE state IN " + open + " AND time_bar <= ?"),
		oldest: "SELECT MIN(d) FROM (SELECT MIN(deadline) AS d FROM advox_records WHERE invoice IS NULL " +
			"UNION ALL SELECT MIN(deadline) FROM advox_records WHERE invoice IS NOT NULL) m",

		insertInvoice: d.bind("INSERT INTO advox_invoices (" + invoiceCols + ") VALUES (" + placeholders(8) + ") " +
			"ON CONFLICT (id) DO NOTHING"),
		// Only the account's visible, billable (not failed), unbilled
		// records of the period.
		linkInvoice: d.bind("UPDATE advox_records SET invoice = ? WHERE rid " + d.inQuery(d.ofAccount("r.rid",
			"r.created_at >= ? AND r.created_at < ? AND r.invoice IS NULL AND r.status NOT IN "+inList(finalFailed())+
				" AND "+visible, "", ""))),
		setInvoiceState: d.bind("UPDATE advox_invoices SET state = ?, final_at = ? WHERE id = ? AND state IN " + open),

		listTo:      d.bind("UPDATE advox_records SET listed = 1 WHERE rid > ? AND rid <= ?"),
		listedTo:    "SELECT listed_to FROM advox_listing",
		setListedTo: d.bind("UPDATE advox_listing SET listed_to = ?"),
		maxRid:      "SELECT MAX(rid) FROM advox_records",

		insertKey:   d.bind("INSERT INTO advox_keys (id, account, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"),
		destroyKeys: d.bind("DELETE FROM advox_keys WHERE account = ?"),
	}
}
