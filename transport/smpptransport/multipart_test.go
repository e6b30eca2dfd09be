package smpptransport

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// longText is three GSM-7 parts.
var longText = strings.Repeat("Three parts through the simulator. ", 12)

// sendClient is a Client over tr with quick retries, over a memory store.
func sendClient(t *testing.T, tr *Transport, opts *advox.Options) *advox.Client {
	t.Helper()
	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)))
	require.NoError(t, err)
	if opts == nil {
		opts = &advox.Options{}
	}
	opts.Processors, opts.Logger = procs, quiet
	if opts.Backoff == nil {
		opts.Backoff = func(int, time.Duration) time.Duration { return time.Millisecond }
	}
	c, err := advox.NewClient(tr, memstore.New(nil), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// acceptedParts returns the simulator's accepted submit_sm to `to`.
func acceptedParts(srv *smsctest.Server, to string) []smsctest.Submit {
	var out []smsctest.Submit
	for _, s := range srv.Submits() {
		if s.Status == 0 && s.MessageID != "" && "+"+s.Dest.Value == to {
			out = append(out, s)
		}
	}
	return out
}

// assertWholeOnce checks that the handset got every part of an n-part
// message exactly once, all under one concatenation reference.
func assertWholeOnce(t *testing.T, srv *smsctest.Server, to string, n int) {
	t.Helper()
	parts := acceptedParts(srv, to)
	require.Len(t, parts, n, "each part accepted exactly once")
	seen := map[int]bool{}
	for _, p := range parts {
		assert.Equal(t, parts[0].Ref, p.Ref, "one concatenation reference for every part")
		assert.Equal(t, n, p.Total)
		assert.False(t, seen[p.Index], "part %d sent twice", p.Index)
		seen[p.Index] = true
	}
	var whole int
	for _, m := range srv.Messages() {
		if m.To == to {
			whole++
			assert.Equal(t, longText, strings.Join(m.Parts, ""))
		}
	}
	assert.Equal(t, 1, whole, "the handset joins the parts into one message")
}

// A throttled part 2 of three is sent again, with the same reference and
// part number, until the message is whole. It came back ErrRejected with
// only part 1 delivered (and billed for three).
func TestSendThrottledLaterPartIsResent(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	c := sendClient(t, tr, nil)
	srv.InjectFault(smsctest.Fault{})                                 // part 1
	srv.InjectFault(smsctest.Fault{Status: smsctest.StatusThrottled}) // part 2
	srv.InjectFault(smsctest.Fault{Status: smsctest.StatusQueueFull}) // part 2 again

	const to = "+46701230001"
	rcpt, err := c.Send(ctxT(t, 10*time.Second), advox.Message{Account: "acct-1", From: "Advox", To: to, Text: longText})
	require.NoError(t, err)
	assert.Equal(t, 3, rcpt.Segments)
	assert.Equal(t, transport.StatusAccepted, rcpt.Status)
	assert.Len(t, rcpt.OperatorIDs, 3)
	assertWholeOnce(t, srv, to, 3)

	var rec advox.Record
	require.Eventually(t, func() bool {
		rec, err = c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
		return err == nil && rec.Status == transport.StatusDelivered
	}, 10*time.Second, 5*time.Millisecond, "every part's receipt lands on the record")
	assert.Equal(t, 3, rec.Segments)
	require.Len(t, rec.Parts, 3)
	for i, p := range acceptedParts(srv, to) {
		assert.Equal(t, normalizeID(p.MessageID, 0), rec.Parts[p.Index-1].OperatorID, "part %d", i+1)
	}
}

// A link lost between two parts: the rest goes after the rebind, under the
// same reference, or — when the SMSC stays out of reach — the message is
// reported incomplete, recorded and billed as what went. The message came
// back ErrRejected with part 1 alone on the handset.
func TestSendLinkDroppedBetweenParts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		outage  OutagePolicy
		gone    bool          // the SMSC goes away before the rest is sent
		timeout time.Duration // of the Send
	}{
		{name: "rebind, then the rest", outage: OutageWait, timeout: 10 * time.Second},
		{name: "rebind, then the rest (fail fast)", outage: OutageFailFast, timeout: 10 * time.Second},
		{name: "no rebind in time", outage: OutageWait, gone: true, timeout: 300 * time.Millisecond},
		{name: "no rebind before the retries run out", outage: OutageFailFast, gone: true, timeout: 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, nil)
			cfg := testConfig(srv)
			cfg.Outage = tc.outage
			tr := newTransport(t, cfg)
			waitBound(t, tr)
			backoff := func(int, time.Duration) time.Duration { return 20 * time.Millisecond } // a rebind takes ~5ms
			if tc.gone {
				backoff = func(int, time.Duration) time.Duration {
					_ = srv.Close() // once part 2 failed: the SMSC is gone
					return time.Millisecond
				}
			}
			accts, err := accounts.New(memstore.NewAccounts(), nil)
			require.NoError(t, err)
			_, err = accts.Create(context.Background(), storage.Customer{Account: "acme", Organisation: "Acme AB"})
			require.NoError(t, err)
			c := sendClient(t, tr, &advox.Options{Backoff: backoff, Accounts: accts})
			srv.InjectFault(smsctest.Fault{})                                                  // part 1
			srv.InjectFault(smsctest.Fault{Status: smsctest.StatusThrottled, DropAfter: true}) // part 2, and the link

			const to = "+46701230002"
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			rcpt, err := c.Send(ctx, advox.Message{Account: "acme", From: "Advox", To: to, Text: longText})
			rec, recErr := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, recErr)
			used, uerr := accts.SegmentsUsed(context.Background(), "acme", time.Now())
			require.NoError(t, uerr)
			if !tc.gone {
				require.NoError(t, err)
				assertWholeOnce(t, srv, to, 3)
				assert.Equal(t, 3, rec.Segments)
				assert.Equal(t, 3, used)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, advox.ErrIncomplete)
			assert.NotErrorIs(t, err, advox.ErrRejected)
			if tc.outage == OutageWait {
				assert.ErrorIs(t, err, context.DeadlineExceeded, "the rest could not go in time")
			}
			var ie *advox.IncompleteError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, []int{1}, ie.Sent)
			assert.Empty(t, ie.Unknown)
			parts := acceptedParts(srv, to)
			require.Len(t, parts, 1, "part 1 went, once")
			assert.Equal(t, 1, parts[0].Index)

			assert.Equal(t, 1, rcpt.Segments)
			assert.Equal(t, 1, rec.Segments, "billed: the part that went")
			assert.Equal(t, 1, used, "the quota gives back the parts that did not go")
			assert.True(t, strings.HasPrefix(rec.ErrorCode, "incomplete:"), rec.ErrorCode)
			require.Len(t, rec.Parts, 3)
			assert.Equal(t, normalizeID(parts[0].MessageID, 0), rec.Parts[0].OperatorID)
			assert.NotEqual(t, transport.StatusRejected, rec.Parts[0].Status)
			for _, p := range rec.Parts[1:] {
				assert.Equal(t, transport.StatusRejected, p.Status, "never sent: neither accepted nor unknown")
				assert.Equal(t, "not_sent", p.ErrorCode)
				assert.Empty(t, p.OperatorID)
			}
		})
	}
}

