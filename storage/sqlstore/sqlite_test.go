package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/azenna/advox/storage"
)

// TestDriverErrorCodes: the store reads the drivers' errors without
// importing them (so the import of a dialect package decides what is
// linked); the codes it compares must be the drivers' own.
func TestDriverErrorCodes(t *testing.T) {
	assert.Equal(t, sqlite3.SQLITE_BUSY, sqliteBusyCode)
	assert.Equal(t, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqliteConstraintForeignKey)
	assert.Equal(t, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqliteConstraintPrimaryKey)
	assert.Equal(t, sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqliteConstraintUnique)

	wrapped := func(e error) error { return fmt.Errorf("context: %w", e) }
	assert.True(t, uniqueViolation(wrapped(&pgconn.PgError{Code: "23505"})))
	assert.True(t, foreignKeyViolation(wrapped(&pgconn.PgError{Code: "23503"})))
	assert.True(t, pgRetryable(wrapped(&pgconn.PgError{Code: "40P01"})))
	assert.False(t, pgRetryable(wrapped(&pgconn.PgError{Code: "23505"})))
	assert.False(t, uniqueViolation(errors.New("plain")))
	assert.False(t, sqliteBusy(errors.New("plain")))
}

// BenchmarkSQLiteCeiling is what SQLite itself (modernc.org/sqlite, WAL,
// synchronous=FULL) costs for BenchmarkRecord's rows, with none of the
// store around it: one goroutine inserts the same rows into the store's
// schema with the store's multi-row INSERT, batch rows per transaction,
// left unlisted as the store leaves them (no account index entry, no key
// check). batch=64 is the most that 64 writers waiting for their commit
// can have in flight, so no store on this schema records faster than
// batch=64 with 64 writers on this machine.
func BenchmarkSQLiteCeiling(b *testing.B) {
	for _, batch := range []int{16, 64, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "ceiling.db")
			s, err := openSQLiteFile(path, nil)
			require.NoError(b, err)
			require.NoError(b, s.Close())
			db, err := sql.Open("sqlite", "file:"+path+
				"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(10000)")
			require.NoError(b, err)
			defer db.Close()
			db.SetMaxOpenConns(1)
			ctx := context.Background()
			insert, err := db.PrepareContext(ctx, sqliteRecordInserts[batch])
			require.NoError(b, err)
			defer insert.Close()
			deadline := time.Now().AddDate(1, 0, 0)
			args := make([]any, 0, batch*recordInsertWidth)
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				args = args[:0]
				for j := range batch {
					r := benchRecord(i+j, 100, deadline)
					row := toRow(&r, 0)
					args = row.appendArgs(args)
				}
				tx, err := db.BeginTx(ctx, nil)
				require.NoError(b, err)
				rows, err := tx.StmtContext(ctx, insert).QueryContext(ctx, args...)
				require.NoError(b, err)
				for rows.Next() { // RETURNING rid, id, as the store reads it
				}
				require.NoError(b, rows.Close())
				require.NoError(b, tx.Commit())
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkSQLiteDeleteCeiling compares the store's Purge and EraseAccount
// with what SQLite itself takes to delete the same rows in one plain
// DELETE, on copies of one seeded file (400,000 records; half expired, in
// BenchmarkPurge's layout, and one account in ten, as BenchmarkErase's).
// "raw-bare" deletes with every index dropped but the one it searches and
// the message id's: the least any layout with lookups by id could cost.
// Each reports µs per deleted record.
func BenchmarkSQLiteDeleteCeiling(b *testing.B) {
	scale := largeScale(b)
	total, expired, accounts := 400_000/scale, 200_000/scale, 10
	dir := b.TempDir()
	// A seeded store is its traffic file and its keys file (KeysPath's
	// default, beside it).
	type files struct{ traffic, keys []byte }
	seedFile := func(name string, rec func(i int) storage.Record) files {
		path := filepath.Join(dir, name)
		s, err := openSQLiteFile(path, nil)
		require.NoError(b, err)
		benchKeys(b, s, accounts)
		seed(b, s, total, rec)
		require.NoError(b, s.Close())
		var f files
		f.traffic, err = os.ReadFile(path)
		require.NoError(b, err)
		f.keys, err = os.ReadFile(path + keysSuffix)
		require.NoError(b, err)
		return f
	}
	now := benchBase.AddDate(0, 6, 0)
	purgeData := seedFile("purge.db", func(i int) storage.Record {
		d := now.Add(time.Hour)
		if i < expired {
			d = now.Add(-time.Duration(expired-i) * time.Millisecond)
		}
		return benchRecord(i, accounts, d)
	})
	later := time.Now().AddDate(1, 0, 0)
	eraseData := seedFile("erase.db", func(i int) storage.Record { return benchRecord(i, accounts, later) })

	// copyOf writes the files to a new directory and syncs them, so that
	// the timed deletes do not also wait for the copy's writeback (on
	// ext4, the first fsync of the WAL would).
	copyOf := func(b *testing.B, f files) string {
		path := filepath.Join(b.TempDir(), "copy.db")
		writeSynced(b, path, f.traffic)
		writeSynced(b, path+keysSuffix, f.keys)
		return path
	}
	raw := func(b *testing.B, data files, keep, del string, arg any) {
		for range b.N {
			b.StopTimer()
			db, err := sql.Open("sqlite", "file:"+copyOf(b, data)+
				"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(10000)")
			require.NoError(b, err)
			db.SetMaxOpenConns(1)
			if keep != "" {
				rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name <> ?", keep)
				require.NoError(b, err)
				var drop []string
				for rows.Next() {
					var n string
					require.NoError(b, rows.Scan(&n))
					drop = append(drop, n)
				}
				require.NoError(b, rows.Err())
				for _, n := range drop {
					_, err := db.Exec("DROP INDEX " + n)
					require.NoError(b, err)
				}
			}
			b.StartTimer()
			start, cpu0 := time.Now(), processCPU()
			r, err := db.Exec(del, arg)
			require.NoError(b, err)
			el, cpu := time.Since(start), processCPU()-cpu0
			b.StopTimer()
			n, err := r.RowsAffected()
			require.NoError(b, err)
			perRecord(b, el, cpu, n)
			require.NoError(b, db.Close())
		}
	}
	purgeRaw := "DELETE FROM advox_records WHERE invoice IS NULL AND deadline <= ?"
	eraseRaw := "DELETE FROM advox_records WHERE account = ?"
	b.Run("purge/store", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			s, err := openSQLiteFile(copyOf(b, purgeData), nil)
			require.NoError(b, err)
			b.StartTimer()
			start, cpu0 := time.Now(), processCPU()
			res, err := s.Purge(context.Background(), now)
			el, cpu := time.Since(start), processCPU()-cpu0
			b.StopTimer()
			require.NoError(b, err)
			require.Equal(b, expired, res.Deleted)
			perRecord(b, el, cpu, int64(res.Deleted))
			require.NoError(b, s.Close())
		}
	})
	b.Run("purge/raw", func(b *testing.B) { raw(b, purgeData, "", purgeRaw, encodeTime(now)) })
	b.Run("purge/raw-bare", func(b *testing.B) { raw(b, purgeData, "advox_records_deadline", purgeRaw, encodeTime(now)) })
	b.Run("erase/store", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			s, err := openSQLiteFile(copyOf(b, eraseData), nil)
			require.NoError(b, err)
			b.StartTimer()
			start, cpu0 := time.Now(), processCPU()
			n, err := s.EraseAccount(context.Background(), "acct-003")
			el, cpu := time.Since(start), processCPU()-cpu0
			b.StopTimer()
			require.NoError(b, err)
			require.Equal(b, total/accounts, n)
			perRecord(b, el, cpu, int64(n))
			require.NoError(b, s.Close())
		}
	})
	b.Run("erase/raw", func(b *testing.B) { raw(b, eraseData, "", eraseRaw, "acct-003") })
	b.Run("erase/raw-bare", func(b *testing.B) { raw(b, eraseData, "advox_records_account", eraseRaw, "acct-003") })
}

