package transporttest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/transport"
)

// PartObserver is implemented by harnesses whose far end takes the parts
// of a multipart message one by one (SMPP submit_sm): the multipart cases
// then check that no part arrives twice and that all parts of a message
// carry one concatenation reference.
type PartObserver interface {
	// ReceivedParts returns every part of a multipart message the far end
	// took, in arrival order.
	ReceivedParts() []ReceivedPart
}

// ReceivedPart is one part of a multipart message as the far end took it.
type ReceivedPart struct {
	// To is the recipient number as the far end received it.
	To string
	// Ref is the concatenation reference.
	Ref int
	// Number is the part's number (1-based) and Total the message's part
	// count, as the part said.
	Number, Total int
}

// threeParts is a GSM-7 message of three parts.
func threeParts() *transport.Message {
	return message("", transport.GSM7, strings.Repeat("p", 153), strings.Repeat("q", 153), "third part")
}

// checkPartsOnce checks, when the harness observes parts, that no part of
// the message to `to` arrived twice and that they carry one reference.
func checkPartsOnce(t *testing.T, h Harness, to string) {
	t.Helper()
	po, ok := h.(PartObserver)
	if !ok {
		return
	}
	var parts []ReceivedPart
	for _, p := range po.ReceivedParts() {
		if p.To == to {
			parts = append(parts, p)
		}
	}
	seen := map[int]bool{}
	for _, p := range parts {
		assert.Falsef(t, seen[p.Number], "part %d of the message reached the far end twice", p.Number)
		seen[p.Number] = true
		assert.Equal(t, parts[0].Ref, p.Ref, "every part of a message carries one reference")
	}
}

// testResume checks a PartSubmitter: after a later part failed as fault
// says, SubmitParts sends the rest — the failed part too unless it may be
// out — and the far end gets the message whole, each part once.
func testResume(fault Fault) func(*testing.T, Harness, transport.Transport, Features) {
	return func(t *testing.T, h Harness, tr transport.Transport, f Features) {
		pi, ok := h.(PartFaultInjector)
		if !ok {
			t.Skip("harness does not implement PartFaultInjector")
		}
		ps, ok := tr.(transport.PartSubmitter)
		if !ok {
			t.Skip("the adapter does not implement transport.PartSubmitter")
		}
		pi.InjectPartFault(1, fault)
		m := threeParts()
		_, err := tr.Submit(withTimeout(t, f), m)
		if err == nil {
			if got := waitReceived(t, h, m.To, f); len(got.Parts) == 1 {
				t.Skip("the adapter sends a multipart message in one request (no part can fail alone)")
			}
		}
		var pe *transport.PartialError
		require.ErrorAs(t, err, &pe, "a message whose first part was accepted fails with a *transport.PartialError")
		require.True(t, pe.Resumable, "a PartSubmitter's partial failures are Resumable, with the reference used")
		require.Len(t, pe.Accepted, 1)
		rest := []int{1, 2}
		if fault == FaultOutcomeUnknown {
			rest = []int{2} // part 2 may be out: never sent again
		}
		res, err := ps.SubmitParts(withTimeout(t, f), m, transport.Parts{Ref: pe.Ref, Indices: rest})
		require.NoError(t, err)
		if len(res.OperatorIDs) > 0 {
			require.Len(t, res.OperatorIDs, len(rest), "one operator id per part sent")
			for _, id := range res.OperatorIDs {
				assert.NotEmpty(t, id)
				assert.NotContains(t, pe.Accepted, id, "a part sent again is a new part")
			}
		}
		checkReceived(t, m, waitReceived(t, h, m.To, f))
		assert.Equal(t, 1, countTo(h, m.To), "the parts join into one message")
		checkPartsOnce(t, h, m.To)

		// SubmitParts sends nothing it was not asked for.
		_, err = ps.SubmitParts(withTimeout(t, f), m, transport.Parts{Ref: pe.Ref, Indices: []int{3}})
		assert.ErrorIs(t, err, transport.ErrRejected, "a part the message does not have")
		checkPartsOnce(t, h, m.To)
	}
}

// testClientLaterPart sends a three-part message through the Client with
// part 2 failing as fault says. A throttled part is sent again through a
// PartSubmitter and the message ends whole; otherwise — a refused part,
// or an adapter without PartSubmitter, which is never asked to send the
// message again — the message is incomplete, and the error, the record
// and the segments say which parts went.
func testClientLaterPart(fault Fault) func(*testing.T, Harness, transport.Transport, Features) {
	return func(t *testing.T, h Harness, tr transport.Transport, f Features) {
		pi, ok := h.(PartFaultInjector)
		if !ok {
			t.Skip("harness does not implement PartFaultInjector")
		}
		pi.InjectPartFault(1, fault)
		c := client(t, tr)
		to := "+4670123457" + map[Fault]string{FaultThrottle: "1", FaultReject: "2"}[fault]
		text := strings.Repeat("A later part fails. ", 18) // three parts
		rcpt, err := c.Send(withTimeout(t, f), advox.Message{Account: "conformance", From: "Advox", To: to, Text: text})
		_, resumes := tr.(transport.PartSubmitter)
		if err == nil {
			// Whole: the rest went again, or the message went in one
			// request no part of which can fail alone.
			require.True(t, resumes || len(waitReceived(t, h, to, f).Parts) == 1,
				"an adapter without PartSubmitter cannot have sent the rest")
			assert.Equal(t, text, waitReceived(t, h, to, f).Text())
			assert.Equal(t, 1, countTo(h, to), "one message on the handset")
			assert.Equal(t, 3, rcpt.Segments)
			checkPartsOnce(t, h, to)
			return
		}
		require.False(t, resumes && fault == FaultThrottle, "a throttled part is sent again through a PartSubmitter: %v", err)
		require.ErrorIs(t, err, advox.ErrIncomplete, "part 1 went: the message is incomplete")
		assert.NotErrorIs(t, err, advox.ErrRejected, "never a plain rejection")
		var ie *advox.IncompleteError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, []int{1}, ie.Sent)
		if !resumes {
			assert.Equal(t, 1, rcpt.Attempts, "an adapter without PartSubmitter is never asked again")
		}
		rec, err := c.Status(withTimeout(t, f), advox.PurposeTransmit, rcpt.ID)
		require.NoError(t, err)
		require.Len(t, rec.Parts, 3)
		assert.NotEqual(t, transport.StatusRejected, rec.Parts[0].Status, "part 1 went")
		assert.Equal(t, transport.StatusRejected, rec.Parts[2].Status, "part 3 never went: not accepted, not unknown")
		assert.Equal(t, "not_sent", rec.Parts[2].ErrorCode)
		sent := 1 // billed: the parts that reached the operator
		if fault == FaultReject {
			sent = 2
		}
		assert.Equal(t, sent, rec.Segments)
		assert.Equal(t, sent, rcpt.Segments)
		time.Sleep(20 * time.Millisecond)
		assert.Zero(t, countTo(h, to), "the handset never has the message whole")
		checkPartsOnce(t, h, to)
	}
}
