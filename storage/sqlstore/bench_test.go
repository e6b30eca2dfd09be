package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// largeBenchEnv opts in to the purge, erase and lookup benchmarks, which
// seed millions of rows: "1" runs them at their stated size, "smoke" at a
// thousandth of it, which CI does to check that they still run, and a
// number N above 1 at an Nth (for repeated rounds on a busy machine).
const largeBenchEnv = "ADVOX_BENCH_LARGE"

// benchBase is the creation time of the first seeded record.
var benchBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// benchRecord is record number i: created one millisecond after the one
// before, on one of accounts accounts, with a time-ordered id (like the
// Client's), one operator id, and a recipient the size the Client seals
// (AES-256-GCM of a number with its nonce and tag, under the account's
// key, see benchKeys) with a 32-byte blind index (an HMAC: random order).
func benchRecord(i, accounts int, deadline time.Time) storage.Record {
	created := benchBase.Add(time.Duration(i) * time.Millisecond)
	id := fmt.Sprintf("%012x%020d", created.UnixMilli(), i)
	account := fmt.Sprintf("acct-%03d", i%accounts)
	h := sha256.Sum256(fmt.Appendf(nil, "+4670%07d", i%10000000))
	return storage.Record{
		ID: id, Account: account, Transport: "smpp:bench",
		From: "Advox", Encoding: transport.GSM7, Segments: 1,
		Recipient:      storage.Sealed{KeyID: "key-" + account, Data: append(h[:], h[:8]...)},
		RecipientIndex: h[:],
		Status:         transport.StatusAccepted,
		Parts:          []storage.Part{{OperatorID: fmt.Sprintf("op%d", i), Status: transport.StatusAccepted, UpdatedAt: created}},
		CreatedAt:      created, UpdatedAt: created, Deadline: deadline,
	}
}

// benchKeys stores the data key of each of accounts accounts that
// benchRecord seals under, wrapped as benchWrapped.
func benchKeys(b *testing.B, s *Store, accounts int) {
	b.Helper()
	for a := range accounts {
		account := fmt.Sprintf("acct-%03d", a)
		_, err := s.EnsureKey(context.Background(), storage.DataKey{
			ID: "key-" + account, Account: account, Wrapped: benchWrapped(account), CreatedAt: benchBase})
		require.NoError(b, err)
	}
}

// benchWrapped is a stand-in wrapped key of the account, 60 bytes as
// the Client's, distinct per account so that a scan can tell them apart.
func benchWrapped(account string) []byte {
	h := sha256.Sum256([]byte("wrapped:" + account))
	g := sha256.Sum256(h[:])
	return append(h[:], g[:28]...)
}

// benchDialects runs f on SQLite, on SQLite with secure_delete off (what
// overwriting deleted data costs, measured in the same run) and on
// PostgreSQL.
func benchDialects(b *testing.B, f func(b *testing.B, open func(b *testing.B) *Store)) {
	b.Run("sqlite", func(b *testing.B) { f(b, func(b *testing.B) *Store { return newSQLite(b, nil) }) })
	b.Run("sqlite-secure_delete_off", func(b *testing.B) {
		f(b, func(b *testing.B) *Store {
			s := newSQLite(b, nil)
			_, err := s.w.db.Exec("PRAGMA secure_delete = 0") // the writer's one connection, both files
			require.NoError(b, err)
			return s
		})
	})
	b.Run("postgres", func(b *testing.B) { f(b, func(b *testing.B) *Store { return newPostgres(b, nil) }) })
}

// secureDelete reports whether s overwrites what it deletes (SQLite).
func secureDelete(b *testing.B, s *Store) bool {
	b.Helper()
	var on int
	require.NoError(b, s.w.db.QueryRow("PRAGMA main.secure_delete").Scan(&on))
	return on != 0
}

