package memtransport_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

func msg(parts ...string) *transport.Message {
	return &transport.Message{ID: "m", To: "+46701234567", Encoding: transport.GSM7, Parts: parts, ReportRequested: true}
}

// Closed wins over a done context, as in the other adapters: the caller
// learns the transport is gone, not that its context ended.
func TestSubmitAfterCloseWithDoneContext(t *testing.T) {
	tr := memtransport.New(nil)
	require.NoError(t, tr.Close())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := tr.Submit(ctx, msg("x"))
	require.ErrorIs(t, err, transport.ErrClosed)
	assert.NotErrorIs(t, err, transport.ErrOutcomeUnknown)
	assert.Empty(t, tr.Sent())
}

// A submit already waiting out Latency when Close is called is cut off
// before anything was sent: it wraps ErrNotSent (and ErrClosed).
func TestCloseDuringLatencyIsNotSent(t *testing.T) {
	tr := memtransport.New(&memtransport.Options{Latency: time.Hour})
	started := make(chan struct{})
	errc := make(chan error, 1)
	ctx := &signalCtx{Context: context.Background(), done: started}
	go func() {
		_, err := tr.Submit(ctx, msg("x"))
		errc <- err
	}()
	<-started // Submit is selecting on ctx.Done, i.e. waiting out Latency
	require.NoError(t, tr.Close())
	select {
	case err := <-errc:
		require.ErrorIs(t, err, transport.ErrNotSent)
		assert.ErrorIs(t, err, transport.ErrClosed)
		assert.True(t, transport.SafeToRetry(err))
	case <-time.After(10 * time.Second):
		t.Fatal("Submit still waiting out Latency after Close")
	}
	assert.Empty(t, tr.Sent())
}

// signalCtx closes done the first time Done is called, i.e. when Submit
// starts waiting out Latency.
type signalCtx struct {
	context.Context
	once sync.Once
	done chan struct{}
}

func (c *signalCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.done) })
	return c.Context.Done()
}

// Sent returns deep copies: a caller mutating them does not change the
// transport's record.
func TestSentIsDeepCopy(t *testing.T) {
	tr := memtransport.New(nil)
	defer tr.Close()
	_, err := tr.Submit(context.Background(), msg("a", "b"))
	require.NoError(t, err)

	got := tr.Sent()
	require.Len(t, got, 1)
	got[0].Message.Parts[0] = "mutated"
	got[0].OperatorIDs[0] = "mutated"
	got[0].Parts[0] = 99

	again := tr.Sent()
	assert.Equal(t, []string{"a", "b"}, again[0].Message.Parts)
	assert.Equal(t, []string{"mem-1", "mem-2"}, again[0].OperatorIDs)
	assert.Equal(t, []int{1, 2}, again[0].Parts)
}

// The ids Submit returns are the caller's: mutating them changes neither the
// record nor the reports.
func TestSubmitResultIsCallersOwn(t *testing.T) {
	tr := memtransport.New(&memtransport.Options{ReportStatus: transport.StatusDelivered, ReportDelay: time.Hour})
	defer tr.Close()
	tr.SetReportHandler(func(context.Context, transport.Report) error { return nil })
	res, err := tr.Submit(context.Background(), msg("a"))
	require.NoError(t, err)
	res.OperatorIDs[0] = "mutated"
	assert.Equal(t, []string{"mem-1"}, tr.Sent()[0].OperatorIDs)
}

// Concurrent readers of Sent may mutate their copies while the transport
// keeps working (a data race under -race before the fix).
func TestSentConcurrentMutation(t *testing.T) {
	tr := memtransport.New(nil)
	defer tr.Close()
	_, err := tr.Submit(context.Background(), msg("a"))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				s := tr.Sent()
				s[0].Message.Parts[0] = "x"
				s[0].OperatorIDs[0] = "y"
			}
		})
	}
	wg.Wait()
	assert.Equal(t, []string{"a"}, tr.Sent()[0].Message.Parts)
}

// A scheduled report goes to the handler current when it fires: here the
// first part's report replaces (or removes) the handler, and the second
// part's report must follow.
func TestScheduledReportUsesCurrentHandler(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replace bool // true: replace with h2; false: remove (nil)
	}{{"replaced", true}, {"removed", false}} {
		t.Run(tc.name, func(t *testing.T) {
			tr := memtransport.New(&memtransport.Options{ReportStatus: transport.StatusDelivered})
			var mu sync.Mutex
			var got1, got2 []string
			h2 := func(_ context.Context, r transport.Report) error {
				mu.Lock()
				got2 = append(got2, r.OperatorID)
				mu.Unlock()
				return nil
			}
			first := make(chan struct{})
			var once sync.Once
			tr.SetReportHandler(func(_ context.Context, r transport.Report) error {
				mu.Lock()
				got1 = append(got1, r.OperatorID)
				mu.Unlock()
				if tc.replace {
					tr.SetReportHandler(h2)
				} else {
					tr.SetReportHandler(nil)
				}
				once.Do(func() { close(first) })
				return nil
			})
			_, err := tr.Submit(context.Background(), msg("a", "b"))
			require.NoError(t, err)
			<-first
			if tc.replace {
				require.Eventually(t, func() bool {
					mu.Lock()
					defer mu.Unlock()
					return len(got2) == 1
				}, 10*time.Second, time.Millisecond)
			}
			require.NoError(t, tr.Close()) // waits for the report goroutine
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []string{"mem-1"}, got1)
			if tc.replace {
				assert.Equal(t, []string{"mem-2"}, got2)
			} else {
				assert.Empty(t, got2)
			}
		})
	}
}
