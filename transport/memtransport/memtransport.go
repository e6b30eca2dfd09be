package memtransport

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/azenna/advox/transport"
)

// Fault is an outcome the transport can be told to produce for a submit.
type Fault int

// The faults.
const (
	// Accept answers normally (the default).
	Accept Fault = iota
	// Throttle refuses with transport.ErrThrottled (safe to retry), with
	// Config.RetryAfter as the hint.
	Throttle
	// NotSent fails with transport.ErrNotSent (never reached the operator).
	NotSent
	// OutcomeUnknown fails with transport.ErrOutcomeUnknown; the message is
	// recorded as received, as a real operator may have taken it.
	OutcomeUnknown
	// Reject refuses with transport.ErrRejected.
	Reject
)

// String names the fault.
func (f Fault) String() string {
	switch f {
	case Accept:
		return "accept"
	case Throttle:
		return "throttle"
	case NotSent:
		return "not sent"
	case OutcomeUnknown:
		return "outcome unknown"
	case Reject:
		return "reject"
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// Config configures a Transport. The zero value accepts everything and
// sends no reports.
type Config struct {
	// Name is the transport's name; "" means "mem".
	Name string
	// ReportStatus, when set, makes the transport send one delivery report
	// with this status for every part of every accepted message that asked
	// for reports. Each report goes to the handler set when it fires (not
	// when the message was submitted) and is dropped if none is set then.
	ReportStatus transport.Status
	// ReportDelay delays those reports.
	ReportDelay time.Duration
	// RetryAfter is the hint given with Throttle faults.
	RetryAfter time.Duration
	// Latency delays every Submit (honouring ctx and Close).
	Latency time.Duration
}

// Sent is a message the transport received, with the ids it answered.
type Sent struct {
	// Message is the message as the Client handed it over.
	Message transport.Message
	// OperatorIDs are the ids the transport gave its parts, one per part.
	OperatorIDs []string
	// Fault is the fault the submit was answered with: Accept, or
	// OutcomeUnknown for a message taken without an answer. Refused
	// submits (Throttle, NotSent, Reject) are not in Sent at all.
	Fault Fault
}

// Transport is the in-memory transport. It is safe for concurrent use.
type Transport struct {
	cfg Config

	mu      sync.Mutex
	seq     int
	faults  []Fault
	sent    []Sent
	handler transport.ReportHandler
	reports sync.WaitGroup
	done    chan struct{} // closed by Close, under mu
}

var (
	_ transport.Transport    = (*Transport)(nil)
	_ transport.ReportSource = (*Transport)(nil)
	_ transport.Pinger       = (*Transport)(nil)
	_ transport.Local        = (*Transport)(nil)
)

// New returns a Transport. cfg may be nil.
func New(cfg *Config) *Transport {
	t := &Transport{done: make(chan struct{})}
	if cfg != nil {
		t.cfg = *cfg
	}
	if t.cfg.Name == "" {
		t.cfg.Name = "mem"
	}
	return t
}

// Name implements transport.Transport.
func (t *Transport) Name() string { return t.cfg.Name }

// Inject queues faults: each of the next submits consumes one, in order.
func (t *Transport) Inject(faults ...Fault) {
	t.mu.Lock()
	t.faults = append(t.faults, faults...)
	t.mu.Unlock()
}

// SetReportHandler implements transport.ReportSource. The handler replaces
// the previous one for every report sent from now on, including reports
// already scheduled; nil stops delivery.
func (t *Transport) SetReportHandler(h transport.ReportHandler) {
	t.mu.Lock()
	t.handler = h
	t.mu.Unlock()
}

// Local implements transport.Local: nothing leaves the process.
func (t *Transport) Local() bool { return true }

// Ping implements transport.Pinger.
func (t *Transport) Ping(ctx context.Context) error {
	if t.isClosed() {
		return transport.ErrClosed
	}
	return ctx.Err()
}

// isClosed reports whether Close was called.
func (t *Transport) isClosed() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// Submit implements transport.Transport. After Close it fails with an
// error wrapping transport.ErrClosed, whatever the state of ctx. A submit
// cut short while it waits out Config.Latency — by ctx or by Close — sent
// nothing: its error wraps transport.ErrNotSent and ctx.Err() or
// transport.ErrClosed.
func (t *Transport) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	if t.isClosed() {
		return transport.Result{}, errClosed
	}
	if err := ctx.Err(); err != nil {
		return transport.Result{}, fmt.Errorf("memtransport: %w: %w", transport.ErrNotSent, err)
	}
	if t.cfg.Latency > 0 {
		timer := time.NewTimer(t.cfg.Latency)
		select {
		case <-ctx.Done():
			timer.Stop()
			return transport.Result{}, fmt.Errorf("memtransport: %w: %w", transport.ErrNotSent, ctx.Err())
		case <-t.done:
			timer.Stop()
			return transport.Result{}, errClosedWaiting
		case <-timer.C:
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.isClosed() {
		return transport.Result{}, errClosedWaiting
	}
	f := Accept
	if len(t.faults) > 0 {
		f = t.faults[0]
		t.faults = t.faults[1:]
	}
	switch f {
	case Throttle:
		return transport.Result{}, &transport.RetryAfterError{After: t.cfg.RetryAfter, Err: fmt.Errorf("memtransport: %w", transport.ErrThrottled)}
	case NotSent:
		return transport.Result{}, fmt.Errorf("memtransport: %w", transport.ErrNotSent)
	case Reject:
		return transport.Result{}, fmt.Errorf("memtransport: invalid destination: %w", transport.ErrRejected)
	}
	ids := make([]string, len(m.Parts))
	for i := range ids {
		t.seq++
		ids[i] = "mem-" + strconv.Itoa(t.seq)
	}
	cp := *m
	cp.Parts = slices.Clone(m.Parts)
	t.sent = append(t.sent, Sent{Message: cp, OperatorIDs: ids, Fault: f})
	if f == OutcomeUnknown {
		return transport.Result{}, fmt.Errorf("memtransport: no response: %w", transport.ErrOutcomeUnknown)
	}
	if t.cfg.ReportStatus != "" && m.ReportRequested {
		t.scheduleReports(ids)
	}
	// The caller owns the returned ids: t.sent and the reports keep theirs.
	return transport.Result{OperatorIDs: slices.Clone(ids)}, nil
}

var (
	errClosed        = fmt.Errorf("memtransport: %w", transport.ErrClosed)
	errClosedWaiting = fmt.Errorf("memtransport: closed during submit: %w: %w", transport.ErrNotSent, transport.ErrClosed)
)

// scheduleReports sends the configured report for each id after the delay,
// on a goroutine that Close waits for. Each report goes to the handler set
// when it fires, and is dropped when none is set then. Called with t.mu held.
func (t *Transport) scheduleReports(ids []string) {
	t.reports.Add(1)
	go func() {
		defer t.reports.Done()
		timer := time.NewTimer(t.cfg.ReportDelay)
		defer timer.Stop()
		select {
		case <-t.done:
			return
		case <-timer.C:
		}
		for _, id := range ids {
			t.mu.Lock()
			h := t.handler
			t.mu.Unlock()
			if h != nil {
				h(context.Background(), transport.Report{OperatorID: id, Status: t.cfg.ReportStatus, At: time.Now()})
			}
		}
	}()
}

// Report delivers r to the report handler now, as if the operator had sent
// it, and returns once the handler has. It reports whether a handler was
// set; after Close it delivers nothing and returns false. Close waits for
// a handler Report is running.
func (t *Transport) Report(ctx context.Context, r transport.Report) bool {
	t.mu.Lock()
	h := t.handler
	if h == nil || t.isClosed() {
		t.mu.Unlock()
		return false
	}
	t.reports.Add(1) // under mu, before Close can start waiting
	t.mu.Unlock()
	defer t.reports.Done()
	h(ctx, r)
	return true
}

// Sent returns a copy of what the transport has received, in order. The
// copy is deep: the caller may modify it, slices included.
func (t *Transport) Sent() []Sent {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Sent, len(t.sent))
	for i, s := range t.sent {
		s.Message.Parts = slices.Clone(s.Message.Parts)
		s.OperatorIDs = slices.Clone(s.OperatorIDs)
		out[i] = s
	}
	return out
}

// Close implements transport.Transport. It cuts short submits waiting out
// Config.Latency. Scheduled reports whose delay has not run out are
// dropped; Close waits for the ones being delivered and for handlers
// Report is running, and every report goroutine has ended when it
// returns.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.isClosed() {
		t.mu.Unlock()
		return nil
	}
	close(t.done)
	t.mu.Unlock()
	t.reports.Wait()
	return nil
}
