package sqlstore

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// crashChildEnv, when set to a file path, turns the test binary into the
// crash test's child: it records into that file until killed.
const crashChildEnv = "ADVOX_SQLSTORE_CRASH_CHILD"

// crashChild records from several goroutines as fast as it can and prints
// the id of every acknowledged record, one per line. It never returns:
// the parent kills it (or it gives up after a while).
func crashChild() {
	s, err := openSQLiteFile(os.Getenv(crashChildEnv), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	deadline := time.Now().AddDate(1, 0, 0)
	for w := range 8 {
		go func() {
			for i := 0; ; i++ {
				r := crashRecord(fmt.Sprintf("w%d-%07d", w, i), deadline)
				if err := s.Record(context.Background(), r); err != nil {
					fmt.Fprintln(os.Stderr, "crash child:", err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintln(os.Stdout, r.ID) // unbuffered: the parent sees it at once
				mu.Unlock()
			}
		}()
	}
	time.Sleep(30 * time.Second)
	os.Exit(3)
}

func crashRecord(id string, deadline time.Time) storage.Record {
	now := time.Now()
	return storage.Record{
		ID: id, Account: "acct-crash", Transport: "test", From: "Advox",
		Recipient: storage.Sealed{Data: []byte("sealed:" + id)}, RecipientIndex: []byte("index"),
		Encoding: transport.GSM7, Segments: 2, Status: transport.StatusAccepted,
		Parts: []storage.Part{
			{OperatorID: id + "-a", Status: transport.StatusAccepted, UpdatedAt: now},
			{OperatorID: id + "-b", Status: transport.StatusAccepted, UpdatedAt: now},
		},
		CreatedAt: now, UpdatedAt: now, Deadline: deadline,
	}
}

// TestCrashLosesNoAcknowledgedRecord kills a recording child process with
// SIGKILL mid-run, then checks that the file opens cleanly, passes
// SQLite's integrity check, and holds every record the child saw
// acknowledged.
func TestCrashLosesNoAcknowledgedRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	var acked []string
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		acked = append(acked, lines.Text())
		if len(acked) == 500 {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		}
	}
	// Lines written before the kill are still in the pipe: read them all.
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the child must die by the signal")
	require.False(t, exit.Exited(), "the child exited on its own: %v", err)
	require.GreaterOrEqual(t, len(acked), 500)

	s, err := openSQLiteFile(path, nil)
	require.NoError(t, err, "the file must open cleanly after the crash")
	defer s.Close()
	var check string
	require.NoError(t, s.rdb.QueryRow("PRAGMA integrity_check").Scan(&check))
	assert.Equal(t, "ok", check)
	ctx := context.Background()
	for _, id := range acked {
		r, err := s.Get(ctx, id)
		if assert.NoError(t, err, "acknowledged record %s lost", id) {
			assert.Len(t, r.Parts, 2, "record %s lost parts", id)
		}
	}
}
