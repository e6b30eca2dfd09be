package smpptransport

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

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
