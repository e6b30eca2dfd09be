package smpptransport

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
)

// A Client's Close during an SMSC outage does not wait for the outage to
// end: a Send waiting for the rebind (OutageWait, no deadline of its own)
// is cancelled after the Client's CloseGrace and ends as not sent.
func TestClientCloseDuringOutage(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.Backoff = func(int) time.Duration { return time.Hour } // no rebind while the test runs
	tr := newTransport(t, cfg)
	waitBound(t, tr)
	srv.DropConnections()
	waitUnbound(t, tr)

	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)))
	require.NoError(t, err)
	c, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{
		Region: "SE", Processors: procs, CloseGrace: 100 * time.Millisecond, Logger: quiet})
	require.NoError(t, err)
	sent := make(chan error, 1)
	go func() {
		_, err := c.Send(context.Background(), advox.Message{Account: "acct-1", From: "Advox", To: "+46701234567", Text: "during the outage"})
		sent <- err
	}()
	time.Sleep(50 * time.Millisecond) // the Send is waiting for the rebind

	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the outage to end")
	}
	err = <-sent
	assert.Equal(t, advox.CodeClosed, advox.CodeOf(err), "%v", err)
}