// Whatever a drop between two accepted parts leads to — the rest after a
// rebind, or a part written into the dying link — no part reaches the
// handset twice, all carry one reference, and the record and the error
// say what the SMSC took.
func TestSendLinkDroppedAfterAcceptedPart(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	waitBound(t, tr)
	c := sendClient(t, tr, &advox.Options{Backoff: func(int, time.Duration) time.Duration { return 20 * time.Millisecond }})
	srv.InjectFault(smsctest.Fault{DropAfter: true}) // part 1 accepted, then the link is gone

	const to = "+46701230003"
	rcpt, err := c.Send(ctxT(t, 10*time.Second), advox.Message{Account: "acct-1", From: "Advox", To: to, Text: longText})
	parts := acceptedParts(srv, to)
	seen := map[int]bool{}
	for _, p := range parts {
		assert.False(t, seen[p.Index], "part %d twice", p.Index)
		seen[p.Index] = true
		assert.Equal(t, parts[0].Ref, p.Ref)
	}
	rec, recErr := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, recErr)
	require.Len(t, rec.Parts, 3)
	for _, p := range parts {
		assert.Equal(t, normalizeID(p.MessageID, 0), rec.Parts[p.Index-1].OperatorID, "part %d recorded as the SMSC took it", p.Index)
	}
	switch {
	case err == nil:
		assertWholeOnce(t, srv, to, 3)
	case errors.Is(err, advox.ErrOutcomeUnknown): // part 2 went into the dying link; part 3 followed
		assert.Equal(t, transport.StatusUnknown, rec.Parts[1].Status)
		assert.Equal(t, 3, rec.Segments)
	default:
		require.ErrorIs(t, err, advox.ErrIncomplete)
	}
}

