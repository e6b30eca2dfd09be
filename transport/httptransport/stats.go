package httptransport

import "sync/atomic"

// Stats counts what the webhook saw since the transport was created.
type Stats struct {
	// Requests is every request the webhook answered.
	Requests int64
	// Unauthorized requests failed authentication (401).
	Unauthorized int64
	// Malformed requests could not be parsed (400, 405 or 413).
	Malformed int64
	// Reports is every report parsed from an authenticated request.
	Reports int64
	// Forwarded reports were handed to the report handler.
	Forwarded int64
	// Duplicates were dropped: a status already reported, or a
	// regression (a final status never changes, enroute never goes back).
	Duplicates int64
	// Parked reports waited for a submit in flight to learn their id.
	Parked int64
	// Uncorrelated reports named an id this transport did not know; they
	// are acknowledged (so the operator stops retrying) and forwarded for
	// the Client to look up in its store.
	Uncorrelated int64
	// Dropped reports arrived with no handler set or while closing: their
	// request was answered 503, for the operator to deliver them again.
	Dropped int64
	// Refused reports were handed to the report handler, which returned
	// an error: their request was answered 503, for the operator to
	// deliver them again.
	Refused int64
	// Ignored requests were callbacks of another kind posted to the report
	// URL (an inbound SMS, a batch summary) or to the inbound URL (a
	// delivery report): acknowledged, not read.
	Ignored int64
	// Inbound counts the parts of messages from handsets handed to the
	// inbound handler (InboundWebhook), MalformedInbound those of them
	// flagged transport.Inbound.Malformed. Requests that could not be read
	// at all count in Malformed; a part the handler failed on in Refused, a
	// part that came with no handler set or while closing in Dropped (each
	// answered 503, for the operator to deliver it again).
	Inbound, MalformedInbound int64
}

// counters are the live Stats.
type counters struct {
	requests, unauthorized, malformed, reports, forwarded,
	duplicates, parked, uncorrelated, dropped, refused, ignored,
	inbound, malformedInbound atomic.Int64
}

// Stats returns a snapshot of the webhook's counters.
func (t *Transport) Stats() Stats {
	c := &t.stats
	return Stats{
		Requests:     c.requests.Load(),
		Unauthorized: c.unauthorized.Load(),
		Malformed:    c.malformed.Load(),
		Reports:      c.reports.Load(),
		Forwarded:    c.forwarded.Load(),
		Duplicates:   c.duplicates.Load(),
		Parked:       c.parked.Load(),
		Uncorrelated: c.uncorrelated.Load(),
		Dropped:      c.dropped.Load(),
		Refused:      c.refused.Load(),
		Ignored:      c.ignored.Load(),
		Inbound:      c.inbound.Load(),

		MalformedInbound: c.malformedInbound.Load(),
	}
}
