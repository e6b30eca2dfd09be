package httptransport

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

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