// BenchmarkRecord measures acknowledged (durable) records per second, one
// record per call, with 1 and 64 concurrent writers.
func BenchmarkRecord(b *testing.B) {
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		for _, writers := range []int{1, 64} {
			b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
				s := open(b)
				benchKeys(b, s, 100)
				ctx := context.Background()
				deadline := time.Now().AddDate(1, 0, 0)
				var next atomic.Int64
				var wg sync.WaitGroup
				cpu0, w0 := processCPU(), processWrites()
				b.ResetTimer()
				for range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := int(next.Add(1)) - 1
							if i >= b.N {
								return
							}
							if err := s.Record(ctx, benchRecord(i, 100, deadline)); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
				b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
				b.ReportMetric(float64(processWrites()-w0)/float64(b.N), "written-B/op")
			})
		}
	})
}

// processWrites is how many bytes this process has passed to write
// system calls (wchar in /proc/self/io; 0 where there is none): what a
// change costs in I/O, which a loaded machine disturbs far less than
// time. The database server's, for PostgreSQL, is not included.
func processWrites() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// processCPU is the user+system CPU time this process has used (the
// database server's, for PostgreSQL, is not included).
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// seed records n records built by rec in large calls (not timed).
func seed(b *testing.B, s *Store, n int, rec func(i int) storage.Record) {
	b.Helper()
	const per = 5000
	batch := make([]storage.Record, 0, per)
	for i := range n {
		batch = append(batch, rec(i))
		if len(batch) == per || i == n-1 {
			require.NoError(b, s.Record(context.Background(), batch...))
			batch = batch[:0]
		}
	}
}

// settle makes a freshly seeded PostgreSQL table look like one whose rows
// are months old, as expired records are: vacuumed (hint bits and the
// visibility map set) and analyzed. Without it the first scan of each page
// writes it again to set hint bits, a cost the seeding left behind that
// no real purge pays.
func settle(b *testing.B, s *Store) {
	b.Helper()
	if s.d.name != "postgres" {
		return
	}
	for _, t := range []string{"advox_records", "advox_operator_ids"} {
		_, err := s.rdb.Exec("VACUUM ANALYZE " + t)
		require.NoError(b, err)
	}
}

// largeScale skips a large benchmark unless largeBenchEnv asks for it, and
// returns what to divide its sizes by: 1, or 1,000 for a smoke run.
func largeScale(b *testing.B) int {
	switch v := os.Getenv(largeBenchEnv); v {
	case "":
		b.Skipf("seeds millions of rows: set %s=1 to run (=smoke at a thousandth, =N at an Nth)", largeBenchEnv)
	case "smoke":
		return 1000
	default:
		if n, err := strconv.Atoi(v); err == nil && n > 1 {
			return n
		}
	}
	return 1
}

// BenchmarkPurge measures purging 1,000,000 expired records among
// 2,000,000 (the older half, as retention would find them).
func BenchmarkPurge(b *testing.B) {
	scale := largeScale(b)
	total, expired := 2_000_000/scale, 1_000_000/scale
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		var written int64
		defer func() { b.ReportMetric(float64(written)/float64(b.N)/(1<<20), "written-MiB") }()
		for range b.N {
			b.StopTimer()
			s := open(b)
			benchKeys(b, s, 100)
			now := benchBase.AddDate(0, 6, 0)
			seed(b, s, total, func(i int) storage.Record {
				d := now.Add(time.Hour) // kept
				if i < expired {
					d = now.Add(-time.Duration(expired-i) * time.Millisecond)
				}
				return benchRecord(i, 100, d)
			})
			settle(b, s)
			w0 := processWrites()
			b.StartTimer()
			res, err := s.Purge(context.Background(), now)
			b.StopTimer()
			written += processWrites() - w0
			require.NoError(b, err)
			require.Equal(b, expired, res.Deleted)
			require.NoError(b, s.Close())
		}
	})
}

