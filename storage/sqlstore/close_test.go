package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseWaitsWhileAnotherCloses: a Close that finds another Close
// under way returns only once that one has flushed the queue, ended the
// writer and closed the database, so that nothing outlives either call.
func TestCloseWaitsWhileAnotherCloses(t *testing.T) {
	s := newSQLite(t, nil)
	ctx := testCtx(t)
	gate := make(chan struct{})
	started := make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.run(ctx, "hold", func(context.Context, *wtx) (error, error) {
			close(started)
			<-gate
			return nil, nil
		})
	}()
	<-started

	first := make(chan error, 1)
	go func() { first <- s.Close() }()
	require.Eventually(t, func() bool { s.mu.RLock(); defer s.mu.RUnlock(); return s.closed }, 5*time.Second, time.Millisecond)

	second := make(chan error, 1)
	go func() { second <- s.Close() }()
	select {
	case err := <-second:
		t.Fatalf("Close returned (%v) while the writer was still committing", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(gate)
	require.NoError(t, <-held)
	require.NoError(t, <-first)
	require.NoError(t, <-second)
	select {
	case <-s.w.stopped:
	default:
		t.Fatal("the writer outlived Close")
	}
	assert.NoError(t, s.Close(), "Close stays idempotent")
}
