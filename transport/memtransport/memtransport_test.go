package memtransport_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/transporttest"
)

func TestConformance(t *testing.T) {
	for _, whole := range []bool{false, true} {
		t.Run(map[bool]string{false: "parts", true: "whole"}[whole], func(t *testing.T) {
			transporttest.Run(t, func(t *testing.T) transporttest.Harness {
				return &harness{tr: memtransport.New(&memtransport.Options{ReportStatus: transport.StatusDelivered}), whole: whole,
					closed: make(chan struct{})}
			}, transporttest.Features{DeliveryReports: true, Inbound: true})
		})
	}
}

func TestFaultsInOrder(t *testing.T) {
	tr := memtransport.New(&memtransport.Options{RetryAfter: 3 * time.Second})
	defer tr.Close()
	tr.Inject(memtransport.Throttle, memtransport.Reject)
	m := &transport.Message{ID: "m1", To: "+46701234567", Encoding: transport.GSM7, Parts: []string{"hi"}}

	_, err := tr.Submit(context.Background(), m)
	require.ErrorIs(t, err, transport.ErrThrottled)
	after, ok := transport.RetryAfter(err)
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, after)

	_, err = tr.Submit(context.Background(), m)
	require.ErrorIs(t, err, transport.ErrRejected)

	res, err := tr.Submit(context.Background(), m)
	require.NoError(t, err)
	assert.Len(t, res.OperatorIDs, 1)
	assert.Len(t, tr.Sent(), 1, "refused submits are not taken")
}

func TestReportsStopOnClose(t *testing.T) {
	tr := memtransport.New(&memtransport.Options{ReportStatus: transport.StatusDelivered, ReportDelay: time.Hour})
	got := make(chan transport.Report, 1)
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error { got <- r; return nil })
	_, err := tr.Submit(context.Background(), &transport.Message{ID: "m", To: "+46701234567", Parts: []string{"x"}, ReportRequested: true})
	require.NoError(t, err)
	require.NoError(t, tr.Close()) // must not wait an hour, nor leak the timer goroutine
	assert.Empty(t, got)
	assert.False(t, tr.Report(context.Background(), transport.Report{OperatorID: "x", Status: transport.StatusDelivered}))
}

// Part faults stop a multipart submit at the part they hit; SubmitParts
// sends the rest under the reference of the parts taken.
func TestPartFaults(t *testing.T) {
	three := func() *transport.Message {
		return &transport.Message{ID: "m", To: "+46701234567", Encoding: transport.GSM7, Parts: []string{"a", "b", "c"}}
	}
	ctx := context.Background()
	tests := []struct {
		name     string
		part     int
		fault    memtransport.Fault
		class    error
		accepted int   // parts answered before the fault
		taken    []int // part numbers in Sent
	}{
		{"throttled part 2", 2, memtransport.Throttle, transport.ErrThrottled, 1, []int{1}},
		{"part 3 not sent", 3, memtransport.NotSent, transport.ErrNotSent, 2, []int{1, 2}},
		{"part 2 rejected", 2, memtransport.Reject, transport.ErrRejected, 1, []int{1}},
		{"part 2 unanswered", 2, memtransport.OutcomeUnknown, transport.ErrOutcomeUnknown, 1, []int{1, 2}},
		{"part 1 throttled: a plain error", 1, memtransport.Throttle, transport.ErrThrottled, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := memtransport.New(nil)
			defer tr.Close()
			tr.InjectPart(tt.part, tt.fault)
			m := three()
			res, err := tr.Submit(ctx, m)
			require.ErrorIs(t, err, tt.class)
			var pe *transport.PartialError
			if tt.accepted == 0 {
				assert.False(t, errors.As(err, &pe))
				assert.Empty(t, tr.Sent())
				return
			}
			require.ErrorAs(t, err, &pe)
			assert.Len(t, pe.Accepted, tt.accepted)
			assert.Equal(t, pe.Accepted, res.OperatorIDs)
			assert.True(t, pe.Resumable)
			sent := tr.Sent()
			require.Len(t, sent, 1)
			assert.Equal(t, tt.taken, sent[0].Parts)
			assert.Equal(t, pe.Ref, sent[0].Ref)
			assert.NotZero(t, sent[0].Ref)

			rest := []int{}
			for i := tt.accepted; i < 3; i++ {
				rest = append(rest, i)
			}
			res, err = tr.SubmitParts(ctx, m, transport.Parts{Ref: pe.Ref, Indices: rest})
			require.NoError(t, err, "the fault is spent")
			assert.Len(t, res.OperatorIDs, len(rest))
			sent = tr.Sent()
			require.Len(t, sent, 2)
			assert.Equal(t, pe.Ref, sent[1].Ref, "the rest under the same reference")
			assert.Len(t, sent[1].Parts, len(rest))
			assert.Equal(t, tt.accepted+1, sent[1].Parts[0])
		})
	}
}

