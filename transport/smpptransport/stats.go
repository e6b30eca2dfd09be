package smpptransport

import "sync/atomic"

// Stats counts what a Transport saw since New. Reports that could not be
// used are counted here and logged with their id masked.
type Stats struct {
	// Binds counts successful binds (rebinds included).
	Binds int64
	// Reports counts delivery receipts handed to the report queue.
	Reports int64
	// Malformed counts deliver_sm PDUs that claimed to be receipts but had
	// no usable id or status, or could not be decoded.
	Malformed int64
	// Unhandled counts receipts dropped because the handler was removed
	// (SetReportHandler(nil)) after they were acknowledged.
	Unhandled int64
	// Deferred counts receipts that arrived before a handler was set and
	// were answered with ESME_RX_T_APPN, so that the SMSC keeps them and
	// delivers them again later. An SMSC retrying counts once per attempt.
	Deferred int64
	// Ignored counts deliver_sm PDUs that were not receipts (mobile
	// originated messages, which this transport does not read).
	Ignored int64
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
	binds, reports, malformed, unhandled, deferred, ignored, late, throttled atomic.Int64
}

// Stats returns the transport's counters.
func (t *Transport) Stats() Stats {
	c := &t.stats
	return Stats{
		Binds: c.binds.Load(), Reports: c.reports.Load(), Malformed: c.malformed.Load(),
		Unhandled: c.unhandled.Load(), Deferred: c.deferred.Load(), Ignored: c.ignored.Load(), Late: c.late.Load(),
		Throttled: c.throttled.Load(), Rate: t.rc.rate(),
	}
}
