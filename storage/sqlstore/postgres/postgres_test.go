package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/sqlstore"
	"github.com/azenna/advox/storage/sqlstore/postgres"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestOpen: Open hides a connection string's password and keeps pgx's
// error reachable; OpenPool opens a store on the caller's pool and leaves
// the pool open on Close. (Package sqlstore's tests run everything else
// on PostgreSQL through the same opener.)
func TestOpen(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := postgres.Open(ctx, "postgres://advox:s3cret-pw@127.0.0.1:5432/db?sslmode=bogus", nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret-pw")
	var pe *pgconn.ParseConfigError
	assert.ErrorAs(t, err, &pe, "pgx's error stays reachable")

	dsn := os.Getenv("ADVOX_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("PostgreSQL tests skipped: set ADVOX_POSTGRES_DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer pool.Close()
	schema := fmt.Sprintf("advox_test_open_%d", time.Now().UnixNano())
	_, err = pool.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	defer func() { _, _ = pool.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") }()
	cfg := pool.Config()
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	own, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer own.Close()

	s, err := postgres.OpenPool(ctx, own, nil)
	require.NoError(t, err)
	assert.False(t, s.KeysApart(), "the keys share the traffic database without KeysDSN")
	_, err = s.Get(ctx, "none")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	require.NoError(t, s.Close())
	assert.NoError(t, own.Ping(ctx), "the caller's pool stays open")
}

// Connect to PostgreSQL, for many application instances sharing one
// database, with the data keys in another. The schema is created (or
// upgraded) on open.
func ExampleOpen() {
	ctx := context.Background()
	s, err := postgres.Open(ctx, "postgres://advox@db.internal:5432/advox", &sqlstore.Options{
		// The data keys in a database of their own, whose backups are kept
		// briefly: an erase then reaches the traffic's backups too.
		KeysDSN: "postgres://advox@keys.internal:5432/advox_keys",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	res, err := s.Purge(ctx, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("purged", res.Deleted)
}
