package sqlstore

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
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

// errPoison is what the test writer's exec fails a batch with when the
// batch holds the poisoned op.
var errPoison = errors.New("poisoned batch")

// testWriter runs a writer on a scratch SQLite database whose exec, for
// each batch, records the batch's size, waits for gate (if any) and fails
// batches that hold an op recording the id "poison".
type testWriter struct {
	w     *writer
	gate  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	sizes []int
}

func newTestWriter(t *testing.T, queue int, gate chan struct{}, retryable func(error) bool) *testWriter {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "w.db"))
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	tw := &testWriter{gate: gate}
	tw.w = &writer{
		db:        db,
		queue:     make(chan *op, queue),
		maxBatch:  DefaultMaxBatch,
		retryable: retryable,
		stopped:   make(chan struct{}),
		exec: func(ctx context.Context, tx *wtx, batch []*op) error {
			tw.mu.Lock()
			tw.sizes = append(tw.sizes, len(batch))
			tw.mu.Unlock()
			if tw.gate != nil {
				<-tw.gate
			}
			for _, o := range batch {
				o.err = nil
				if len(o.recs) > 0 && o.recs[0].ID == "poison" {
					return errPoison
				}
			}
			return nil
		},
	}
	go tw.w.run()
	t.Cleanup(func() {
		tw.stop()
		db.Close()
	})
	return tw
}

// stop closes the queue (once) and waits for the writer to end.
func (tw *testWriter) stop() {
	tw.once.Do(func() { close(tw.w.queue) })
	<-tw.w.stopped
}

func (tw *testWriter) store() *Store { return &Store{w: tw.w} }

func (tw *testWriter) batchSizes() []int {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return append([]int(nil), tw.sizes...)
}

func recordOp(id string) *op {
	return &op{kind: opRecord, recs: []storage.Record{{ID: id}}}
}

// TestWriterGroupsQueuedWrites: writes that queue up while a batch
// commits go together into the next transaction.
func TestWriterGroupsQueuedWrites(t *testing.T) {
	tw := newTestWriter(t, 100, make(chan struct{}), func(error) bool { return false })
	s := tw.store()
	ctx := testCtx(t)

	first := make(chan error, 1)
	go func() { first <- s.do(ctx, "record", recordOp("first")) }()
	require.Eventually(t, func() bool { return len(tw.batchSizes()) == 1 }, 5*time.Second, time.Millisecond)

	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, s.do(ctx, "record", recordOp(idOf("r", i))))
		}()
	}
	require.Eventually(t, func() bool { return len(tw.w.queue) == n }, 5*time.Second, time.Millisecond)
	close(tw.gate)
	require.NoError(t, <-first)
	wg.Wait()
	assert.Equal(t, []int{1, n}, tw.batchSizes(), "the queued writes share one transaction")
}

// TestWriterIsolatesFailures: a batch that fails is rerun op by op, so
// only the op that causes the failure sees it.
func TestWriterIsolatesFailures(t *testing.T) {
	tw := newTestWriter(t, 100, make(chan struct{}), func(error) bool { return false })
	s := tw.store()
	ctx := testCtx(t)

	go func() { _ = s.do(ctx, "record", recordOp("first")) }()
	require.Eventually(t, func() bool { return len(tw.batchSizes()) == 1 }, 5*time.Second, time.Millisecond)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i, id := range []string{"a", "poison", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.do(ctx, "record", recordOp(id))
		}()
		require.Eventually(t, func() bool { return len(tw.w.queue) == i+1 }, 5*time.Second, time.Millisecond)
	}
	close(tw.gate)
	wg.Wait()
	assert.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], errPoison)
	assert.ErrorIs(t, errs[1], storage.ErrUnavailable, "database failures map to ErrUnavailable")
	assert.NoError(t, errs[2])
	assert.Equal(t, []int{1, 3, 1, 1, 1}, tw.batchSizes(), "the failed batch reran op by op")
}

// TestWriterRetriesTransientConflicts: a batch failing with a retryable
// error (a deadlock) runs again as a whole.
func TestWriterRetriesTransientConflicts(t *testing.T) {
	tries := 0
	tw := newTestWriter(t, 10, nil, func(err error) bool {
		tries++
		return errors.Is(err, errPoison) && tries < 3
	})
	err := tw.store().do(testCtx(t), "record", recordOp("poison"))
	assert.ErrorIs(t, err, errPoison, "still failing after the retries")
	assert.Equal(t, []int{1, 1, 1}, tw.batchSizes(), "ran three times")
}

// TestWriterBackPressure: when the queue is full, callers block until
// there is room or their context ends.
func TestWriterBackPressure(t *testing.T) {
	tw := newTestWriter(t, 1, make(chan struct{}), func(error) bool { return false })
	s := tw.store()
	ctx := testCtx(t)

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); assert.NoError(t, s.do(ctx, "record", recordOp("in-batch"))) }()
	require.Eventually(t, func() bool { return len(tw.batchSizes()) == 1 }, 5*time.Second, time.Millisecond)
	go func() { defer wg.Done(); assert.NoError(t, s.do(ctx, "record", recordOp("queued"))) }()
	require.Eventually(t, func() bool { return len(tw.w.queue) == 1 }, 5*time.Second, time.Millisecond)

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	err := s.do(short, "record", recordOp("blocked"))
	assert.ErrorIs(t, err, context.DeadlineExceeded, "a full queue blocks the caller")

	close(tw.gate)
	wg.Wait()
}

// TestWriterSkipsAbandonedWrites: a write whose caller gave up before the
// writer took it is never executed.
func TestWriterSkipsAbandonedWrites(t *testing.T) {
	tw := newTestWriter(t, 10, make(chan struct{}), func(error) bool { return false })
	s := tw.store()
	ctx := testCtx(t)

	go func() { _ = s.do(ctx, "record", recordOp("first")) }()
	require.Eventually(t, func() bool { return len(tw.batchSizes()) == 1 }, 5*time.Second, time.Millisecond)
	gone, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.do(gone, "record", recordOp("abandoned")) }()
	require.Eventually(t, func() bool { return len(tw.w.queue) == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	close(tw.gate)
	require.NoError(t, s.do(ctx, "record", recordOp("after")))
	assert.Equal(t, []int{1, 1}, tw.batchSizes(), "the abandoned write never ran")
}

// TestWriterDefersDuplicateIDs: two calls recording one id never share a
// batch, so the second sees the first's record and fails cleanly.
func TestWriterDefersDuplicateIDs(t *testing.T) {
	s := newSQLite(t, nil)
	ctx := testCtx(t)
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Record(ctx, testRecord("same", "acct", t0, "op"))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			assert.ErrorIs(t, err, storage.ErrExists)
		}
	}
	assert.Equal(t, 1, ok, "exactly one call records the id")
}

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
