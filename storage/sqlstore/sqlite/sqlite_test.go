package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	msqlite "modernc.org/sqlite"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/sqlstore/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestOpen: Open creates the traffic file and its keys file beside it,
// honours its context, and database failures keep the driver's error
// reachable. (Package sqlstore's tests run everything else on SQLite
// through the same opener.)
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "traffic.db")

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := sqlite.Open(canceled, path, nil)
	assert.ErrorIs(t, err, context.Canceled)

	s, err := sqlite.Open(context.Background(), path, nil)
	require.NoError(t, err)
	assert.True(t, s.KeysApart())
	assert.FileExists(t, path+".keys")
	_, err = s.Get(context.Background(), "none")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	require.NoError(t, s.Close())

	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.db"), []byte("not a database, but long enough to be read as one"), 0o600))
	_, err = sqlite.Open(context.Background(), filepath.Join(dir, "junk.db"), nil)
	assert.ErrorIs(t, err, storage.ErrUnavailable)
	var se *msqlite.Error
	assert.True(t, errors.As(err, &se), "the driver's error stays reachable: %v", err)
}

// Open a SQLite file beside the application; the keys go to a file
// beside it (traffic.db.keys).
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "advox-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	s, err := sqlite.Open(ctx, filepath.Join(dir, "traffic.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	_, err = s.Get(ctx, "msg-1")
	fmt.Println("keys apart:", s.KeysApart(), "- msg-1 found:", !errors.Is(err, storage.ErrNotFound))
	// Output:
	// keys apart: true - msg-1 found: false
}
