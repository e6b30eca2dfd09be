package router_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/router"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// A three-part message whose part 2 member a does not take is finished by
// a — the member that took part 1 — or reported incomplete; no part of it
// ever reaches another member. Behind a router these messages ended
// incomplete even when a could have finished them (the router was no
// transport.PartSubmitter).
func TestSendRestThroughSameMember(t *testing.T) {
	tests := []struct {
		name     string
		faults   []memtransport.Fault // part 2's answers from a
		noResume bool                 // a cannot send parts of a message
		nested   bool                 // a and b sit in a router inside the router
		spill    bool                 // the route moves throttled messages on
		breaker  router.BreakerPolicy
		code     advox.Code // 0: the message ends whole
		sent     [][]int    // the parts each submit to a delivered
		attempts int
		segments int // billed: the parts that reached the operator
	}{
		{name: "throttled part 2 is sent again through the same member", faults: []memtransport.Fault{memtransport.Throttle},
			sent: [][]int{{1}, {2, 3}}, attempts: 2, segments: 3},
		{name: "part 2 not sent is sent again through the same member", faults: []memtransport.Fault{memtransport.NotSent},
			sent: [][]int{{1}, {2, 3}}, attempts: 2, segments: 3},
		{name: "a route that spills throttling does not spill a partial message", faults: []memtransport.Fault{memtransport.Throttle},
			spill: true, sent: [][]int{{1}, {2, 3}}, attempts: 2, segments: 3},
		{name: "a member out of rotation after the failure is waited for", faults: []memtransport.Fault{memtransport.NotSent},
			breaker: router.BreakerPolicy{Failures: 1, Backoff: 20 * time.Millisecond}, sent: [][]int{{1}, {2, 3}}, attempts: 3, segments: 3},
		{name: "throttled past the retry policy: incomplete", faults: []memtransport.Fault{memtransport.Throttle, memtransport.Throttle, memtransport.Throttle, memtransport.Throttle},
			code: advox.CodeIncomplete, sent: [][]int{{1}}, attempts: 4, segments: 1},
		{name: "part 2 refused: incomplete", faults: []memtransport.Fault{memtransport.Reject},
			code: advox.CodeIncomplete, sent: [][]int{{1}}, attempts: 1, segments: 2},
		{name: "a member without SubmitParts: incomplete, nothing sent again", faults: []memtransport.Fault{memtransport.Throttle},
			noResume: true, code: advox.CodeIncomplete, sent: [][]int{{1}}, attempts: 1, segments: 1},
		{name: "nested router", faults: []memtransport.Fault{memtransport.Throttle, memtransport.NotSent},
			nested: true, sent: [][]int{{1}, {2, 3}}, attempts: 3, segments: 3},
		{name: "nested router, member without SubmitParts", faults: []memtransport.Fault{memtransport.Throttle},
			nested: true, noResume: true, code: advox.CodeIncomplete, sent: [][]int{{1}}, attempts: 1, segments: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, c := mems("a", "b", "c")[0], mems("b")[0], mems("c")[0]
			a.InjectPart(2, tt.faults...)
			var ta transport.Transport = a
			if tt.noResume {
				ta = wholeOnly{a}
			}
			routes := failover("a", "b")
			routes[0].SpillThrottled = tt.spill
			cfg := router.Config{Routes: routes, Breaker: tt.breaker, Throttle: router.ThrottlePolicy{Pause: time.Millisecond}, Logger: quiet}
			r := newRouter(t, cfg, ta, b)
			if tt.nested {
				cfg.Name, cfg.Routes = "outer", failover("router", "c")
				r = newRouter(t, cfg, r, c)
			}
			client, err := advox.NewClient(r, memstore.New(nil), &advox.Options{Logger: quiet,
				Backoff: func(_ int, hint time.Duration) time.Duration { return max(hint, time.Millisecond) }})
			require.NoError(t, err)
			t.Cleanup(func() { _ = client.Close() })

			text := strings.Repeat("A later part fails. ", 18) // three parts
			rcpt, err := client.Send(ctxT(t), advox.Message{Account: "acct", From: "Advox", To: "+46701234567", Text: text})
			if tt.code == 0 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Equal(t, tt.code, advox.CodeOf(err), "%v", err)
			}
			sent, refs := sentParts(a)
			assert.Equal(t, tt.sent, sent, "which parts a delivered, each once")
			assert.Len(t, refs, 1, "one concatenation reference")
			assert.Empty(t, b.Sent(), "no part on another member")
			assert.Empty(t, c.Sent(), "no part on another member")
			assert.Equal(t, tt.attempts, rcpt.Attempts)
			assert.Equal(t, tt.segments, rcpt.Segments)
			rec, err := client.Status(ctxT(t), advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			assert.Equal(t, "a", rec.Transport, "the record names the member that took the parts")
			assert.Equal(t, "default", rec.Route)
			if tt.code == advox.CodeIncomplete {
				assert.Equal(t, "not_sent", rec.Parts[2].ErrorCode, "part 3 never went")
			}
		})
	}
}

