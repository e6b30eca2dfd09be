package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox/keyring"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func setKeys(t *testing.T) {
	t.Helper()
	for _, env := range []string{keyring.EnvKEK, keyring.EnvIndexKey} {
		t.Setenv(env, hex.EncodeToString(randomBytes(t, 32)))
	}
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

// The headline command: no flag, a database in a temporary directory.
func TestRunFresh(t *testing.T) {
	t.Setenv(keyring.EnvKEK, "")
	t.Setenv(keyring.EnvIndexKey, "")
	require.NoError(t, run(context.Background(), ""))
}

// -db names a file that outlives the run: a second run on it must read the
// first run's traffic, not send a message and then fail to record it.
func TestRunTwiceOnOneDBFile(t *testing.T) {
	setKeys(t)
	db := filepath.Join(t.TempDir(), "traffic.db")
	require.NoError(t, run(context.Background(), db))
	require.NoError(t, run(context.Background(), db))
}

// Without keys that outlive the process, -db is refused before anything is
// sent, with a message that says what to set.
func TestRunDBWithoutKeysRefused(t *testing.T) {
	t.Setenv(keyring.EnvKEK, "")
	t.Setenv(keyring.EnvIndexKey, "")
	err := run(context.Background(), filepath.Join(t.TempDir(), "traffic.db"))
	require.ErrorContains(t, err, keyring.EnvKEK)

	t.Setenv(keyring.EnvKEK, "not hex")
	t.Setenv(keyring.EnvIndexKey, hex.EncodeToString(randomBytes(t, 32)))
	require.ErrorContains(t, run(context.Background(), filepath.Join(t.TempDir(), "traffic.db")), keyring.EnvKEK)
}

// A run that fails part way (here: the database cannot be opened) closes
// the transport it started; goleak in TestMain sees any session left.
func TestRunErrorClosesTransport(t *testing.T) {
	setKeys(t)
	err := run(context.Background(), filepath.Join(t.TempDir(), "missing-dir", "traffic.db"))
	require.Error(t, err)
}

// A canceled context (Ctrl-C in main) ends the run with an error and
// closes everything.
func TestRunCanceled(t *testing.T) {
	t.Setenv(keyring.EnvKEK, "")
	t.Setenv(keyring.EnvIndexKey, "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.Error(t, run(ctx, ""))
}
