package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/azenna/advox/transport"
)

// Router is a transport.Transport that routes each message to one of
// several transports (see the package documentation). It is safe for
// concurrent use.
type Router struct {
	name     string
	members  []*member
	routes   []route
	throttle ThrottlePolicy
	now      func() time.Time
	tel      *telemetry

	rngMu sync.Mutex
	rng   *rand.Rand

	handlerMu sync.Mutex // serialises SetReportHandler
	handler   atomic.Pointer[transport.ReportHandler]

	closeOnce sync.Once
	closed    atomic.Bool
	done      chan struct{}
	closeErr  error
}

// member is one transport of the router, with its breaker.
type member struct {
	name  string
	t     transport.Transport
	link  transport.Linker // nil: the transport tells nothing of its link
	br    *breaker
	attrs metric.MeasurementOption // AttrTransport = name
}

// linkDown reports whether the member says its link is down.
func (m *member) linkDown() bool {
	if m.link == nil {
		return false
	}
	up, _ := m.link.Link()
	return !up
}

var (
	_ transport.Transport    = (*Router)(nil)
	_ transport.ReportSource = (*Router)(nil)
	_ transport.Pinger       = (*Router)(nil)
	_ transport.Local        = (*Router)(nil)
)

// New validates cfg and returns a Router over its transports. Report
// handlers are registered on the transports that are a
// transport.ReportSource only when SetReportHandler is called, so that
// until then each keeps its own no-handler behaviour (an SMPP transport
// leaves receipts with the SMSC). Every transport that is a
// transport.Linker is told to fail fast (see the package documentation).
func New(cfg Config) (*Router, error) {
	members, routes, err := validate(&cfg)
	if err != nil {
		return nil, err
	}
	r := &Router{
		name:     cfg.Name,
		members:  members,
		routes:   routes,
		throttle: cfg.Throttle.withDefaults(),
		now:      cfg.Now,
		done:     make(chan struct{}),
	}
	if r.name == "" {
		r.name = "router"
	}
	if r.now == nil {
		r.now = time.Now
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	r.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	r.tel = newTelemetry(cfg.MeterProvider, log, r)
	policy := cfg.Breaker.withDefaults()
	for _, m := range members {
		m.attrs = metric.WithAttributeSet(attribute.NewSet(attribute.String(AttrTransport, m.name)))
		if l, ok := m.t.(transport.Linker); ok {
			m.link = l
			l.FailFast()
		}
		m.br = newBreaker(policy, m.link,
			func(from, to BreakerState) { r.tel.transition(m, from, to) },
			func() { r.tel.failures.Add(context.Background(), 1, m.attrs) })
	}
	return r, nil
}

// Name implements transport.Transport.
func (r *Router) Name() string { return r.name }

var _ transport.Composite = (*Router)(nil)

// Transports returns the names of the transports messages reach through
// the router, in Config order: every one of them receives messages, so
// every one must be a registered sub-processor. A member that is itself a
// transport.Composite (a nested router) is replaced by its own
// Transports, so that no operator behind it goes unchecked.
func (r *Router) Transports() []string {
	var out []string
	for _, m := range r.members {
		if c, ok := m.t.(transport.Composite); ok {
			out = append(out, c.Transports()...)
			continue
		}
		out = append(out, m.name)
	}
	return out
}

var _ transport.Operated = (*Router)(nil)

// Operators implements transport.Operated: the operators its transports
// declare, composites expanded.
func (r *Router) Operators() map[string]transport.Operator {
	var out map[string]transport.Operator
	for _, m := range r.members {
		o, ok := m.t.(transport.Operated)
		if !ok {
			continue
		}
		for name, op := range o.Operators() {
			if out == nil {
				out = make(map[string]transport.Operator)
			}
			out[name] = op
		}
	}
	return out
}

// Breaker returns the breaker state of the named transport ("" when the
// router has no such transport).
func (r *Router) Breaker(name string) BreakerState {
	for _, m := range r.members {
		if m.name == name {
			return m.br.current(r.now())
		}
	}
	return ""
}

// Local implements transport.Local: the router hands data to a third party
// unless every one of its transports is local.
func (r *Router) Local() bool {
	for _, m := range r.members {
		l, ok := m.t.(transport.Local)
		if !ok || !l.Local() {
			return false
		}
	}
	return true
}

// Ping implements transport.Pinger: it succeeds when at least one
// transport in rotation answers (a transport that is not a
// transport.Pinger counts as answering).
func (r *Router) Ping(ctx context.Context) error {
	if r.closed.Load() {
		return errClosed
	}
	now := r.now()
	var errs []error
	for _, m := range r.members {
		if !m.br.available(now) {
			continue
		}
		p, ok := m.t.(transport.Pinger)
		if !ok {
			return nil
		}
		err := p.Ping(ctx)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return &exhausted{what: "no transport answers", errs: errs}
}

// Close implements transport.Transport: it closes every transport (each
// ends its own goroutines) and interrupts submits waiting out a throttle
// pause. The router starts no goroutines of its own.
func (r *Router) Close() error {
	r.closeOnce.Do(func() {
		r.closed.Store(true)
		close(r.done)
		var errs []error
		for _, m := range r.members {
			errs = append(errs, m.t.Close())
		}
		r.closeErr = errors.Join(errs...)
		r.tel.close()
	})
	return r.closeErr
}

var errClosed = fmt.Errorf("router: %w", transport.ErrClosed)
