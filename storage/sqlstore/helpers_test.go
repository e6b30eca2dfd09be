package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	msqlite "modernc.org/sqlite"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/sqlstore/internal/pgpool"
	"github.com/azenna/advox/transport"
)

// t0 is a fixed instant on a whole microsecond.
var t0 = time.Date(2026, 2, 3, 4, 5, 6, 789000000, time.UTC)

// testRecord is a record of account with one accepted part per operator
// id, created at created and kept for a year after t0. Its recipient is
// stand-in ciphertext under no key.
func testRecord(id, account string, created time.Time, opIDs ...string) storage.Record {
	r := storage.Record{
		ID: id, Account: account, Transport: "test", From: "Advox",
		Recipient: storage.Sealed{Data: []byte("sealed:" + id)}, RecipientIndex: []byte("index:" + account),
		Encoding: transport.GSM7, Segments: len(opIDs),
		CreatedAt: created, UpdatedAt: created, Deadline: t0.AddDate(1, 0, 0),
	}
	for _, op := range opIDs {
		r.Parts = append(r.Parts, storage.Part{OperatorID: op, Status: transport.StatusAccepted, UpdatedAt: created})
	}
	r.Status = storage.OverallOf(r.Parts)
	return r
}

// sealedRecord stores a data key for account in s (id keyID, wrapped key
// wrapped, created at t0) and returns it with a test record of the
// account, id msg, sealed under it and not yet recorded.
func sealedRecord(t testing.TB, ctx context.Context, s *Store, keyID, account, wrapped, msg string) (storage.DataKey, storage.Record) {
	t.Helper()
	key, err := s.EnsureKey(ctx, storage.DataKey{ID: keyID, Account: account, Wrapped: []byte(wrapped), CreatedAt: t0})
	require.NoError(t, err)
	r := testRecord(msg, account, t0, "op-"+msg)
	r.Recipient.KeyID = key.ID
	return key, r
}

// clockAt is a store clock fixed at t.
func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func idOf(prefix string, i int) string { return fmt.Sprintf("%s-%05d", prefix, i) }

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		crashChild() // never returns
	}
	goleak.VerifyTestMain(m)
}

// pgDSNEnv names the PostgreSQL server the PostgreSQL tests use.
const pgDSNEnv = "ADVOX_POSTGRES_DSN"

// openSQLiteFile is sqlite.Open: the same opener with the same driver.
func openSQLiteFile(path string, opts *Options) (*Store, error) {
	return openSQLite(context.Background(), &msqlite.Driver{}, path, opts)
}

// openPostgresDSN is postgres.Open: the same opener with the same driver.
func openPostgresDSN(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	return openPostgres(ctx, pgpool.Connect, dsn, nil, opts)
}

// openPostgresPool is postgres.OpenPool: the same opener with the same
// driver.
func openPostgresPool(ctx context.Context, pool *pgxpool.Pool, opts *Options) (*Store, error) {
	return openPostgres(ctx, pgpool.Connect, "", stdlib.OpenDBFromPool(pool), opts)
}

// newSQLite opens a store on a fresh file in a temporary directory and
// closes it when the test ends.
func newSQLite(t testing.TB, opts *Options) *Store {
	t.Helper()
	s, err := openSQLiteFile(filepath.Join(t.TempDir(), "traffic.db"), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// pgSchema creates a fresh schema for one test on the server named by
// ADVOX_POSTGRES_DSN, drops it when the test ends, and returns a pool
// configuration whose connections use it. The test is skipped when the
// variable is unset.
func pgSchema(t testing.TB) *pgxpool.Config {
	t.Helper()
	dsn := os.Getenv(pgDSNEnv)
	if dsn == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", pgDSNEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "advox_test_" + hex.EncodeToString(b[:])

	admin, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err, "creating a schema on %s", pgDSNEnv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
		require.NoError(t, err)
	})

	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	return cfg
}

