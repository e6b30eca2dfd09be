package smscconformance

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
	"github.com/azenna/advox/transport/transporttest"
)

// Harness is a transporttest.Harness, FaultInjector and InboundInjector
// backed by a fresh smsctest.Server.
type Harness struct {
	// Server is the simulator the transport talks to.
	Server *smsctest.Server
	tr     transport.Transport
}

// NewHarness starts a simulator configured by cfg (nil: defaults, with
// credentials smsctest.DefaultSystemID and smsctest.DefaultPassword) and
// builds the transport under test with newTransport, given the
// simulator's address. The transport's response timeout should be short:
// the suite's outcome-unknown case waits for it.
func NewHarness(t *testing.T, cfg *smsctest.Options, newTransport func(addr string) (transport.Transport, error)) *Harness {
	t.Helper()
	srv, err := smsctest.NewServer(cfg)
	require.NoError(t, err)
	tr, err := newTransport(srv.Addr())
	if err != nil {
		_ = srv.Close()
		require.NoError(t, err)
	}
	return &Harness{Server: srv, tr: tr}
}

// Transport implements transporttest.Harness.
func (h *Harness) Transport() transport.Transport { return h.tr }

// Close implements transporttest.Harness: it stops the simulator.
func (h *Harness) Close() error { return h.Server.Close() }

// Received implements transporttest.Harness with the simulator's complete
// messages, international numbers with their "+".
func (h *Harness) Received() []transporttest.Received {
	var out []transporttest.Received
	for _, m := range h.Server.Messages() {
		out = append(out, transporttest.Received{From: m.From, To: m.To, Encoding: m.Encoding, Parts: m.Parts})
	}
	return out
}

// ReceivedParts implements transporttest.PartObserver with the parts of
// concatenated messages the simulator accepted (or took without
// answering).
func (h *Harness) ReceivedParts() []transporttest.ReceivedPart {
	var out []transporttest.ReceivedPart
	for _, s := range h.Server.Submits() {
		if s.MessageID == "" || s.Total <= 1 {
			continue
		}
		to := s.Dest.Value
		if s.Dest.TON == 1 { // international, as Received writes it
			to = "+" + to
		}
		out = append(out, transporttest.ReceivedPart{To: to, Ref: s.Ref, Number: s.Index, Total: s.Total})
	}
	return out
}

// InjectFault implements transporttest.FaultInjector: throttle is
// ESME_RTHROTTLED, reject ESME_RINVDSTADR, not sent ESME_RSYSERR, outcome
// unknown a submit_sm never answered, and connection lost a submit_sm
// answered by closing the connection.
func (h *Harness) InjectFault(f transporttest.Fault) {
	h.Server.InjectFault(smscFault(f))
}

// SupportsFault implements transporttest.FaultSupport.
func (h *Harness) SupportsFault(f transporttest.Fault) bool {
	return smscFault(f) != (smsctest.Fault{})
}

// InjectInbound implements transporttest.InboundInjector with
// Server.InjectMO: deliver_sm in GSM 7-bit or UCS-2, parts with an 8-bit
// concatenation header, delivered again when refused (as the simulator
// delivers receipts again: smsctest.Options.RedeliveryDelay, smsctest.Options.MaxDeliveries).
func (h *Harness) InjectInbound(m transporttest.MO) error {
	mo := smsctest.MO{From: m.From, To: m.To, Text: m.Text, Parts: m.Parts, Ref: m.Ref, Order: m.Order}
	if m.UCS2 {
		mo.DataCoding = 0x08
	}
	return h.Server.InjectMO(mo)
}

// InjectPartFault implements transporttest.PartFaultInjector: the
// simulator accepts the first part submit_sms of the next message and
// answers the next one with f.
func (h *Harness) InjectPartFault(part int, f transporttest.Fault) {
	for range part {
		h.Server.InjectFault(smsctest.Fault{})
	}
	h.Server.InjectFault(smscFault(f))
}

// smscFault maps a suite fault onto the simulator's (zero: unsupported).
func smscFault(f transporttest.Fault) smsctest.Fault {
	switch f {
	case transporttest.FaultThrottle:
		return smsctest.Fault{Status: smsctest.StatusThrottled}
	case transporttest.FaultReject:
		return smsctest.Fault{Status: smsctest.StatusInvalidDest}
	case transporttest.FaultNotSent:
		return smsctest.Fault{Status: smsctest.StatusSystemError}
	case transporttest.FaultOutcomeUnknown:
		return smsctest.Fault{NoAnswer: true}
	case transporttest.FaultConnectionLost:
		return smsctest.Fault{Drop: true}
	}
	return smsctest.Fault{}
}
