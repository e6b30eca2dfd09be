package memtransport_test

import (
	"context"
	"errors"
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
}

func (h *harness) Transport() transport.Transport {
	if h.whole {
		return wholeOnly{h.tr}
	}
	return h.tr
}

func (h *harness) Close() error { return nil }

func (h *harness) Received() []transporttest.Received {
	var out []transporttest.Received
	type key struct {
		id  string
		ref uint16
	}
	got := map[key]map[int]bool{}
	for _, s := range h.tr.Sent() {
		m := s.Message
		if len(m.Parts) > 1 {
			k := key{m.ID, s.Ref}
			if got[k] == nil {
				got[k] = map[int]bool{}
			}
			for _, n := range s.Parts {
				got[k][n] = true
			}
			if len(got[k]) < len(m.Parts) {
				continue // not whole (yet)
			}
			delete(got, k)
		}
		out = append(out, transporttest.Received{
			MessageID: m.ID, From: m.From.Value, To: m.To, Encoding: m.Encoding, Parts: m.Parts,
		})
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
func (w wholeOnly) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	return w.tr.Submit(ctx, m)
}

func TestConformance(t *testing.T) {
	for _, whole := range []bool{false, true} {
		t.Run(map[bool]string{false: "parts", true: "whole"}[whole], func(t *testing.T) {
			transporttest.Run(t, func(t *testing.T) transporttest.Harness {
				return &harness{tr: memtransport.New(&memtransport.Config{ReportStatus: transport.StatusDelivered}), whole: whole}
			}, transporttest.Features{DeliveryReports: true})
		})
	}
}

func TestFaultsInOrder(t *testing.T) {
	tr := memtransport.New(&memtransport.Config{RetryAfter: 3 * time.Second})
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
	tr := memtransport.New(&memtransport.Config{ReportStatus: transport.StatusDelivered, ReportDelay: time.Hour})
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
