package router_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/router"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
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

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.DiscardHandler)

// smpp starts an SMSC simulator and an SMPP transport bound to it.
func smpp(t *testing.T, name string) (*smsctest.Server, *smpptransport.Transport) {
	t.Helper()
	srv, err := smsctest.NewServer(nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	tr, err := smpptransport.New(smpptransport.Config{
		Name: name, Addr: srv.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		RespTimeout: 2 * time.Second, Outage: smpptransport.OutageFailFast, Logger: quiet,
		Backoff: func(int) time.Duration { return 5 * time.Millisecond },
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.Eventually(t, func() bool { return tr.Ping(ctxT(t)) == nil }, 5*time.Second, time.Millisecond, "%s never bound", name)
	return srv, tr
}

// outcome is what one Send returned, and when.
type outcome struct {
	to   string
	rcpt advox.Receipt
	err  error
	at   time.Time
}

func countByTo(ms []smsctest.Message) map[string]int {
	out := make(map[string]int, len(ms))
	for _, m := range ms {
		out[m.To]++
	}
	return out
}

// pair is two SMSC simulators, an SMPP transport bound to each, a router
// over them (a first, b second) and a Client over the router.
type pair struct {
	srvA, srvB *smsctest.Server
	a, b       *smpptransport.Transport
	r          *router.Router
	c          *advox.Client
}

// pairConfig tunes a pair: the first SMSC and transport, and the route.
type pairConfig struct {
	smscA  smsctest.Options
	tuneA  func(*smpptransport.Config)
	spill  bool
	window int
}

// memberConfig is the transport configuration of a pair member: the
// defaults of a production setup (OutageWait, the router makes it fail
// fast) with a 1 s response timeout.
func memberConfig(name, addr string, window int) smpptransport.Config {
	return smpptransport.Config{
		Name: name, Addr: addr, SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		RespTimeout: time.Second, Window: window, Logger: quiet,
		Backoff: func(int) time.Duration { return 5 * time.Millisecond },
	}
}

func newPair(t testing.TB, pc pairConfig) *pair {
	t.Helper()
	p := &pair{}
	var err error
	p.srvA, err = smsctest.NewServer(&pc.smscA)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.srvA.Close() })
	p.srvB, err = smsctest.NewServer(nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.srvB.Close() })
	cfgA := memberConfig("a", p.srvA.Addr(), pc.window)
	if pc.tuneA != nil {
		pc.tuneA(&cfgA)
	}
	p.route(t, cfgA, memberConfig("b", p.srvB.Addr(), pc.window), pc.spill)
	return p
}

// route makes the pair's transports, router and Client, and waits until
// both transports are bound.
func (p *pair) route(t testing.TB, cfgA, cfgB smpptransport.Config, spill bool) {
	t.Helper()
	var err error
	p.a, err = smpptransport.New(cfgA)
	require.NoError(t, err)
	p.b, err = smpptransport.New(cfgB)
	require.NoError(t, err)
	p.r, err = router.New(router.Config{
		Name: "pair", Transports: []transport.Transport{p.a, p.b}, Logger: quiet,
		Routes: []router.Route{{Name: "default", SpillThrottled: spill,
			Transports: []router.Target{{Transport: p.a.Name()}, {Transport: p.b.Name()}}}},
	})
	require.NoError(t, err)
	agreed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	procs, err := processing.NewRegister(processing.OperatorProcessor(p.r.Name(), "SE", agreed),
		processing.OperatorProcessor(p.a.Name(), "SE", agreed), processing.OperatorProcessor(p.b.Name(), "SE", agreed))
	require.NoError(t, err)
	p.c, err = advox.NewClient(p.r, memstore.New(nil), &advox.Options{Processors: procs, Logger: quiet, NoReports: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.c.Close() })
	for _, tr := range []*smpptransport.Transport{p.a, p.b} {
		require.Eventually(t, func() bool { up, _ := tr.Link(); return up }, 5*time.Second, time.Millisecond, "%s never bound", tr.Name())
	}
}

// close ends the pair (also left to the test's cleanup).
func (p *pair) close() {
	_ = p.c.Close()
	_ = p.r.Close()
	_ = p.srvA.Close()
	_ = p.srvB.Close()
}

// load is senders sending through a pair's Client until stopped, each
// message to a number of its own.
type load struct {
	mu      sync.Mutex
	results []outcome
	done    atomic.Int64
	stop    chan struct{}
	wg      sync.WaitGroup
}

func (p *pair) start(senders int) *load {
	l := &load{stop: make(chan struct{})}
	var next atomic.Int64
	for range senders {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				to := fmt.Sprintf("+4670%07d", next.Add(1))
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				rcpt, err := p.c.Send(ctx, advox.Message{Account: "acct-1", From: "Advox", To: to, Text: "hello"})
				cancel()
				l.mu.Lock()
				l.results = append(l.results, outcome{to: to, rcpt: rcpt, err: err, at: time.Now()})
				l.mu.Unlock()
				l.done.Add(1)
			}
		}()
	}
	return l
}

// until waits (at most 10 s) until cond holds while the load runs.
func (l *load) until(t testing.TB, cond func() bool, what string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, time.Millisecond, what)
}

// end stops the load and returns what every Send returned.
func (l *load) end() []outcome {
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.results
}

// tally is what became of a run's messages.
type tally struct {
	accepted, unknown, notSent, failed int
	lost, duplicated                   int // must be 0
	onA, onB                           int
}

// count checks every outcome against what each SMSC received: an
// accepted message is on exactly one SMSC, an unknown one on at most
// one, a not-sent one on none.
func (p *pair) count(results []outcome) tally {
	return tallyOf(results, countByTo(p.srvA.Messages()), countByTo(p.srvB.Messages()))
}

// tallyOf checks results against what each SMSC received, by recipient.
func tallyOf(results []outcome, onA, onB map[string]int) tally {
	var n tally
	n.onA, n.onB = len(onA), len(onB)
	for _, o := range results {
		got := onA[o.to] + onB[o.to]
		if got > 1 {
			n.duplicated++
		}
		switch {
		case o.err == nil:
			n.accepted++
			if got == 0 {
				n.lost++
			}
		case errors.Is(o.err, advox.ErrOutcomeUnknown):
			n.unknown++
		case errors.Is(o.err, advox.ErrUnavailable), errors.Is(o.err, advox.ErrThrottled):
			n.notSent++
			if got != 0 {
				n.lost++ // said not sent, yet out: a retry would duplicate it
			}
		default:
			n.failed++
		}
	}
	return n
}