// A whole-submit fault takes precedence; an unanswered multipart submit
// is a plain outcome-unknown error, all its parts taken.
func TestWholeFaultOnMultipart(t *testing.T) {
	tr := memtransport.New(nil)
	defer tr.Close()
	tr.Inject(memtransport.OutcomeUnknown)
	tr.InjectPart(2, memtransport.Throttle)
	_, err := tr.Submit(context.Background(), &transport.Message{Parts: []string{"a", "b"}})
	require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
	var pe *transport.PartialError
	assert.False(t, errors.As(err, &pe))
	require.Len(t, tr.Sent(), 1)
	assert.Equal(t, []int{1, 2}, tr.Sent()[0].Parts)
}

func TestSubmitPartsRefusesInvalidParts(t *testing.T) {
	tr := memtransport.New(nil)
	defer tr.Close()
	_, err := tr.SubmitParts(context.Background(), &transport.Message{Parts: []string{"a", "b"}}, transport.Parts{Indices: []int{2}})
	require.ErrorIs(t, err, transport.ErrRejected)
	assert.Empty(t, tr.Sent())
}

// Joined shows a multipart message once all its parts are in under one
// reference, as a handset does, and a single-part message at once.
func TestJoined(t *testing.T) {
	ctx := context.Background()
	tr := memtransport.New(nil)
	defer tr.Close()
	tr.InjectPart(2, memtransport.Throttle)
	m := &transport.Message{ID: "m-1", To: "+46701234567", Encoding: transport.GSM7, Parts: []string{"one ", "two ", "three"}}
	_, err := tr.Submit(ctx, m)
	var pe *transport.PartialError
	require.ErrorAs(t, err, &pe)
	assert.Empty(t, tr.Joined(), "part 1 alone is no message")

	_, err = tr.SubmitParts(ctx, m, transport.Parts{Ref: pe.Ref + 1, Indices: []int{1, 2}})
	require.NoError(t, err)
	assert.Empty(t, tr.Joined(), "parts under another reference never join")

	_, err = tr.SubmitParts(ctx, m, transport.Parts{Ref: pe.Ref, Indices: []int{1, 2}})
	require.NoError(t, err)
	single := &transport.Message{ID: "m-2", To: "+46701234568", Encoding: transport.GSM7, Parts: []string{"hi"}}
	_, err = tr.Submit(ctx, single)
	require.NoError(t, err)
	got := tr.Joined()
	require.Len(t, got, 2)
	assert.Equal(t, "one two three", got[0].Text())
	assert.Equal(t, "hi", got[1].Text())
}

// Receive hands a part to the inbound handler and returns its verdict, as
// an operator needs it to deliver the part again.
func TestReceive(t *testing.T) {
	ctx := context.Background()
	tr := memtransport.New(nil)
	m := transport.Inbound{From: "+46701234567", To: "+46766860000", Text: "STOP"}
	require.ErrorIs(t, tr.Receive(ctx, m), memtransport.ErrNoHandler, "no handler: the operator keeps the part")

	var got []transport.Inbound
	refuse := errors.New("store down")
	tr.SetInboundHandler(func(_ context.Context, in transport.Inbound) error {
		got = append(got, in)
		if len(got) == 1 {
			return refuse
		}
		return nil
	})
	require.ErrorIs(t, tr.Receive(ctx, m), refuse, "the handler's error reaches the far end")
	require.NoError(t, tr.Receive(ctx, m), "delivered again and taken")
	require.Len(t, got, 2)
	assert.Equal(t, transport.CodingText, got[1].Coding, "text as an HTTP operator posts it")
	assert.Equal(t, -1, got[1].DataCoding)
	assert.False(t, got[1].At.IsZero(), "the time is filled in")

	require.NoError(t, tr.Close())
	require.ErrorIs(t, tr.Receive(ctx, m), transport.ErrClosed)
	assert.Len(t, got, 2, "nothing delivered after Close")
}

