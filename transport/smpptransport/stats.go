package smpptransport

import "sync/atomic"

// Stats counts what a Transport saw since New. Receipts and messages that
// could not be used are counted here and logged with their id masked,
// never with a number or text.
type Stats struct {
	// Binds counts successful binds (rebinds included).
	Binds int64
	// Reports counts delivery receipts handed to the report handler.
	Reports int64
	// Inbound counts parts of messages from handsets handed to the
	// inbound handler (those flagged malformed included).
	Inbound int64
	// Malformed counts deliver_sm and data_sm that could not be read at
	// all (refused with ESME_RINVCMDLEN or ESME_RINVOPTPARSTREAM) and
	// receipts with no usable id or status (acknowledged and dropped).
	Malformed int64
	// MalformedInbound counts inbound parts handed over flagged
	// transport.Inbound.Malformed.
	MalformedInbound int64
	// Deferred counts receipts and inbound parts that arrived before a
	// handler was set and were answered with ESME_RX_T_APPN, so that the
	// SMSC keeps them and delivers them again later. An SMSC retrying
	// counts once per attempt.
	Deferred int64
	// Refused counts receipts and inbound parts whose handler returned an
	// error: answered with ESME_RX_T_APPN, for the SMSC to deliver again.
	Refused int64
	// Busy counts deliver_sm and data_sm answered with ESME_RX_T_APPN
	// because Config.DeliverWindow handlers already ran on their
	// connection, or the transport was closing.
	Busy int64
	// Late counts responses that no request waited for any more (answers
	// after a timeout, or answers to nothing).
	Late int64
	// Throttled counts submit_sm answered ESME_RTHROTTLED or
	// ESME_RMSGQFUL.
	Throttled int64
	// Rate is the submit_sm rate per second the transport holds itself to
	// now: Config.MaxRate, or lower after throttled answers; 0 when it
	// paces nothing.
	Rate float64
}

type counters struct {
	binds, reports, inbound, malformed, malformedInbound, deferred, refused, busy, late, throttled atomic.Int64
}

// Stats returns the transport's counters.
func (t *Transport) Stats() Stats {
	c := &t.stats
	return Stats{
		Binds: c.binds.Load(), Reports: c.reports.Load(), Inbound: c.inbound.Load(),
		Malformed: c.malformed.Load(), MalformedInbound: c.malformedInbound.Load(),
		Deferred: c.deferred.Load(), Refused: c.refused.Load(), Busy: c.busy.Load(), Late: c.late.Load(),
		Throttled: c.throttled.Load(), Rate: t.rc.rate(),
	}
}
