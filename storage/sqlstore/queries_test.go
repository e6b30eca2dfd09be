package sqlstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
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
		if pg {
			// Plans as they are once there is traffic: PostgreSQL's
			// planner picks indexes by the table's statistics.
			var recs []storage.Record
			for i := range 2000 {
				recs = append(recs, testRecord(idOf("plan", i), fmt.Sprintf("acct-%d", i%20), t0.Add(time.Duration(i)*time.Second), idOf("op", i)))
			}
			require.NoError(t, s.Record(testCtx(t), recs...))
			_, err := s.w.db.Exec("ANALYZE advox_records")
			require.NoError(t, err)
		}
		// SQLite: the record table's key is its rowid, and a WITHOUT
		// ROWID table is its primary key.
		byID, recordKey, opsKey, erasedKey := "sqlite_autoindex_advox_records_1", "INTEGER PRIMARY KEY", "PRIMARY KEY", "PRIMARY KEY"
		if pg {
			byID, recordKey, opsKey, erasedKey = "advox_records_id_key", "advox_records_pkey", "advox_operator_ids_pkey", "advox_erased_usage_pkey"
		}
		// A query by account reads the account index and, on SQLite,
		// the unlisted records: a rowid range (listing.go).
		byAccount := "advox_records_account"
		if !pg {
			byAccount = "(?s)advox_records_account.*INTEGER PRIMARY KEY \\(rowid>\\?\\)"
		}
		of := func(cond []any, limit int, outer bool) []any { return s.d.ofAccountArgs("acct", cond, limit, outer) }
		now := []any{int64(1), int64(1)}
		args := func(a ...any) []any { return a }
		ids := s.d.ids([]int64{1, 2, 3})
		tests := []struct {
			name  string
			query string
			args  []any
			index []string
		}{
			{"Get", s.q.get, args("id", now[0], now[1]), []string{byID}},
			{"UpdateStatus lock", s.q.lockRecord, args("id", now[0], now[1]), []string{byID}},
			{"FindByOperatorID", s.q.byOperatorID, args("smpp", "op", now[0], now[1], "smpp", "op", now[0], now[1]),
				[]string{"advox_records_operator", "advox_operator_ids_operator"}},
			{"Query", s.q.queryFirst, of(args(int64(1), int64(2), now[0], now[1]), 10, true), []string{byAccount}},
			{"Query next page", s.q.queryNext, of(args(int64(1), int64(2), now[0], now[1], int64(1), int64(1), "id"), 10, true),
				[]string{byAccount}},
			{"Query by recipient", s.q.queryIndexFirst, of(args(int64(1), int64(2), now[0], now[1], int64(7), []byte("ix")), 10, true),
				[]string{byAccount}},
			{"Usage", s.q.usage, of(args(int64(1), int64(2), now[0], now[1]), -1, false), []string{byAccount}},
			{"Usage erased", s.q.erasedUsage, args("acct", int64(1), int64(2)), []string{erasedKey}},
			{"Purge unbilled", s.q.purgeUnbilled, args(int64(0), int64(0), int64(1), 10), []string{"advox_records_deadline", recordKey}},
			{"Purge billed", s.q.purgeBilled, args(int64(0), int64(0), int64(1), now[0], now[1], 10), []string{"advox_records_billed"}},
			{"Purge oldest", s.q.oldest, nil, []string{"advox_records_deadline", "advox_records_billed"}},
			{"Purge bodies", s.q.dropBodies, args(int64(1)), []string{"advox_records_body"}},
			{"Erase", s.q.erase, append(of(args(int64(0)), 10, false), now...), []string{byAccount, recordKey}},
			{"Delete records", s.q.deleteRecs, args(ids), []string{recordKey}},
			{"Delete operator ids", s.q.deleteOps, args(ids), []string{opsKey}},
			{"CreateInvoice link", s.q.linkInvoice, append(args("inv"), of(args(int64(1), int64(2), now[0], now[1]), -1, false)...),
				[]string{byAccount}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				plan := explain(t, s.rdb, pg, tt.query, tt.args)
				for _, ix := range tt.index {
					assert.Regexp(t, ix, plan)
				}
				assert.NotRegexp(t, tableScan(pg), plan)
			})
		}
	})
}