// recordColumnsDDL are advox_records' columns after rid (migrations/0001_init.sql, SQLite).
const recordColumnsDDL = `id TEXT NOT NULL, account TEXT NOT NULL, transport TEXT NOT NULL,
	route TEXT NOT NULL, sender TEXT NOT NULL, recipient_key TEXT NOT NULL, recipient BLOB NOT NULL,
	recipient_index BLOB NOT NULL, recipient_tag BIGINT NOT NULL, listed SMALLINT NOT NULL, body_key TEXT,
	body BLOB, body_until BIGINT, encoding TEXT NOT NULL, segments INTEGER NOT NULL, status TEXT NOT NULL,
	error_code TEXT NOT NULL, op0 TEXT NOT NULL, more_ops INTEGER NOT NULL, parts BLOB NOT NULL,
	created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deadline BIGINT NOT NULL, invoice TEXT`

// sqliteLayout is one physical layout of the records table with the
// indexes the store's lookups need: by message id, by operator id, by
// account and time, by deadline.
type sqliteLayout struct {
	name   string
	schema []string // nil: the store's own (openSQLite)
	// rid is the rid of record i of accounts accounts, or -1 to let
	// SQLite assign it in arrival order.
	rid func(i, accounts int) int64
	// erase deletes every record of account a.
	erase func(db *sql.DB, a int) (sql.Result, error)
}

