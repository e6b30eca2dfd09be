package httptransport

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
)

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

func TestMaskNumber(t *testing.T) {
	cases := map[string]string{
		"+46701234567": "+4670*****67",
		"46701234567":  "46*******67",
		"0701234567":   "07******67",
		"12345":        "12***",
		"":             "***",
		"not a number": "***",
	}
	for in, want := range cases {
		assert.Equal(t, want, MaskNumber(in), in)
	}
}

func TestRedactor(t *testing.T) {
	r := redactor{secrets: []string{"s3cret-pass", "hello world text"}, numbers: []string{"+46701234567", "46701234567"}}
	cases := []struct{ in, want string }{
		{"Invalid to number: +46701234567", "Invalid to number: +4670*****67"},
		{"bad number 46701234567", "bad number 46*******67"},
		{"auth s3cret-pass failed", "auth [redacted] failed"},
		{"message 'hello world text' too long", "message '[redacted]' too long"},
		{"call 0701234567 or 19121212-1212", "call ********67 or ********-**12"},
		{"line one\nline two", "line one"},
		{"tab\there\x00", "tabhere"},
		{"code 1234 ok", "code 1234 ok"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, r.clean(c.in), c.in)
	}
	long := r.clean(string(make([]rune, 500)) + "ååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååå")
	assert.LessOrEqual(t, len(long), maxQuoted+len("…"))
}

func TestNonceCache(t *testing.T) {
	c := newNonceCache()
	now := time.Unix(1_700_000_000, 0)
	assert.True(t, c.claim("n1", now.Add(time.Minute), now))
	assert.False(t, c.claim("n1", now.Add(time.Minute), now.Add(30*time.Second)))
	assert.True(t, c.claim("n1", now.Add(3*time.Minute), now.Add(2*time.Minute)), "expired nonces may be reused")
	for i := range 3000 {
		c.claim(strconv.Itoa(i), now.Add(time.Second), now)
	}
	later := now.Add(time.Minute)
	for i := range 2000 {
		c.claim("later-"+strconv.Itoa(i), later.Add(time.Second), later)
	}
	assert.Less(t, len(c.until), 3000, "expired nonces are swept")
}