// ReportErr returns the report handler's error; Report says only whether
// the report was taken.
func TestReportErr(t *testing.T) {
	ctx := context.Background()
	tr := memtransport.New(nil)
	r := transport.Report{OperatorID: "x", Status: transport.StatusDelivered}
	require.ErrorIs(t, tr.ReportErr(ctx, r), memtransport.ErrNoHandler)
	refuse := errors.New("not now")
	tr.SetReportHandler(func(context.Context, transport.Report) error { return refuse })
	require.ErrorIs(t, tr.ReportErr(ctx, r), refuse)
	assert.False(t, tr.Report(ctx, r), "refused: not taken")
	tr.SetReportHandler(func(context.Context, transport.Report) error { return nil })
	assert.True(t, tr.Report(ctx, r))
}

// Split cuts a text as a handset does; JoinText gets it back, surrogate
// pairs split across parts included.
func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		coding transport.Coding
		text   string
		n      int
		ref    uint16
		width  transport.Concat
	}{
		{"gsm7 three parts", transport.CodingGSM7, strings.Repeat("abc", 100), 3, 7, transport.Concat8},
		{"ucs2 pair split", transport.CodingUCS2, "a😀b", 2, 300, transport.Concat16}, // units: a, D83D | DE00, b
		{"one part is a whole message", transport.CodingGSM7, "hi", 1, 9, 0},
		{"more parts than characters", transport.CodingText, "hi", 5, 1, transport.Concat8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := memtransport.Split(transport.Inbound{From: "+46701234567", Coding: tc.coding, Text: tc.text}, tc.n, tc.ref)
			got, err := transport.JoinText(parts)
			require.NoError(t, err)
			assert.Equal(t, tc.text, got)
			if len(parts) == 1 {
				assert.Zero(t, parts[0].Total, "a whole message has no concatenation data")
				return
			}
			for i, p := range parts {
				assert.Equal(t, len(parts), p.Total)
				assert.Equal(t, i+1, p.Seq)
				assert.Equal(t, tc.ref, p.Ref)
				assert.Equal(t, tc.width, p.RefWidth)
				assert.Equal(t, "+46701234567", p.From)
			}
		})
	}
	ucs := memtransport.Split(transport.Inbound{Coding: transport.CodingUCS2, Text: "a😀b"}, 2, 1)
	assert.Equal(t, "a\uFFFD", ucs[0].Text, "a half pair alone shows as U+FFFD")
}

// Close waits for an inbound handler Receive is running.
func TestCloseWaitsForInboundHandler(t *testing.T) {
	tr := memtransport.New(nil)
	entered, release := make(chan struct{}), make(chan struct{})
	tr.SetInboundHandler(func(context.Context, transport.Inbound) error {
		close(entered)
		<-release
		return nil
	})
	go tr.Receive(context.Background(), transport.Inbound{Text: "x"})
	<-entered
	closeWaitsFor(t, tr, release, "an inbound handler")
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

// Close must not return while a report handler the transport started is
// still running — whether the report came through Report or was scheduled
// by Options.ReportStatus — so that whoever closes a store right after
// Close (the Client) never races a handler still writing to it.
func TestCloseWaitsForRunningReportHandlers(t *testing.T) {
	tests := []struct {
		name    string
		cfg     *memtransport.Options
		trigger func(t *testing.T, tr *memtransport.Transport)
	}{
		{"Report", nil, func(t *testing.T, tr *memtransport.Transport) {
			go tr.Report(context.Background(), transport.Report{OperatorID: "x", Status: transport.StatusDelivered})
		}},
		{"scheduled", &memtransport.Options{ReportStatus: transport.StatusDelivered}, func(t *testing.T, tr *memtransport.Transport) {
			_, err := tr.Submit(context.Background(), msg("x"))
			require.NoError(t, err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := memtransport.New(tt.cfg)
			entered, release, returned := make(chan struct{}), make(chan struct{}), make(chan struct{})
			tr.SetReportHandler(func(context.Context, transport.Report) error {
				close(entered)
				<-release
				close(returned)
				return nil
			})
			tt.trigger(t, tr)
			select {
			case <-entered:
			case <-time.After(10 * time.Second):
				t.Fatal("the handler was never called")
			}

			closeWaitsFor(t, tr, release, "a report handler")
			select {
			case <-returned:
			default:
				t.Error("Close returned before the handler did")
			}
		})
	}
}
