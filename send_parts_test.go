package advox_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// threeParts is a GSM-7 text of three parts.
var threeParts = strings.Repeat("t", 153*2+20)

// wholeParts plainly forwards to a memtransport without its SubmitParts:
// an adapter that cannot send some parts of a message.
type wholeParts struct{ mt *memtransport.Transport }

func (w wholeParts) Name() string { return w.mt.Name() }
func (w wholeParts) Local() bool  { return true }
func (w wholeParts) Close() error { return w.mt.Close() }
func (w wholeParts) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	return w.mt.Submit(ctx, m)
}

// partsSent lists the part numbers each submit delivered.
func partsSent(tr *memtransport.Transport) [][]int {
	var out [][]int
	for _, s := range tr.Sent() {
		out = append(out, s.Parts)
	}
	return out
}

// partStatuses lists the status of each part of a record.
func partStatuses(r advox.Record) []transport.Status {
	var out []transport.Status
	for _, p := range r.Parts {
		out = append(out, p.Status)
	}
	return out
}

// A later part that fails without being received is sent again, alone
// with the parts after it, under the same reference, until the message is
// whole; a part that may be out is never sent again, but the parts after
// it are; a part refused for good, a transport that cannot send some
// parts, or a retry policy that gives up leaves the message incomplete,
// and says so. These messages came back as a plain ErrRejected, recorded
// and billed as three segments, with part 1 alone on the handset.
func TestSendLaterPartFailure(t *testing.T) {
	const (
		acc = transport.StatusAccepted
		unk = transport.StatusUnknown
		rej = transport.StatusRejected
	)
	tests := []struct {
		name     string
		part     int // 1-based
		faults   []memtransport.Fault
		noResume bool // the transport has no SubmitParts
		opts     advox.Options
		code     advox.Code // 0: no error
		sent     [][]int    // the parts each submit delivered
		statuses []transport.Status
		segments int
		attempts int
	}{
		{name: "throttled part 2 is sent again", part: 2, faults: []memtransport.Fault{memtransport.Throttle, memtransport.Throttle},
			sent: [][]int{{1}, {2, 3}}, statuses: []transport.Status{acc, acc, acc}, segments: 3, attempts: 3},
		{name: "part 3 not sent", part: 3, faults: []memtransport.Fault{memtransport.NotSent},
			sent: [][]int{{1, 2}, {3}}, statuses: []transport.Status{acc, acc, acc}, segments: 3, attempts: 2},
		{name: "part 2 may be out: part 3 follows, the outcome is unknown", part: 2, faults: []memtransport.Fault{memtransport.OutcomeUnknown},
			code: advox.CodeOutcomeUnknown, sent: [][]int{{1, 2}, {3}}, statuses: []transport.Status{acc, unk, acc}, segments: 3, attempts: 2},
		{name: "part 3 may be out: nothing to send", part: 3, faults: []memtransport.Fault{memtransport.OutcomeUnknown},
			code: advox.CodeOutcomeUnknown, sent: [][]int{{1, 2, 3}}, statuses: []transport.Status{acc, acc, unk}, segments: 3, attempts: 1},
		{name: "part 2 refused: the message can no longer be whole", part: 2, faults: []memtransport.Fault{memtransport.Reject},
			code: advox.CodeIncomplete, sent: [][]int{{1}}, statuses: []transport.Status{acc, rej, rej}, segments: 2, attempts: 1},
		{name: "throttled past the retry policy", part: 2, faults: []memtransport.Fault{memtransport.Throttle, memtransport.Throttle, memtransport.Throttle, memtransport.Throttle},
			code: advox.CodeIncomplete, sent: [][]int{{1}}, statuses: []transport.Status{acc, rej, rej}, segments: 1, attempts: 4},
		{name: "no retries", part: 2, faults: []memtransport.Fault{memtransport.NotSent}, opts: advox.Options{RetryPolicy: advox.NoRetry},
			code: advox.CodeIncomplete, sent: [][]int{{1}}, statuses: []transport.Status{acc, rej, rej}, segments: 1, attempts: 1},
		{name: "a transport without SubmitParts is never asked again", part: 3, faults: []memtransport.Fault{memtransport.Throttle}, noResume: true,
			code: advox.CodeIncomplete, sent: [][]int{{1, 2}}, statuses: []transport.Status{acc, acc, rej}, segments: 2, attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			mt := memtransport.New(nil)
			mt.InjectPart(tt.part, tt.faults...)
			var tr transport.Transport = mt
			if tt.noResume {
				tr = wholeParts{mt}
			}
			opts := tt.opts
			accts := newAccounts(t, storage.ContractLimits{MonthlySegments: 100})
			opts.Accounts = accts
			c, _ := newClient(t, tr, &opts)
			m := msg(threeParts)
			m.Account = "acme"
			rcpt, err := c.Send(ctx, m)

			assert.Equal(t, tt.sent, partsSent(mt), "which parts went, each once")
			refs := map[uint16]bool{}
			for _, s := range mt.Sent() {
				refs[s.Ref] = true
			}
			assert.Len(t, refs, 1, "one concatenation reference")
			assert.Equal(t, tt.attempts, rcpt.Attempts)
			assert.Equal(t, tt.segments, rcpt.Segments)
			if tt.code == 0 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Equal(t, tt.code, advox.CodeOf(err), "%v", err)
				assert.NotErrorIs(t, err, advox.ErrRejected, "never a plain rejection: part 1 is out")
			}
			var ie *advox.IncompleteError
			if tt.code == advox.CodeIncomplete {
				require.ErrorAs(t, err, &ie)
				assert.ErrorIs(t, err, advox.ErrIncomplete)
				assert.Equal(t, 3, ie.Parts)
				var want []int
				for i, st := range tt.statuses {
					if st == acc {
						want = append(want, i+1)
					}
				}
				assert.Equal(t, want, ie.Sent)
				assert.Empty(t, ie.Unknown)
			} else {
				assert.False(t, errors.As(err, &ie))
			}

			r, err := c.Status(ctx, advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.statuses, partStatuses(r))
			assert.Equal(t, tt.segments, r.Segments)
			for i, p := range r.Parts {
				assert.Equal(t, p.Status == acc, p.OperatorID != "", "part %d: an operator id exactly for an accepted part", i+1)
			}
			if tt.code == advox.CodeIncomplete {
				assert.True(t, strings.HasPrefix(r.ErrorCode, "incomplete:"), r.ErrorCode)
				last := r.Parts[len(r.Parts)-1]
				assert.Equal(t, "not_sent", last.ErrorCode, "a part never sent says so")
			}
			u, err := c.Usage(ctx, advox.PurposeBill, "acme", time.Time{}, time.Time{})
			require.NoError(t, err)
			assert.Equal(t, tt.segments, u.Segments, "usage counts the parts that reached the operator")
			used, err := accts.SegmentsUsed(ctx, "acme", time.Now())
			require.NoError(t, err)
			assert.Equal(t, tt.segments, used, "the quota gives back the parts never sent")
		})
	}
}

