package router_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/router"
)

var seq atomic.Int64

// msg builds a message to a fresh Swedish mobile number.
func msg() *transport.Message {
	return msgTo(fmt.Sprintf("+4670%07d", seq.Add(1)))
}

// msgTo builds a message from an alphanumeric sender to to.
func msgTo(to string) *transport.Message {
	n := seq.Add(1)
	return &transport.Message{
		Account: "acct", ID: fmt.Sprintf("m%d", n),
		From: transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
		To:   to, Encoding: transport.GSM7, Parts: []string{fmt.Sprintf("text %d", n)}, Concat: transport.Concat8,
		ReportRequested: true,
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mems returns memtransports with the given names.
func mems(names ...string) []*memtransport.Transport {
	out := make([]*memtransport.Transport, len(names))
	for i, n := range names {
		out[i] = memtransport.New(&memtransport.Options{Name: n})
	}
	return out
}

func asTransports[T transport.Transport](ts []T) []transport.Transport {
	out := make([]transport.Transport, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}

// failover is a one-route table trying names in order.
func failover(names ...string) []router.Route {
	r := router.Route{Name: "default"}
	for _, n := range names {
		r.Transports = append(r.Transports, router.Target{Transport: n})
	}
	return []router.Route{r}
}

// newRouter builds a router over ts with cfg's other fields, closed at the
// end of the test.
func newRouter(t *testing.T, cfg router.Config, ts ...transport.Transport) *router.Router {
	t.Helper()
	cfg.Transports = ts
	r, err := router.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// clock is a fake clock for breaker decisions.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// scripted is a transport that answers each submit with the next queued
// error (nil: accepted) and counts what it was handed.
type scripted struct {
	name string

	mu      sync.Mutex
	answers []error
	got     []string
}

func (s *scripted) Name() string { return s.name }
func (s *scripted) Close() error { return nil }

func (s *scripted) Submit(_ context.Context, m *transport.Message) (transport.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, m.To)
	if len(s.answers) == 0 {
		return transport.Result{OperatorIDs: []string{fmt.Sprintf("%s-%d", s.name, len(s.got))}}, nil
	}
	err := s.answers[0]
	s.answers = s.answers[1:]
	var pe *transport.PartialError
	if errors.As(err, &pe) {
		return transport.Result{OperatorIDs: pe.Accepted}, err
	}
	return transport.Result{}, err
}

func (s *scripted) queue(errs ...error) {
	s.mu.Lock()
	s.answers = append(s.answers, errs...)
	s.mu.Unlock()
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// blocking is a transport that can fail with not-sent or hold a submit
// until released.
type blocking struct {
	name    string
	fail    atomic.Bool
	block   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (s *blocking) Name() string { return s.name }
func (s *blocking) Close() error { return nil }

func (s *blocking) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	if s.fail.Load() {
		return transport.Result{}, fmt.Errorf("%s: %w", s.name, transport.ErrNotSent)
	}
	if s.block.Load() {
		s.entered <- struct{}{}
		select {
		case <-s.release:
		case <-ctx.Done():
			return transport.Result{}, fmt.Errorf("%w: %w", transport.ErrOutcomeUnknown, ctx.Err())
		}
	}
	return transport.Result{OperatorIDs: []string{s.name + "-1"}}, nil
}

// linked is a scripted transport that tells its link state, as an SMPP
// transport does (transport.Linker).
type linked struct {
	scripted

	drop bool // each submit loses the link before it answers

	lmu      sync.Mutex
	up       bool
	changed  chan struct{}
	failFast bool
}

func (l *linked) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	if l.drop {
		l.set(false)
	}
	return l.scripted.Submit(ctx, m)
}

func newLinked(name string) *linked {
	return &linked{scripted: scripted{name: name}, up: true, changed: make(chan struct{})}
}

func (l *linked) Link() (bool, <-chan struct{}) {
	l.lmu.Lock()
	defer l.lmu.Unlock()
	return l.up, l.changed
}

func (l *linked) FailFast() {
	l.lmu.Lock()
	l.failFast = true
	l.lmu.Unlock()
}

// set changes the link state and announces it.
func (l *linked) set(up bool) {
	l.lmu.Lock()
	l.up = up
	close(l.changed)
	l.changed = make(chan struct{})
	l.lmu.Unlock()
}

// wholeOnly is a memtransport without its SubmitParts: a member that
// cannot send some parts of a message, though the partial failures it
// passes on from the memtransport say Resumable.
type wholeOnly struct{ *memtransport.Transport }

func (w wholeOnly) SubmitParts() {} // hides the memtransport's: not a transport.PartSubmitter

// threeParts is a three-part message, as the Client would hand it over.
func threeParts() *transport.Message {
	m := msg()
	m.Parts = []string{strings.Repeat("p", 153), strings.Repeat("q", 153), "third part"}
	return m
}

// sentParts lists the part numbers each submit to tr delivered, and the
// references they carried.
func sentParts(tr *memtransport.Transport) (parts [][]int, refs map[uint16]bool) {
	refs = map[uint16]bool{}
	for _, s := range tr.Sent() {
		parts = append(parts, s.Parts)
		refs[s.Ref] = true
	}
	return parts, refs
}
