package advox

import (
	"context"
	"hash/maphash"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/azenna/advox/storage"
)

// updateStatus applies a delivery report to the store and, when report
// metrics are recorded, measures it: a report that moved the message's
// status records its latency (from the record's CreatedAt to u.At) and,
// for a final status, counts the message. Reports that move nothing —
// duplicates, or one part of several that leaves the message where it was
// — record nothing.
//
// Seeing whether a report moved the status takes a read before the
// update; both run under a per-message lock, so that the same report
// applied twice at once (an early report held and claimed concurrently)
// counts once. The lock is per process: Clients in several processes that
// receive the same report may each count it.
func (t *telemetry) updateStatus(ctx context.Context, s storage.TrafficStore, u storage.StatusUpdate) (storage.Record, error) {
	if !t.latency.Enabled(ctx) && !t.final.Enabled(ctx) {
		return s.UpdateStatus(ctx, u)
	}
	mu := t.reportLocks.of(u.ID)
	mu.Lock()
	before, err := s.Get(ctx, u.ID)
	if err != nil {
		before = storage.Record{} // unknown: the update decides
	}
	rec, err := s.UpdateStatus(ctx, u)
	mu.Unlock()
	if err != nil || rec.Status == before.Status {
		return rec, err
	}
	attrs := metric.WithAttributes(attribute.String(AttrTransport, rec.Transport), attribute.String(AttrStatus, string(rec.Status)))
	t.latency.Record(ctx, max(u.At.Sub(rec.CreatedAt), 0).Seconds(), attrs)
	if rec.Status.Final() {
		t.final.Add(ctx, 1, attrs)
	}
	return rec, nil
}

// reportLocks serialise report metrics per message id, striped so that
// memory stays fixed.
type reportLocks struct {
	seed  maphash.Seed
	locks [64]sync.Mutex
}

func (l *reportLocks) of(id string) *sync.Mutex {
	return &l.locks[maphash.String(l.seed, id)%uint64(len(l.locks))]
}