// pgPool opens a pool on cfg and closes it when the test ends (before the
// schema is dropped).
func pgPool(t testing.TB, cfg *pgxpool.Config) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg.Copy())
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// newPostgres opens a store on a fresh schema (see pgSchema).
func newPostgres(t testing.TB, opts *Options) *Store {
	t.Helper()
	s, err := openPostgresPool(context.Background(), pgPool(t, pgSchema(t)), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// dialects runs f once per dialect, with a constructor of fresh stores.
func dialects(t *testing.T, f func(t *testing.T, open func(t *testing.T, opts *Options) *Store)) {
	t.Run("sqlite", func(t *testing.T) {
		f(t, func(t *testing.T, o *Options) *Store { return newSQLite(t, o) })
	})
	t.Run("postgres", func(t *testing.T) {
		f(t, func(t *testing.T, o *Options) *Store { return newPostgres(t, o) })
	})
	// The keyring in a database of its own (pgkeys.go).
	t.Run("postgres-keys-apart", func(t *testing.T) {
		f(t, func(t *testing.T, o *Options) *Store { return newPostgres(t, withKeysDSN(o, pgKeysDSN(t))) })
	})
}

// pgKeysDSN returns a connection string for a fresh schema (see pgSchema)
// that plays the separate keys database.
func pgKeysDSN(t testing.TB) string {
	t.Helper()
	schema := pgSchema(t).ConnConfig.RuntimeParams["search_path"]
	dsn := os.Getenv(pgDSNEnv)
	switch {
	case !strings.Contains(dsn, "://"):
		return dsn + " search_path=" + schema
	case strings.Contains(dsn, "?"):
		return dsn + "&search_path=" + schema
	default:
		return dsn + "?search_path=" + schema
	}
}

// withKeysDSN returns a copy of o (which may be nil) with KeysDSN set.
func withKeysDSN(o *Options, dsn string) *Options {
	var c Options
	if o != nil {
		c = *o
	}
	c.KeysDSN = dsn
	return &c
}

// testCustomer is an account with one user per id, each allowed one
// network.
func testCustomer(account string, users ...string) storage.Customer {
	c := storage.Customer{Account: account, Organisation: "Exempel AB", CreatedAt: t0, UpdatedAt: t0}
	for _, u := range users {
		c.Users = append(c.Users, storage.User{
			ID: u, PasswordHash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
			Allowed: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")},
		})
	}
	return c
}

// poison makes the database refuse records with the id "poison", the way
// a failing disk or a broken constraint would.
func poison(t *testing.T, s *Store) {
	t.Helper()
	var ddl string
	if s.d.name == "sqlite" {
		ddl = `CREATE TRIGGER poison BEFORE INSERT ON advox_records WHEN NEW.id = 'poison'
			BEGIN SELECT RAISE(ABORT, 'poisoned'); END`
	} else {
		ddl = `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.id = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$;
			CREATE TRIGGER poison BEFORE INSERT ON advox_records FOR EACH ROW EXECUTE FUNCTION poison()`
	}
	_, err := s.w.db.Exec(ddl)
	require.NoError(t, err)
}

// twoStores opens two stores on one fresh database of the dialect the
// test runs under (the last element of its name, see dialects).
func twoStores(t *testing.T) (*Store, *Store) {
	t.Helper()
	var open func() (*Store, error)
	if strings.HasSuffix(t.Name(), "/sqlite") {
		path := filepath.Join(t.TempDir(), "shared.db")
		open = func() (*Store, error) { return openSQLiteFile(path, nil) }
	} else {
		cfg := pgSchema(t)
		var opts *Options
		if strings.HasSuffix(t.Name(), "/postgres-keys-apart") {
			opts = &Options{KeysDSN: pgKeysDSN(t)}
		}
		open = func() (*Store, error) { return openPostgresPool(context.Background(), pgPool(t, cfg), opts) }
	}
	var stores [2]*Store
	for i := range stores {
		s, err := open()
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s
	}
	return stores[0], stores[1]
}

func assertNoOrphans(t *testing.T, s *Store) {
	t.Helper()
	var orphans int
	require.NoError(t, s.rdb.QueryRow("SELECT COUNT(*) FROM advox_operator_ids o "+
		"WHERE NOT EXISTS (SELECT 1 FROM advox_records r WHERE r.rid = o.rid)").Scan(&orphans))
	assert.Zero(t, orphans, "operator ids of deleted records")
}

func collectIDs(t *testing.T, s *Store, q storage.Query) []string {
	t.Helper()
	var ids []string
	for r, err := range s.Query(context.Background(), q) {
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	return ids
}

// sqliteRemnants closes a SQLite store and returns the bytes of its files.
func sqliteRemnants(t *testing.T, s storage.TrafficStore) [][]byte {
	var files [][]byte
	for _, b := range closedFiles(t, s.(*Store)) {
		files = append(files, b)
	}
	return files
}

// setListEvery makes s list its records once every n are waiting. It
// runs in the writer goroutine, which owns the count.
func setListEvery(t *testing.T, s *Store, n int) {
	t.Helper()
	require.NoError(t, s.run(testCtx(t), "test", func(context.Context, *wtx) (error, error) {
		s.listing.every = n
		return nil, nil
	}))
}

// storeFiles reads every file the store at path owns that exists now.
func storeFiles(t testing.TB, path string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, base := range []string{path, path + keysSuffix} {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(base + suffix)
			if os.IsNotExist(err) {
				continue
			}
			require.NoError(t, err)
			files[filepath.Base(base+suffix)] = b
		}
	}
	require.NotEmpty(t, files)
	return files
}

// closedFiles closes s, a store on SQLite with the default keys path, and
// reads every file it owned.
func closedFiles(t testing.TB, s *Store) map[string][]byte {
	t.Helper()
	var path string
	require.NoError(t, s.rdb.QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path))
	require.NoError(t, s.Close())
	return storeFiles(t, path)
}

// tableScan matches a plan line that reads a whole table: PostgreSQL's
// Seq Scan, SQLite's SCAN of a table (SQLite's SCAN of a co-routine, the
// derived table of a page query, reads rows already limited; explain
// drops those lines).
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
	coroutines := map[string]bool{}
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		if name, ok := strings.CutPrefix(detail, "CO-ROUTINE "); ok {
			coroutines[name] = true
		}
		if name, ok := strings.CutPrefix(detail, "SCAN "); ok && (coroutines[name] || name == "advox_listing") {
			continue // rows a subquery already limited, or the one-row listing table
		}
		if strings.HasPrefix(detail, "SCAN json_each VIRTUAL TABLE") {
			continue // the argument list of inIDs, not a table
		}
		lines = append(lines, detail)
	}
	require.NoError(t, rows.Err())
	return strings.Join(lines, "\n")
}

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
