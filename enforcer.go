package advox

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/internal/telemetry"
	"github.com/azenna/advox/storage"
)

// RetentionOptions configures a Retention enforcer. nil or zero fields mean
// the defaults.
type RetentionOptions struct {
	// Every is the interval between purges; 0 means DefaultPurgeEvery.
	Every time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives a line per purge; nil means slog.Default().
	Logger *slog.Logger
	// Auditor receives an event per purge; nil means Logger at
	// audit.DefaultLevel.
	Auditor audit.Auditor
	// MeterProvider receives the count of records purged
	// (MetricPurgeDeleted); nil means the otel global provider. A Client
	// hands its own Options.MeterProvider to the enforcer it runs.
	MeterProvider metric.MeterProvider
}

// DefaultPurgeEvery is how often the enforcer purges by default.
const DefaultPurgeEvery = time.Hour

// PurgeReport says what a purge did: counts and a deadline, no numbers.
type PurgeReport = storage.PurgeResult

// Retention purges a store of traffic past the retention policy. Stores
// already hide such records on read; purging deletes them. It is safe to
// run in several instances at once against one database.
type Retention struct {
	store  storage.TrafficStore
	every  time.Duration
	now    func() time.Time
	log    *slog.Logger
	audit  audit.Auditor
	purged metric.Int64Counter
}

// NewRetention returns an enforcer for store. opts may be nil.
func NewRetention(store storage.TrafficStore, opts *RetentionOptions) *Retention {
	r := &Retention{store: store, every: DefaultPurgeEvery, now: time.Now, log: slog.Default()}
	var mp metric.MeterProvider
	if opts != nil {
		if opts.Every > 0 {
			r.every = opts.Every
		}
		if opts.Now != nil {
			r.now = opts.Now
		}
		if opts.Logger != nil {
			r.log = opts.Logger
		}
		r.audit = opts.Auditor
		mp = opts.MeterProvider
	}
	r.purged = telemetry.PurgeCounter(mp, r.log)
	if r.audit == nil {
		r.audit = audit.Default(r.log)
	}
	return r
}

// PurgeNow purges once, at the enforcer's clock.
func (r *Retention) PurgeNow(ctx context.Context) (PurgeReport, error) {
	rep, err := r.store.Purge(ctx, r.now())
	if err != nil {
		return rep, wrap("purge", err)
	}
	r.purged.Add(ctx, int64(rep.Deleted))
	r.audit.Audit(ctx, audit.Event{Time: r.now(), Action: "purge", Actor: audit.ActorFrom(ctx), Count: rep.Deleted})
	r.log.Info("advox: retention purge", "deleted", rep.Deleted, "bodies_dropped", rep.BodiesDropped, "oldest_deadline", rep.OldestDeadline)
	return rep, nil
}

// Run purges now and then at every interval until ctx ends.
func (r *Retention) Run(ctx context.Context) {
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		if _, err := r.PurgeNow(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("advox: retention purge failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