// The partial failure a router passes on names the member and is
// Resumable exactly when that member can send the rest; it never fails
// over, and otherwise is the member's error.
func TestPartialFailurePassedOn(t *testing.T) {
	for _, noResume := range []bool{false, true} {
		t.Run(fmt.Sprintf("noResume=%v", noResume), func(t *testing.T) {
			a, b := mems("a", "b")[0], mems("b")[0]
			a.InjectPart(2, memtransport.Throttle)
			var ta transport.Transport = a
			if noResume {
				ta = wholeOnly{a}
			}
			r := newRouter(t, router.Config{Routes: failover("a", "b")}, ta, b)
			res, err := r.Submit(ctxT(t), threeParts())
			var pe *transport.PartialError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, !noResume, pe.Resumable)
			assert.Len(t, pe.Accepted, 1)
			assert.Equal(t, "a", res.Transport)
			assert.ErrorIs(t, err, transport.ErrThrottled, "still the member's classification")
			assert.False(t, transport.SafeToRetry(err), "part 1 is out")
			assert.Empty(t, b.Sent())
		})
	}
}

// SubmitParts sends nothing, anywhere, when it cannot tell the member
// that took the other parts, or when that member cannot send them.
func TestSubmitPartsRefused(t *testing.T) {
	a, b := mems("a", "b")[0], mems("b")[0]
	r := newRouter(t, router.Config{Name: "inner", Routes: failover("a", "b")}, a, b)
	dup := mems("a")[0] // a second transport named "a", beside the nested one
	outer := newRouter(t, router.Config{Routes: []router.Route{{Name: "default", Transports: []router.Target{{Transport: "inner"}}}}}, r, dup)
	plain := mems("p")[0]
	whole := newRouter(t, router.Config{Name: "whole", Routes: failover("p")}, wholeOnly{plain})
	closed := newRouter(t, router.Config{Routes: failover("c")}, mems("c")[0])
	require.NoError(t, closed.Close())
	tests := []struct {
		name string
		r    *router.Router
		m    *transport.Message
		p    transport.Parts
		want error
	}{
		{"no transport named", r, threeParts(), transport.Parts{Indices: []int{1, 2}}, transport.ErrRejected},
		{"a transport the router does not have", r, threeParts(), transport.Parts{Indices: []int{1, 2}, Transport: "x"}, transport.ErrRejected},
		{"a name two members answer to", outer, threeParts(), transport.Parts{Indices: []int{1, 2}, Transport: "a"}, transport.ErrRejected},
		{"a member without SubmitParts", whole, threeParts(), transport.Parts{Indices: []int{1, 2}, Transport: "p"}, transport.ErrRejected},
		{"a part the message does not have", r, threeParts(), transport.Parts{Indices: []int{3}, Transport: "a"}, transport.ErrRejected},
		{"no message", r, nil, transport.Parts{Indices: []int{1}, Transport: "a"}, transport.ErrRejected},
		{"closed", closed, threeParts(), transport.Parts{Indices: []int{1, 2}, Transport: "c"}, transport.ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, ok := transport.Transport(tt.r).(transport.PartSubmitter)
			require.True(t, ok, "a router is a transport.PartSubmitter")
			_, err := ps.SubmitParts(ctxT(t), tt.m, tt.p)
			assert.ErrorIs(t, err, tt.want)
			for _, tr := range []*memtransport.Transport{a, b, dup, plain} {
				assert.Empty(t, tr.Sent(), "%s sent nothing", tr.Name())
			}
		})
	}
}