// BenchmarkErase measures erasing one account holding 100,000 records
// among 1,000,000 (every tenth record, interleaved with the others) the
// way the Client does: destroy the account's data key, then delete the
// records. It reports unreadable-ms, the time until the key's deletion
// committed (from then on the records are unreadable), and key-ms, the
// time DestroyKeys took in all (the key's deletion and the scrub of the
// keyring's files). On SQLite it then closes the store and scans its files
// (untimed) for the destroyed key and a sample of the erased records'
// blind indexes: none may be found.
func BenchmarkErase(b *testing.B) {
	scale := largeScale(b)
	total, accounts := 1_000_000/scale, 10
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		var (
			keyTime, unreadable time.Duration
			written             int64
		)
		for range b.N {
			b.StopTimer()
			s := open(b)
			benchKeys(b, s, accounts)
			deadline := time.Now().AddDate(1, 0, 0)
			seed(b, s, total, func(i int) storage.Record { return benchRecord(i, accounts, deadline) })
			settle(b, s)
			ctx := context.Background()
			w0 := processWrites()
			b.StartTimer()
			// DestroyKeys, in its two steps.
			start := time.Now()
			k, err := s.destroyKeys(ctx, "destroy keys", "acct-003")
			unreadable += time.Since(start)
			require.NoError(b, err)
			require.NoError(b, s.scrub(ctx, "destroy keys", keyResidue))
			keyTime += time.Since(start)
			n, err := s.EraseAccount(ctx, "acct-003")
			b.StopTimer()
			written += processWrites() - w0
			require.NoError(b, err)
			require.Equal(b, 1, k)
			require.Equal(b, total/accounts, n)
			if s.d.name != "sqlite" || !secureDelete(b, s) {
				require.NoError(b, s.Close())
				continue
			}
			needles := []needle{{"the destroyed key", benchWrapped("acct-003")}}
			for i := 3; i < total; i += total / 20 {
				needles = append(needles, needle{fmt.Sprint("record ", i, "'s blind index"),
					benchRecord(i, accounts, deadline).RecipientIndex[:8]})
			}
			require.Empty(b, found(closedFiles(b, s), needles), "remnants of the erase")
		}
		b.ReportMetric(float64(unreadable.Microseconds())/1000/float64(b.N), "unreadable-ms")
		b.ReportMetric(float64(keyTime.Microseconds())/1000/float64(b.N), "key-ms")
		b.ReportMetric(float64(written)/float64(b.N)/(1<<20), "written-MiB")
	})
}

// BenchmarkQueryByRecipient measures a lookup by number (Query with
// RecipientIndex) in an account holding 100,000 of 1,000,000 records,
// over its whole retention: the account index holds the first 8 bytes of
// the blind index, so the lookup scans the account's index entries, not
// its rows (see the schema in migrations/0001_init.sql).
func BenchmarkQueryByRecipient(b *testing.B) {
	scale := largeScale(b)
	total, accounts := 1_000_000/scale, 10
	benchDialects(b, func(b *testing.B, open func(b *testing.B) *Store) {
		s := open(b)
		benchKeys(b, s, accounts)
		deadline := time.Now().AddDate(1, 0, 0)
		seed(b, s, total, func(i int) storage.Record { return benchRecord(i, accounts, deadline) })
		want := benchRecord(3, accounts, deadline) // its number recurs every 10,000,000 records: once here
		ctx := context.Background()
		if s.d.name == "postgres" { // what autovacuum would have done
			_, err := s.w.db.ExecContext(ctx, "ANALYZE advox_records")
			require.NoError(b, err)
		}
		b.ResetTimer()
		for range b.N {
			n := 0
			for r, err := range s.Query(ctx, storage.Query{Account: want.Account, RecipientIndex: want.RecipientIndex}) {
				require.NoError(b, err)
				require.Equal(b, want.ID, r.ID)
				n++
			}
			require.Equal(b, 1, n)
		}
	})
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
			s, err := OpenSQLite(path, nil)
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
		s, err := OpenSQLite(path, nil)
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
			s, err := OpenSQLite(copyOf(b, purgeData), nil)
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
			s, err := OpenSQLite(copyOf(b, eraseData), nil)
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

// perRecord reports the time and this process's CPU per deleted record.
func perRecord(b *testing.B, el, cpu time.Duration, n int64) {
	b.ReportMetric(float64(el.Microseconds())/float64(n), "µs/record")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/record")
}

// writeSynced writes data to a new file at path and syncs it.
func writeSynced(b *testing.B, path string, data []byte) {
	b.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	require.NoError(b, err)
	_, err = f.Write(data)
	require.NoError(b, err)
	require.NoError(b, f.Sync())
	require.NoError(b, f.Close())
}
