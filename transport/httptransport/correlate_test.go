package httptransport

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
)

// A parked report whose timer has fired, but whose callback is still
// waiting for the correlator's lock, must be delivered by exactly one of
// learn/releaseAll (which took it out of the park) or the timer callback.
// Otherwise it is lost and its unit of the transport's WaitGroup is never
// released, so Close blocks forever.
func TestParkedReportFiredTimerRace(t *testing.T) {
	for _, tc := range []struct {
		name    string
		release func(c *correlator) []released
	}{
		{"learn", func(c *correlator) []released { return c.learn("msg-1", []string{"op-1"}) }},
		{"releaseAll", func(c *correlator) []released { return c.releaseAll() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCorrelator(10)
			expired := 0
			c.park(transport.Report{OperatorID: "op-1", Status: transport.StatusDelivered}, time.Hour, nil,
				func(transport.Report) { expired++ })
			p := c.parked["op-1"][0]
			// The timer fired: Stop now reports false, and its callback
			// (c.unpark, then expire) runs only after the lock is free.
			p.timer.Stop()
			out := tc.release(c)
			if c.unpark(p) {
				expired++
			}
			assert.Equal(t, 1, len(out)+expired, "the report must be delivered exactly once")
		})
	}
}

func TestBoundedForgetsOldest(t *testing.T) {
	b := newBounded[string, int](3)
	for i := range 10 {
		b.put(strconv.Itoa(i), i)
		b.put(strconv.Itoa(i), i*10) // an update does not count as new
	}
	assert.Len(t, b.m, 3)
	for i := range 7 {
		_, ok := b.get(strconv.Itoa(i))
		assert.False(t, ok, "key %d should be forgotten", i)
	}
	for i := 7; i < 10; i++ {
		v, ok := b.get(strconv.Itoa(i))
		assert.True(t, ok)
		assert.Equal(t, i*10, v)
	}
	assert.LessOrEqual(t, len(b.order), 8, "the order slice is compacted")
}

func TestAdmitNoRegression(t *testing.T) {
	c := newCorrelator(10)
	r := func(s transport.Status) transport.Report { return transport.Report{OperatorID: "op", Status: s} }
	steps := []struct {
		s    transport.Status
		news bool
	}{
		{transport.StatusAccepted, true},
		{transport.StatusAccepted, false},
		{transport.StatusEnroute, true},
		{transport.StatusAccepted, false},
		{transport.StatusDelivered, true},
		{transport.StatusUndeliverable, false},
		{transport.StatusDelivered, false},
	}
	for i, s := range steps {
		assert.Equal(t, s.news, c.admit(r(s.s)), "step %d: %s", i, s.s)
	}
	// Another message is independent; a reference-only message too.
	assert.True(t, c.admit(transport.Report{OperatorID: "other", Status: transport.StatusDelivered}))
	assert.True(t, c.admit(transport.Report{MessageID: "op", Status: transport.StatusDelivered}))
}

func TestLearnReleasesParked(t *testing.T) {
	c := newCorrelator(10)
	expired := make(chan transport.Report, 1)
	c.park(transport.Report{OperatorID: "op-1", Status: transport.StatusDelivered}, time.Hour, nil, func(r transport.Report) { expired <- r })
	c.park(transport.Report{OperatorID: "op-2", Status: transport.StatusDelivered}, time.Millisecond, nil, func(r transport.Report) { expired <- r })
	got := <-expired
	assert.Equal(t, "op-2", got.OperatorID)
	assert.Empty(t, got.MessageID)
	out := c.learn("msg-1", []string{"op-1"})
	require.Len(t, out, 1)
	assert.Equal(t, "msg-1", out[0].r.MessageID)
	assert.Empty(t, c.releaseAll())
	r := transport.Report{OperatorID: "op-1"}
	assert.True(t, c.enrich(&r))
	assert.Equal(t, "msg-1", r.MessageID)
	r = transport.Report{MessageID: "msg-1"}
	assert.True(t, c.enrich(&r))
	assert.Equal(t, "op-1", r.OperatorID)
	r = transport.Report{OperatorID: "nope"}
	assert.False(t, c.enrich(&r))
}

// Parts a message learns in several submits (SubmitParts resuming one)
// add to its ids. Each submit used to replace them, so that a message
// resumed with one part of three looked like a one-part message and a
// report naming only the message was put on that part.
func TestLearnAddsIDs(t *testing.T) {
	c := newCorrelator(10)
	c.learn("msg-1", []string{"msg-1.1"})
	c.learn("msg-1", []string{"msg-1.3"})
	c.learn("msg-1", []string{"msg-1.3"}) // learnt again: no duplicate
	ops, _ := c.opsByMsg.get("msg-1")
	assert.Equal(t, []string{"msg-1.1", "msg-1.3"}, ops)
	r := transport.Report{MessageID: "msg-1"}
	assert.True(t, c.enrich(&r))
	assert.Empty(t, r.OperatorID, "which part the report is about is not known")

	// A submit's growing list of ids is kept as it is.
	ids := []string{"msg-2.1"}
	c.learn("msg-2", ids)
	ids = append(ids, "msg-2.2")
	c.learn("msg-2", ids)
	ops, _ = c.opsByMsg.get("msg-2")
	assert.Equal(t, []string{"msg-2.1", "msg-2.2"}, ops)
}