// behind answers for a transport behind it, as a router does: its results
// name that transport, and it records what each SubmitParts was told.
type behind struct {
	*memtransport.Transport
	told []string
}

func (b *behind) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	res, err := b.Transport.Submit(ctx, m)
	res.Transport = "member-a"
	return res, err
}

func (b *behind) SubmitParts(ctx context.Context, m *transport.Message, p transport.Parts) (transport.Result, error) {
	b.told = append(b.told, p.Transport)
	res, err := b.Transport.SubmitParts(ctx, m, p)
	res.Transport = "member-a"
	return res, err
}

// The rest of a message goes with the name of the transport that took its
// first parts (Parts.Transport), on every attempt, so that a router sends
// it through that one; the record names it too.
func TestSendPartsNameTheTransport(t *testing.T) {
	b := &behind{Transport: memtransport.New(nil)}
	b.InjectPart(2, memtransport.Throttle, memtransport.Throttle)
	c, _ := newClient(t, b, nil)
	rcpt, err := c.Send(context.Background(), msg(threeParts))
	require.NoError(t, err)
	assert.Equal(t, []string{"member-a", "member-a"}, b.told)
	r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, "member-a", r.Transport)
}

// When the caller's context ends before the rest could go, the message is
// incomplete, and the error still matches the context's.
func TestSendIncompleteWhenContextEnds(t *testing.T) {
	mt := memtransport.New(&memtransport.Options{RetryAfter: time.Hour})
	mt.InjectPart(2, memtransport.Throttle)
	c, _ := newClient(t, mt, &advox.Options{Backoff: advox.DefaultBackoff})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	rcpt, err := c.Send(ctx, msg(threeParts))
	require.Error(t, err)
	assert.ErrorIs(t, err, advox.ErrIncomplete)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, rcpt.Segments)
	assert.Equal(t, [][]int{{1}}, partsSent(mt))
	var ie *advox.IncompleteError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, []int{1}, ie.Sent)
	assert.NotContains(t, err.Error(), to[1:], "errors never carry the recipient")
}

func TestIncompleteErrorText(t *testing.T) {
	err := &advox.IncompleteError{Parts: 4, Sent: []int{1, 3}, Unknown: []int{2}, Err: transport.ErrThrottled}
	assert.Equal(t, "message incomplete: part(s) 1,3 of 4 sent, 2 unknown: transport: throttled", err.Error())
	assert.ErrorIs(t, err, transport.ErrThrottled)
	assert.Equal(t, advox.CodeIncomplete, advox.CodeOf(err))
	assert.Equal(t, "incomplete", advox.CodeIncomplete.String())
}

// A later part that the operator throttles is sent again, with the parts
// after it, under the message's concatenation reference. When it cannot
// go before the retry policy gives up, the message is incomplete: the
// error says which parts went, and only those are billed.
func ExampleIncompleteError() {
	ctx := context.Background()
	tr := memtransport.New(nil)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{
		Backoff: func(int, time.Duration) time.Duration { return time.Millisecond },
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	long := strings.Repeat("A message of three parts. ", 15)

	tr.InjectPart(2, memtransport.Throttle) // part 2 throttled once
	rcpt, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: long})
	fmt.Println(rcpt.Segments, rcpt.Attempts, err)
	for _, s := range tr.Sent() {
		fmt.Println("parts", s.Parts)
	}

	tr.InjectPart(3, memtransport.Throttle, memtransport.Throttle, memtransport.Throttle, memtransport.Throttle)
	rcpt, err = client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: long})
	var ie *advox.IncompleteError
	if errors.As(err, &ie) {
		fmt.Println(advox.CodeOf(err), "sent:", ie.Sent, "of", ie.Parts, "billed:", rcpt.Segments)
	}
	// Output:
	// 3 2 <nil>
	// parts [1]
	// parts [2 3]
	// incomplete sent: [1 2] of 3 billed: 2
}
