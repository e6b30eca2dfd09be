package advox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
)

// A Close called while another is under way (a signal handler and a
// deferred Close) returns only when the Client is closed: a caller that
// exits on its return must not cut off the recording of a message in
// flight.
func TestConcurrentCloseWaitsForTheFirst(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	tr := submitFunc(func(context.Context, *transport.Message) (transport.Result, error) {
		close(entered)
		<-release
		return transport.Result{OperatorIDs: []string{"op-1"}}, nil
	})
	st := memstore.New(nil)
	c, err := advox.NewClient(tr, st, nil)
	require.NoError(t, err)
	sent := make(chan advox.Receipt, 1)
	go func() {
		rcpt, err := c.Send(context.Background(), msg("in flight at Close"))
		assert.NoError(t, err)
		sent <- rcpt
	}()
	<-entered

	first, second := make(chan error, 1), make(chan error, 1)
	go func() { first <- c.Close() }()
	// A Send with an ended context reaches no transport: it tells only
	// whether the Client still takes work.
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	require.Eventually(t, func() bool {
		_, err := c.Send(ended, msg("after"))
		return advox.CodeOf(err) == advox.CodeClosed
	}, 5*time.Second, time.Millisecond, "the first Close has begun")
	go func() { second <- c.Close() }()
	var secondErr error
	returned := false
	select {
	case secondErr = <-second:
		returned = true
		t.Error("the second Close returned while the first was still waiting for a send")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	rcpt := <-sent
	assert.NoError(t, <-first)
	if !returned {
		secondErr = <-second
	}
	assert.NoError(t, secondErr)
	_, err = st.Get(context.Background(), rcpt.ID)
	assert.ErrorIs(t, err, storage.ErrClosed, "the store is closed once Close returns")
}