// SubmitParts reaches the member through nested routers and answers with
// its name; an error on the way keeps the member's classification.
func TestSubmitPartsNested(t *testing.T) {
	a, b, c := mems("a", "b", "c")[0], mems("b")[0], mems("c")[0]
	inner := newRouter(t, router.Config{Name: "inner", Routes: failover("a", "b")}, a, b)
	outer := newRouter(t, router.Config{Name: "outer", Routes: failover("c", "inner")}, c, inner)
	ps, ok := transport.Transport(outer).(transport.PartSubmitter)
	require.True(t, ok, "a router is a transport.PartSubmitter")
	m := threeParts()
	a.InjectPart(3, memtransport.NotSent)
	res, err := ps.SubmitParts(ctxT(t), m, transport.Parts{Ref: 7, Indices: []int{1, 2}, Transport: "a"})
	var pe *transport.PartialError
	require.ErrorAs(t, err, &pe, "part 2 went, part 3 did not")
	assert.True(t, pe.Resumable)
	assert.Equal(t, uint16(7), pe.Ref)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.Equal(t, "a", res.Transport)
	assert.Equal(t, "default", res.Route)

	res, err = ps.SubmitParts(ctxT(t), m, transport.Parts{Ref: 7, Indices: []int{2}, Transport: "a"})
	require.NoError(t, err)
	assert.Equal(t, "a", res.Transport)
	assert.Len(t, res.OperatorIDs, 1)
	sent, refs := sentParts(a)
	assert.Equal(t, [][]int{{2}, {3}}, sent)
	assert.Equal(t, map[uint16]bool{7: true}, refs)
	assert.Empty(t, b.Sent())
	assert.Empty(t, c.Sent())
}

// A member SMSC that takes part 1 of a three-part message and throttles
// part 2 gets the rest through the same member, under the same
// concatenation reference, even while the other member is free: the
// handset has each part exactly once, and the other SMSC nothing. Behind
// a router these messages ended incomplete, part 1 alone on the handset.
func TestSMSCRestThroughSameMember(t *testing.T) {
	tests := []struct {
		name   string
		part2  smsctest.Fault
		nested bool
	}{
		{"part 2 throttled", smsctest.Fault{Status: smsctest.StatusThrottled}, false},
		{"part 2 throttled, then the link lost", smsctest.Fault{Status: smsctest.StatusThrottled, DropAfter: true}, false},
		{"part 2 queue full, nested router", smsctest.Fault{Status: smsctest.StatusQueueFull}, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPair(t, pairConfig{})
			c := p.c
			if tt.nested {
				outer, err := router.New(router.Config{Name: "outer", Transports: []transport.Transport{p.r}, Logger: quiet,
					Routes: []router.Route{{Name: "all", Transports: []router.Target{{Transport: p.r.Name()}}}}})
				require.NoError(t, err)
				agreed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				procs, err := processing.NewRegister(processing.OperatorProcessor(outer.Name(), "SE", agreed),
					processing.OperatorProcessor(p.a.Name(), "SE", agreed), processing.OperatorProcessor(p.b.Name(), "SE", agreed))
				require.NoError(t, err)
				c, err = advox.NewClient(outer, memstore.New(nil), &advox.Options{Processors: procs, Logger: quiet, NoReports: true})
				require.NoError(t, err)
				t.Cleanup(func() { _ = c.Close(); _ = outer.Close() })
			}
			p.srvA.InjectFault(smsctest.Fault{}) // part 1
			p.srvA.InjectFault(tt.part2)
			to := fmt.Sprintf("+4670%07d", 9000+i)
			text := strings.Repeat("One message, three parts. ", 13)
			rcpt, err := c.Send(ctxT(t), advox.Message{Account: "acct-1", From: "Advox", To: to, Text: text})
			require.NoError(t, err)
			assert.Equal(t, 3, rcpt.Segments)

			var parts []smsctest.Submit // what the handset got from a
			for _, s := range p.srvA.Submits() {
				if s.Status == 0 && s.MessageID != "" && "+"+s.Dest.Value == to {
					parts = append(parts, s)
				}
			}
			require.Len(t, parts, 3, "each part accepted once")
			for i, s := range parts {
				assert.Equal(t, i+1, s.Index, "parts 1, 2, 3 in order")
				assert.Equal(t, 3, s.Total)
				assert.Equal(t, parts[0].Ref, s.Ref, "one concatenation reference")
			}
			assert.Equal(t, 1, countByTo(p.srvA.Messages())[to], "the handset joins one message")
			assert.Empty(t, p.srvB.Submits(), "nothing on the other SMSC")
			rec, err := c.Status(ctxT(t), advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			assert.Equal(t, p.a.Name(), rec.Transport)
			assert.Equal(t, transport.StatusAccepted, rec.Status)
		})
	}
}
