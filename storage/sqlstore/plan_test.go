package sqlstore

import (
	"database/sql"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHotPathsUseIndexes asks each database for its plan of every hot
// query and checks that the plan reaches the rows through the index meant
// for it, never by scanning a table, so each costs in proportion to its
// result. (PostgreSQL plans with sequential scans discouraged: on the
// tiny tables of a test the planner would rightly prefer them.)
func TestHotPathsUseIndexes(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		pg := s.d.name == "postgres"
		byID := "sqlite_autoindex_advox_records_1"
		if pg {
			byID = "advox_records_id_key"
		}
		usageArgs := []any{"delivered"}
		for _, st := range finalFailed() {
			usageArgs = append(usageArgs, string(st))
		}
		usageArgs = append(usageArgs, "acct", int64(1), int64(2), int64(3))
		tests := []struct {
			name  string
			query string
			args  []any
			index []string
		}{
			{"Get", s.q.get, []any{"id", int64(1)}, []string{byID}},
			{"UpdateStatus lock", s.q.lockRecord, []any{"id", int64(1)}, []string{byID}},
			{"FindByOperatorID", s.q.byOperatorID, []any{"smpp", "op", int64(1)}, []string{"advox_record_parts_operator"}},
			{"Query", s.q.queryFirst, []any{"acct", int64(1), int64(2), int64(3), 10}, []string{"advox_records_account_created"}},
			{"Query next page", s.q.queryNext, []any{"acct", int64(1), int64(2), int64(3), int64(1), "id", 10}, []string{"advox_records_account_created"}},
			{"Usage", s.q.usage, usageArgs, []string{"advox_records_account_created"}},
			{"Purge", s.q.purgeChunk, []any{int64(1), 10}, []string{"advox_records_deadline"}},
			{"EraseAccount", s.q.erase, []any{"acct"}, []string{"advox_records_account_created"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				plan := explain(t, s.rdb, pg, tt.query, tt.args)
				for _, ix := range tt.index {
					assert.Contains(t, plan, ix)
				}
				assert.NotRegexp(t, tableScan(pg), plan)
			})
		}
	})
}

// tableScan matches a plan line that reads a whole table: PostgreSQL's
// Seq Scan, SQLite's SCAN of a table (SQLite's "SCAN r" over the derived
// table of a page query is a scan of the already-limited rows, and comes
// after a CO-ROUTINE line; explain drops it).
func tableScan(pg bool) *regexp.Regexp {
	if pg {
		return regexp.MustCompile(`Seq Scan`)
	}
	return regexp.MustCompile(`(?m)^SCAN `)
}

func explain(t *testing.T, db *sql.DB, pg bool, q string, args []any) string {
	t.Helper()
	tx, err := db.Begin()
	require.NoError(t, err)
	defer tx.Rollback()
	if pg {
		_, err := tx.Exec("SET LOCAL enable_seqscan = off")
		require.NoError(t, err)
		rows, err := tx.Query("EXPLAIN "+q, args...)
		require.NoError(t, err)
		var lines []string
		for rows.Next() {
			var l string
			require.NoError(t, rows.Scan(&l))
			lines = append(lines, l)
		}
		require.NoError(t, rows.Err())
		return strings.Join(lines, "\n")
	}
	rows, err := tx.Query("EXPLAIN QUERY PLAN "+q, args...)
	require.NoError(t, err)
	var lines []string
	coroutine := false
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		if strings.HasPrefix(detail, "CO-ROUTINE r") {
			coroutine = true
		}
		if coroutine && detail == "SCAN r" {
			continue
		}
		lines = append(lines, detail)
	}
	require.NoError(t, rows.Err())
	return strings.Join(lines, "\n")
}
