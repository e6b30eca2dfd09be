package advox

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/internal/telemetry"
	"github.com/azenna/advox/storage"
)

// PolicyMonths is the retention the privacy policy promises: traffic data is
// kept at most five calendar months.
const PolicyMonths = 5

// RetentionPolicy says how long traffic records are kept. The zero value
// means DefaultRetentionPolicy().
type RetentionPolicy struct {
	// Months is the hard cap in calendar months (0 means PolicyMonths). It
	// may be lowered freely; raising it above PolicyMonths needs
	// AllowBeyondPolicy, so that nobody extends retention by accident.
	Months int
	// AllowBeyondPolicy must be set to keep records longer than the
	// privacy policy's five months.
	AllowBeyondPolicy bool
	// ConsumerTimeBarYears and BusinessTimeBarYears bound how long an
	// unsettled invoice can hold its records: the claim is time-barred
	// that many years after the invoice is issued. 0 means
	// DefaultConsumerTimeBarYears and DefaultBusinessTimeBarYears.
	ConsumerTimeBarYears, BusinessTimeBarYears int
}

// The limitation periods of invoice claims, in years.
const (
	DefaultConsumerTimeBarYears = 3
	DefaultBusinessTimeBarYears = 10
)

// TimeBar returns when an invoice issued at issued is time-barred.
func (p RetentionPolicy) TimeBar(issued time.Time, consumer bool) time.Time {
	years := p.BusinessTimeBarYears
	if years == 0 {
		years = DefaultBusinessTimeBarYears
	}
	if consumer {
		years = p.ConsumerTimeBarYears
		if years == 0 {
			years = DefaultConsumerTimeBarYears
		}
	}
	return AddMonthsClamped(issued, 12*years)
}

// DefaultRetentionPolicy keeps traffic records for five calendar months,
// what the zero RetentionPolicy means. It is a function so that no caller
// can change the default of everyone else by accident.
func DefaultRetentionPolicy() RetentionPolicy { return RetentionPolicy{Months: PolicyMonths} }

func (p RetentionPolicy) months() int {
	if p.Months == 0 {
		return PolicyMonths
	}
	return p.Months
}

// Validate reports a policy that is malformed or exceeds the privacy policy
// without saying so explicitly.
func (p RetentionPolicy) Validate() error {
	switch m := p.months(); {
	case m < 0:
		return newError("retention", CodeInvalidArgument, "months must not be negative (got %d)", m)
	case p.ConsumerTimeBarYears < 0 || p.BusinessTimeBarYears < 0:
		return newError("retention", CodeInvalidArgument, "time-bars must not be negative")
	case m > PolicyMonths && !p.AllowBeyondPolicy:
		return newError("retention", CodeInvalidArgument,
			"%d months exceeds the policy's %d; set AllowBeyondPolicy to do so deliberately", m, PolicyMonths)
	}
	return nil
}

// Deadline returns when a record made at recorded must be gone: recorded
// plus the policy's months, clamped to the end of the target month.
func (p RetentionPolicy) Deadline(recorded time.Time) time.Time {
	return AddMonthsClamped(recorded, p.months())
}

// AddMonthsClamped adds n calendar months to t, keeping the time of day and
// clamping the day to the last day of the target month: 31 October plus
// five months is 31 March, 30 September plus five months is the last day of
// February. Unlike time.AddDate it never overflows into the next month.
//
// The result is the first instant at which t's clock shows that date and
// time of day: when a daylight-saving change repeats the hour, the first of
// the two; when it skips the hour, the instant of the change.
func AddMonthsClamped(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	ty, tm, _ := first.Date()
	if last := daysIn(ty, tm); d > last {
		d = last
	}
	hh, mm, ss := t.Clock()
	return firstAtWallClock(time.Date(ty, tm, d, hh, mm, ss, t.Nanosecond(), time.UTC), t.Location())
}

// firstAtWallClock returns the first instant at which the clock of loc
// shows wall (given as if in UTC) or later. time.Date leaves open which of
// two instants it picks for a repeated wall time, and moves a skipped one
// past the change by the size of the gap.
func firstAtWallClock(wall time.Time, loc *time.Location) time.Time {
	r := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), loc)
	start, end := r.ZoneBounds()
	switch shown := wallOf(r); {
	case shown.Before(wall): // skipped, and r lies before the change
		if !end.IsZero() {
			return end.In(loc)
		}
	case shown.After(wall): // skipped, and r lies after the change
		if !start.IsZero() {
			return start.In(loc)
		}
	case !start.IsZero(): // shown as asked: is the zone before r's showing it too, earlier?
		_, off := start.Add(-time.Nanosecond).Zone()
		if u := wall.Add(-time.Duration(off) * time.Second); u.Before(start) && wallOf(u.In(loc)).Equal(wall) {
			return u.In(loc)
		}
	}
	return r
}

// wallOf returns t's wall clock as if it were UTC.
func wallOf(t time.Time) time.Time {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	return time.Date(y, m, d, hh, mm, ss, t.Nanosecond(), time.UTC)
}

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// String describes the policy.
func (p RetentionPolicy) String() string {
	return fmt.Sprintf("keep traffic %d calendar months", p.months())
}

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
