package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	msqlite "modernc.org/sqlite"

	"github.com/azenna/advox/storage/sqlstore/internal/pgpool"
)

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
