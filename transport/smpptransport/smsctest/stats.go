package smsctest

import (
	"sync/atomic"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// Stats counts what the simulator saw and sent.
type Stats struct {
	// Transmitters, Receivers and Transceivers count accepted binds.
	Transmitters, Receivers, Transceivers int64
	// BindsRefused counts binds with wrong credentials.
	BindsRefused int64
	// Submits counts submit_sm received.
	Submits int64
	// Delivers counts deliver_sm sent; DeliverAcks the deliver_sm_resp
	// received.
	Delivers, DeliverAcks int64
	// DeliverRefusals counts deliver_sm answered with a non-zero
	// command_status; Redeliveries the deliver_sm sent again because of
	// one, or because the connection they went out on closed before
	// answering them (they are counted in Delivers too).
	DeliverRefusals, Redeliveries int64
	// EnquireLinks counts enquire_link received; Unbinds unbind received.
	EnquireLinks, Unbinds int64
}

type counters struct {
	transmitters, receivers, transceivers, bindsRefused   atomic.Int64
	submits, delivers, deliverAcks, enquireLinks, unbinds atomic.Int64
	deliverRefusals, redeliveries                         atomic.Int64
}

func (c *counters) bound(kind pdu.ID) {
	switch kind {
	case pdu.BindTransmitterID:
		c.transmitters.Add(1)
	case pdu.BindReceiverID:
		c.receivers.Add(1)
	default:
		c.transceivers.Add(1)
	}
}

// Stats returns the simulator's counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	return Stats{
		Transmitters: c.transmitters.Load(), Receivers: c.receivers.Load(), Transceivers: c.transceivers.Load(),
		BindsRefused: c.bindsRefused.Load(), Submits: c.submits.Load(),
		Delivers: c.delivers.Load(), DeliverAcks: c.deliverAcks.Load(),
		DeliverRefusals: c.deliverRefusals.Load(), Redeliveries: c.redeliveries.Load(),
		EnquireLinks: c.enquireLinks.Load(), Unbinds: c.unbinds.Load(),
	}
}