// SubmitParts sends the rest of a message under the reference and part
// numbers of the parts already accepted, and nothing else.
func TestSubmitPartsResumesUnderTheSameReference(t *testing.T) {
	for _, concat := range []transport.Concat{transport.Concat8, transport.Concat16} {
		t.Run(fmt.Sprint(concat), func(t *testing.T) {
			srv := newServer(t, nil)
			tr := newTransport(t, testConfig(srv))
			srv.InjectFault(smsctest.Fault{})
			srv.InjectFault(smsctest.Fault{Status: smsctest.StatusThrottled})
			m := msg("part one ", "part two ", "part three")
			m.Concat = concat
			_, err := tr.Submit(ctxT(t, 5*time.Second), m)
			var pe *transport.PartialError
			require.ErrorAs(t, err, &pe)
			require.True(t, pe.Resumable, "the SMPP transport can send the rest")
			require.Len(t, pe.Accepted, 1)
			first := srv.Submits()[0]
			assert.Equal(t, int(pe.Ref), first.Ref, "Ref is the reference on the wire")
			assert.Equal(t, int(concat), first.RefBits)

			res, err := tr.SubmitParts(ctxT(t, 5*time.Second), m, transport.Parts{Ref: pe.Ref, Indices: []int{1, 2}})
			require.NoError(t, err)
			require.Len(t, res.OperatorIDs, 2, "one id per part sent")
			subs := acceptedParts(srv, m.To)
			require.Len(t, subs, 3, "parts 1, 2 and 3, each once")
			for i, s := range subs {
				assert.Equal(t, i+1, s.Index)
				assert.Equal(t, 3, s.Total)
				assert.Equal(t, first.Ref, s.Ref)
				assert.Equal(t, int(concat), s.RefBits)
			}
			assert.Equal(t, []string{pe.Accepted[0], res.OperatorIDs[0], res.OperatorIDs[1]},
				[]string{normalizeID(subs[0].MessageID, 0), normalizeID(subs[1].MessageID, 0), normalizeID(subs[2].MessageID, 0)})
			msgs := srv.Messages()
			require.Len(t, msgs, 1, "the simulator joins them into one message")
			assert.Equal(t, m.Parts, msgs[0].Parts)
		})
	}
}

// A part that fails in SubmitParts after another was accepted is again a
// resumable partial failure; one that fails first is a plain error.
func TestSubmitPartsFailures(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	m := msg("one ", "two ", "three ", "four")
	p := transport.Parts{Ref: 42, Indices: []int{1, 2, 3}}

	srv.InjectFault(smsctest.Fault{Status: smsctest.StatusThrottled})
	_, err := tr.SubmitParts(ctxT(t, 5*time.Second), m, p)
	var pe *transport.PartialError
	assert.False(t, errors.As(err, &pe), "nothing accepted: a plain error")
	assert.ErrorIs(t, err, transport.ErrThrottled)

	srv.InjectFault(smsctest.Fault{})
	srv.InjectFault(smsctest.Fault{Status: smsctest.StatusSystemError})
	res, err := tr.SubmitParts(ctxT(t, 5*time.Second), m, p)
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Resumable)
	assert.Equal(t, uint16(42), pe.Ref)
	assert.Equal(t, res.OperatorIDs, pe.Accepted)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.Len(t, srv.Submits(), 3, "nothing after the failed part")
}

// Parts SubmitParts cannot send are refused before anything is written.
func TestSubmitPartsRefusesWhatItCannotSend(t *testing.T) {
	srv := newServer(t, nil)
	payload := testConfig(srv)
	payload.Payload = true
	for _, tc := range []struct {
		name string
		cfg  Config
		m    *transport.Message
		p    transport.Parts
	}{
		{"no parts", testConfig(srv), msg("a", "b"), transport.Parts{}},
		{"out of range", testConfig(srv), msg("a", "b"), transport.Parts{Indices: []int{2}}},
		{"single-part message", testConfig(srv), msg("a"), transport.Parts{Indices: []int{0}}},
		{"some parts in message_payload", payload, msg("a", "b"), transport.Parts{Indices: []int{1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTransport(t, tc.cfg)
			_, err := tr.SubmitParts(ctxT(t, 5*time.Second), tc.m, tc.p)
			assert.ErrorIs(t, err, transport.ErrRejected)
			assert.Empty(t, srv.Submits())
		})
	}
	// Every part in message_payload mode is the whole message: one PDU.
	tr := newTransport(t, payload)
	_, err := tr.SubmitParts(ctxT(t, 5*time.Second), msg("a", "b"), transport.Parts{Indices: []int{0, 1}})
	require.NoError(t, err)
	require.Len(t, srv.Submits(), 1)
	assert.True(t, srv.Submits()[0].Payload)
}
