package telemetry

import (
	"context"
	"hash/maphash"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/azenna/advox/storage"
)

// UpdateStatus applies a delivery report to the store and, when report
// metrics are recorded, measures it: a report that moved the message's
// status records its latency (from the record's CreatedAt to u.At) and,
// when the message first reaches a final status, counts it. Reports that
// move nothing — duplicates, or one part of several that leaves the
// message where it was — record nothing.
//
// Seeing whether a report moved the status takes a read before the
// update (a failed read fails the report, which is then tried again like
// one whose update failed); both run under a per-message lock, so that
// the same report applied twice at once (an early report held and claimed
// concurrently) counts once. The lock is per process: Clients in several processes that
// receive the same report may each count it.
func (t *Telemetry) UpdateStatus(ctx context.Context, s storage.TrafficStore, u storage.StatusUpdate) (storage.Record, error) {
	if !t.latency.Enabled(ctx) && !t.final.Enabled(ctx) {
		return s.UpdateStatus(ctx, u)
	}
	unlock, err := t.reportLocks.lock(ctx, u.ID)
	if err != nil {
		return storage.Record{}, err
	}
	before, err := s.Get(ctx, u.ID)
	if err != nil {
		// Without the status before, a report that moves nothing (a
		// duplicate of a final one) would be counted: the report fails
		// as the update would, and is held and tried again.
		unlock()
		return storage.Record{}, err
	}
	rec, err := s.UpdateStatus(ctx, u)
	unlock()
	if err != nil || rec.Status == before.Status {
		return rec, err
	}
	attrs := metric.WithAttributes(attribute.String(AttrTransport, rec.Transport), attribute.String(AttrStatus, string(rec.Status)))
	t.latency.Record(ctx, max(u.At.Sub(rec.CreatedAt), 0).Seconds(), attrs)
	if rec.Status.Final() && !before.Status.Final() {
		// Once final, a message stays counted: a later part that fails
		// otherwise may still move its overall status (expired to
		// undeliverable), and a message recorded final by Send (a partial
		// rejection) reached it without a report.
		t.final.Add(ctx, 1, attrs)
	}
	return rec, nil
}

// reportLocks serialise report metrics per message id, striped so that
// memory stays fixed. Each stripe is a one-slot channel, so that waiting
// for it honours the report's context.
type reportLocks struct {
	seed  maphash.Seed
	locks [64]chan struct{}
}

func newReportLocks() reportLocks {
	l := reportLocks{seed: maphash.MakeSeed()}
	for i := range l.locks {
		l.locks[i] = make(chan struct{}, 1)
	}
	return l
}

// lock takes id's stripe, or gives up with ctx's error when ctx ends
// first.
func (l *reportLocks) lock(ctx context.Context, id string) (unlock func(), err error) {
	ch := l.locks[maphash.String(l.seed, id)%uint64(len(l.locks))]
	select {
	case ch <- struct{}{}: // free: taken even when ctx has ended, as the store decides then
		return func() { <-ch }, nil
	default:
	}
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