var sqliteLayouts = []sqliteLayout{{
	// The store's layout: rows in arrival order.
	name: "arrival",
	rid:  func(int, int) int64 { return -1 },
	erase: func(db *sql.DB, a int) (sql.Result, error) {
		return db.Exec("DELETE FROM advox_records WHERE account = ?", benchAccount(a))
	},
}, {
	// Rows clustered by account: the rid's high bits are the account's
	// number, so an account's rows are one range of the table.
	name: "account-rowid",
	schema: []string{
		"CREATE TABLE advox_records (rid INTEGER PRIMARY KEY, " + recordColumnsDDL + ")",
		"CREATE UNIQUE INDEX r_id ON advox_records (id)",
		"CREATE INDEX r_account ON advox_records (account, created_at, recipient_tag)",
		"CREATE INDEX r_deadline ON advox_records (deadline, rid) WHERE invoice IS NULL",
		"CREATE INDEX r_billed ON advox_records (deadline, rid) WHERE invoice IS NOT NULL",
		"CREATE INDEX r_op ON advox_records (transport, op0) WHERE op0 <> ''",
		"CREATE INDEX r_body ON advox_records (body_until) WHERE body IS NOT NULL",
	},
	rid: func(i, accounts int) int64 { return int64(i%accounts)<<40 | int64(i) },
	erase: func(db *sql.DB, a int) (sql.Result, error) {
		return db.Exec("DELETE FROM advox_records WHERE rid >= ? AND rid < ?", int64(a)<<40, int64(a+1)<<40)
	},
}, {
	// Rows clustered by account and time, the key being the table
	// (WITHOUT ROWID), which then needs no account index.
	name: "account-key",
	schema: []string{
		"CREATE TABLE advox_records (rid BIGINT NOT NULL, " + recordColumnsDDL +
			", PRIMARY KEY (account, created_at, rid)) WITHOUT ROWID",
		"CREATE UNIQUE INDEX r_id ON advox_records (id)",
		"CREATE INDEX r_deadline ON advox_records (deadline) WHERE invoice IS NULL",
		"CREATE INDEX r_billed ON advox_records (deadline) WHERE invoice IS NOT NULL",
		"CREATE INDEX r_op ON advox_records (transport, op0) WHERE op0 <> ''",
		"CREATE INDEX r_body ON advox_records (body_until) WHERE body IS NOT NULL",
	},
	rid: func(i, _ int) int64 { return int64(i) },
	erase: func(db *sql.DB, a int) (sql.Result, error) {
		return db.Exec("DELETE FROM advox_records WHERE account = ?", benchAccount(a))
	},
}}

