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
	"go.uber.org/goleak"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/transporttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness adapts memtransport to the conformance suite: the "far end" is
// the transport's own record of what it took, multipart messages joined
// by reference as a handset joins them.
type harness struct {
	tr    *memtransport.Transport
	whole bool // hand the suite the transport without its SubmitParts

	senders sync.WaitGroup // InjectInbound's
	closed  chan struct{}
}

func (h *harness) Transport() transport.Transport {
	if h.whole {
		return wholeOnly{h.tr}
	}
	return h.tr
}

func (h *harness) Close() error {
	close(h.closed)
	h.senders.Wait()
	return nil
}

// InjectInbound implements transporttest.InboundInjector: the far end is
// a goroutine that hands each part to Receive, again every few
// milliseconds while the handler refuses it (or none is set), as an
// operator delivers again.
func (h *harness) InjectInbound(m transporttest.MO) error {
	in := transport.Inbound{From: m.From, To: m.To, Text: m.Text, Coding: transport.CodingGSM7}
	if m.UCS2 {
		in.Coding = transport.CodingUCS2
	}
	parts := memtransport.Split(in, max(1, m.Parts), m.Ref)
	order := m.Order
	if len(order) == 0 {
		for i := range parts {
			order = append(order, i+1)
		}
	}
	h.senders.Add(1)
	go func() {
		defer h.senders.Done()
		for _, n := range order {
			for try := 0; h.tr.Receive(context.Background(), parts[n-1]) != nil && try < 1000; try++ {
				select {
				case <-h.closed:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}
	}()
	return nil
}

func (h *harness) Received() []transporttest.Received {
	var out []transporttest.Received
	for _, m := range h.tr.Joined() {
		out = append(out, transporttest.Received{MessageID: m.ID, From: m.From.Value, To: m.To, Encoding: m.Encoding, Parts: m.Parts})
	}
	return out
}

func (h *harness) ReceivedParts() []transporttest.ReceivedPart {
	var out []transporttest.ReceivedPart
	for _, s := range h.tr.Sent() {
		if len(s.Message.Parts) < 2 {
			continue
		}
		for _, n := range s.Parts {
			out = append(out, transporttest.ReceivedPart{To: s.Message.To, Ref: int(s.Ref), Number: n, Total: len(s.Message.Parts)})
		}
	}
	return out
}

var faults = map[transporttest.Fault]memtransport.Fault{
	transporttest.FaultThrottle:       memtransport.Throttle,
	transporttest.FaultReject:         memtransport.Reject,
	transporttest.FaultNotSent:        memtransport.NotSent,
	transporttest.FaultOutcomeUnknown: memtransport.OutcomeUnknown,
}

func (h *harness) InjectFault(f transporttest.Fault) { h.tr.Inject(faults[f]) }

func (h *harness) InjectPartFault(part int, f transporttest.Fault) {
	h.tr.InjectPart(part+1, faults[f])
}

// wholeOnly is memtransport without SubmitParts: an adapter that cannot
// send some parts of a message.
type wholeOnly struct{ tr *memtransport.Transport }

func (w wholeOnly) Name() string                               { return w.tr.Name() }
func (w wholeOnly) Local() bool                                { return true }
func (w wholeOnly) Close() error                               { return w.tr.Close() }
func (w wholeOnly) SetReportHandler(h transport.ReportHandler) { w.tr.SetReportHandler(h) }
func (w wholeOnly) SetInboundHandler(h transport.InboundHandler) {
	w.tr.SetInboundHandler(h)
}
func (w wholeOnly) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	return w.tr.Submit(ctx, m)
}

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
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		assert.NoError(t, tr.Close())
	}()
	select {
	case <-closed:
		t.Fatal("Close returned while an inbound handler was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-closed
}