// BenchmarkSQLiteLayouts asks whether another physical layout of the
// records table would let SQLite meet the store's targets. For each
// layout, plain SQL on one connection (no store): "record" inserts
// 100,000 records of 100 accounts in 32-row synchronous=FULL
// transactions (what 64 writers give the store) after 100,000 already
// there; "erase" deletes one account of ten from 400,000 records;
// "purge" deletes the older half of 400,000. Every record is in the
// account index here (the store lists in bulk, see listing.go).
func BenchmarkSQLiteLayouts(b *testing.B) {
	scale := largeScale(b)
	total := 400_000 / scale
	for _, l := range sqliteLayouts {
		b.Run(l.name+"/record", func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				db := l.create(b, filepath.Join(b.TempDir(), "l.db"))
				far := time.Now().AddDate(1, 0, 0)
				n := 100_000 / scale
				l.insert(b, db, 0, n, 256, 100, func(int) time.Time { return far })
				b.StartTimer()
				start := time.Now()
				l.insert(b, db, n, n, 32, 100, func(int) time.Time { return far })
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "records/s")
				b.StopTimer()
				require.NoError(b, db.Close())
			}
		})
		b.Run(l.name+"/erase", func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				path := filepath.Join(b.TempDir(), "l.db")
				far := time.Now().AddDate(1, 0, 0)
				l.seed(b, path, total, func(int) time.Time { return far })
				db := l.reopen(b, path)
				b.StartTimer()
				start, cpu0 := time.Now(), processCPU()
				res, err := l.erase(db, 3)
				el, cpu := time.Since(start), processCPU()-cpu0
				b.StopTimer()
				require.NoError(b, err)
				n, err := res.RowsAffected()
				require.NoError(b, err)
				require.Equal(b, int64(total/10), n)
				perRecord(b, el, cpu, n)
				require.NoError(b, db.Close())
			}
		})
		b.Run(l.name+"/purge", func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				path := filepath.Join(b.TempDir(), "l.db")
				now, expired := benchBase.AddDate(0, 6, 0), total/2
				l.seed(b, path, total, func(i int) time.Time {
					if i < expired {
						return now.Add(-time.Duration(expired-i) * time.Millisecond)
					}
					return now.Add(time.Hour)
				})
				db := l.reopen(b, path)
				b.StartTimer()
				start, cpu0 := time.Now(), processCPU()
				res, err := db.Exec("DELETE FROM advox_records WHERE invoice IS NULL AND deadline <= ?", encodeTime(now))
				el, cpu := time.Since(start), processCPU()-cpu0
				b.StopTimer()
				require.NoError(b, err)
				n, err := res.RowsAffected()
				require.NoError(b, err)
				require.Equal(b, int64(expired), n)
				perRecord(b, el, cpu, n)
				require.NoError(b, db.Close())
			}
		})
	}
}

// benchAccount is benchRecord's name of account a.
func benchAccount(a int) string { return benchRecord(a, a+1, time.Time{}).Account }

func openRaw(b *testing.B, path string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+path+
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(10000)")
	require.NoError(b, err)
	db.SetMaxOpenConns(1)
	return db
}

// create makes a new file of the layout's schema.
func (l sqliteLayout) create(b *testing.B, path string) *sql.DB {
	if l.schema == nil {
		s, err := openSQLiteFile(path, nil)
		require.NoError(b, err)
		require.NoError(b, s.Close())
	}
	db := openRaw(b, path)
	for _, q := range l.schema {
		_, err := db.Exec(q)
		require.NoError(b, err)
	}
	return db
}

// seed makes a new file at path holding n records of ten accounts.
func (l sqliteLayout) seed(b *testing.B, path string, n int, deadline func(i int) time.Time) {
	db := l.create(b, path)
	l.insert(b, db, 0, n, 256, 10, deadline)
	require.NoError(b, db.Close())
}

// reopen checkpoints the seeded file and opens it again with a
// cold cache, as a purge or an erase would find it.
func (l sqliteLayout) reopen(b *testing.B, path string) *sql.DB {
	db := openRaw(b, path)
	_, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	require.NoError(b, err)
	require.NoError(b, db.Close())
	return openRaw(b, path)
}

// insert records benchRecord from..from+n-1 over accounts accounts,
// listed, batch rows per transaction. It closes nothing.
func (l sqliteLayout) insert(b *testing.B, db *sql.DB, from, n, batch, accounts int, deadline func(i int) time.Time) {
	b.Helper()
	ctx := context.Background()
	cols, width := recordInsertCols, recordInsertWidth
	if l.rid(0, 1) >= 0 {
		cols, width = "rid, "+cols, width+1
	}
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, s := range stmts {
			s.Close()
		}
	}()
	args := make([]any, 0, batch*width)
	for i := from; i < from+n; i += batch {
		m := min(batch, from+n-i)
		st := stmts[m]
		if st == nil {
			var err error
			st, err = db.PrepareContext(ctx, "INSERT INTO advox_records ("+cols+") VALUES "+valuesList(m, width))
			require.NoError(b, err)
			stmts[m] = st
		}
		args = args[:0]
		for k := i; k < i+m; k++ {
			r := benchRecord(k, accounts, deadline(k))
			row := toRow(&r, 1)
			if rid := l.rid(k, accounts); rid >= 0 {
				args = append(args, rid)
			}
			args = row.appendArgs(args)
		}
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(b, err)
		_, err = tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		require.NoError(b, err)
		require.NoError(b, tx.Commit())
	}
}
