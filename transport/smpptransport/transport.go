package smpptransport

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
	"golang.org/x/time/rate"
)

// Transport is an SMPP 3.4 client implementing transport.Transport,
// transport.ReportSource, transport.InboundSource and transport.Pinger.
// It is safe for concurrent use.
type Transport struct {
	cfg     Config
	name    string
	tx      []*link // links that submit (transceivers or transmitters)
	all     []*link
	rc      *rateControl
	handler atomic.Pointer[transport.ReportHandler]
	inbound atomic.Pointer[transport.InboundHandler]
	rr      atomic.Uint32
	stats   counters
	ids     idBases

	bindSeqLogged atomic.Bool // the SMSC's own bind numbering was logged
	failFast      atomic.Bool // FailFast was called

	stateMu sync.Mutex
	changed chan struct{} // closed and replaced on every link state change

	submitMu  sync.RWMutex // Submit holds it shared; Close exclusively
	closed    atomic.Bool
	done      <-chan struct{} // closed by Close: closeCtx.Done()
	closeCtx  context.Context // also the handlers' context
	closeNow  context.CancelFunc
	stopLinks context.CancelFunc
	closeOnce sync.Once
	wg        sync.WaitGroup // links, readers and handler calls
}

// New validates cfg and starts binding in the background: it does not
// wait for the SMSC. Submits made before the first bind completes wait for
// it (OutageWait) or fail as not sent (OutageFailFast); Ping tells whether
// the SMSC answers.
func New(cfg Config) (*Transport, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Transport{
		cfg:     cfg,
		name:    "smpp:" + cfg.Name,
		changed: make(chan struct{}),
	}
	t.rc = newRateControl(cfg.MaxRate, cfg.Burst)
	for s := range cfg.Sessions {
		if cfg.BindMode == TransmitterReceiver {
			tx, rx := newLink(t, s, pdu.BindTransmitterID), newLink(t, s, pdu.BindReceiverID)
			t.tx = append(t.tx, tx)
			t.all = append(t.all, tx, rx)
		} else {
			l := newLink(t, s, pdu.BindTransceiverID)
			t.tx = append(t.tx, l)
			t.all = append(t.all, l)
		}
	}
	t.closeCtx, t.closeNow = context.WithCancel(context.Background())
	t.done = t.closeCtx.Done()
	linkCtx, stopLinks := context.WithCancel(context.Background())
	t.stopLinks = stopLinks
	t.wg.Add(len(t.all))
	for _, l := range t.all {
		go l.run(linkCtx)
	}
	return t, nil
}

// Name implements transport.Transport: "smpp:" and Config.Name (or Addr).
func (t *Transport) Name() string { return t.name }

var _ transport.Operated = (*Transport)(nil)

// Operators implements transport.Operated: the operator Config.Operator
// declares, if any.
func (t *Transport) Operators() map[string]transport.Operator {
	if t.cfg.Operator == (transport.Operator{}) {
		return nil
	}
	return map[string]transport.Operator{t.name: t.cfg.Operator}
}

// SetReportHandler implements transport.ReportSource. The handler runs on
// a goroutine of its own for each receipt, and the deliver_sm (or
// data_sm) is answered once it has returned: 0 when it took the receipt,
// ESME_RX_T_APPN when it failed, so that the SMSC delivers the receipt
// again. Until a handler is set, receipts are answered ESME_RX_T_APPN
// (counted in Stats.Deferred): none is lost to a start-up.
func (t *Transport) SetReportHandler(h transport.ReportHandler) {
	if h == nil {
		t.handler.Store(nil)
		return
	}
	t.handler.Store(&h)
}

func (t *Transport) notifyChange() {
	t.stateMu.Lock()
	close(t.changed)
	t.changed = make(chan struct{})
	t.stateMu.Unlock()
}

func (t *Transport) changes() <-chan struct{} {
	t.stateMu.Lock()
	defer t.stateMu.Unlock()
	return t.changed
}

func closedErr() error { return fmt.Errorf("smpp: %w", transport.ErrClosed) }

// notSent builds the error of a submit that never left: cause says why.
func notSent(what string, cause error) error {
	if cause == nil {
		return fmt.Errorf("smpp: %s: %w", what, transport.ErrNotSent)
	}
	return fmt.Errorf("smpp: %s: %w: %w", what, transport.ErrNotSent, cause)
}

// notBound builds the error of a submit that found no bound session:
// ErrNotSent, ctx's error if it ended, and why the session is down. The
// reason keeps its text and stays reachable with errors.As (a refused
// bind's *StatusError), but not its classification: a bind's
// command_status says nothing about the message, which was never sent.
func notBound(ctxErr, lastErr error) error {
	if lastErr != nil {
		lastErr = unclassified{lastErr}
	}
	return notSent("not bound", errors.Join(ctxErr, lastErr))
}

// unclassified hides the transport sentinels err wraps from errors.Is,
// while errors.As still reaches the errors in its chain.
type unclassified struct{ err error }

func (e unclassified) Error() string      { return e.err.Error() }
func (e unclassified) As(target any) bool { return errors.As(e.err, target) }

// Submit implements transport.Transport: one submit_sm per part (with a
// concatenation header when there are several), or one with
// message_payload. Parts are sent in order on one session, each after the
// previous one was accepted; when a later part fails, the error is a
// *transport.PartialError listing the ids of the accepted parts, Resumable
// with the reference they carry (see SubmitParts).
func (t *Transport) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	return t.submitParts(ctx, m, nil)
}

// pick chooses the session for a message: a bound one with a free window
// slot if there is one, else a bound one, else — under OutageWait — it
// waits for a bind.
func (t *Transport) pick(ctx context.Context) (*link, error) {
	for {
		changed := t.changes()
		n := len(t.tx)
		start := int(t.rr.Add(1) % uint32(n))
		var bound *link
		var lastErr error
		for i := range n {
			l := t.tx[(start+i)%n]
			c, err := l.live()
			if c == nil {
				lastErr = cmp.Or(lastErr, err) // the first link's error
				continue
			}
			if len(l.window) < cap(l.window) {
				return l, nil
			}
			if bound == nil {
				bound = l
			}
		}
		if bound != nil {
			return bound, nil
		}
		if t.failsFast() {
			return nil, notBound(nil, lastErr)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, notBound(ctx.Err(), lastErr)
		case <-t.done:
			return nil, closedErr()
		}
	}
}

// submit sends one submit_sm on the link: window slot (waiting, bounded
// by ctx), throughput limit, bound connection, then the round trip.
func (l *link) submit(ctx context.Context, frame []byte) (string, error) {
	t := l.t
	if err := l.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-l.window }()
	// A submit paced at the rate before a cut says nothing of the new
	// rate, however late it is written: its pace starts here.
	paced := time.Now()
	if lim := t.rc.limiter(); lim != nil {
		if err := t.pace(ctx, lim); err != nil {
			return "", err
		}
	}
	var (
		c      *conn
		cl     *call
		seq    uint32
		before uint64
	)
	for {
		var err error
		if c, err = l.bound(ctx); err != nil {
			return "", err
		}
		if err := ctx.Err(); err != nil {
			return "", notSent("context done before submit_sm", err)
		}
		before = c.answers.Load()
		if cl, seq, err = c.sendFrame(frame); err == nil {
			break
		}
		if c.cause() == nil || t.failsFast() {
			return "", notSent("submit_sm not written", err)
		}
		// The connection died before the write: wait for the rebind.
	}
	r, err := c.watch(ctx, cl, seq, t.cfg.RespTimeout, t.cfg.HangTimeout, before)
	switch {
	case errors.Is(err, errTimeout):
		return "", fmt.Errorf("smpp: submit_sm: no response within %s: %w", t.cfg.RespTimeout, transport.ErrOutcomeUnknown)
	case errors.Is(err, errConnLost):
		return "", fmt.Errorf("smpp: submit_sm: connection lost before the response: %w", transport.ErrOutcomeUnknown)
	case err != nil:
		return "", fmt.Errorf("smpp: submit_sm: stopped waiting for the response: %w: %w", transport.ErrOutcomeUnknown, err)
	}
	if s := CommandStatus(r.h.Status); s != 0 || r.h.ID == pdu.GenericNACKID {
		if s == 0 {
			s = 0xFF
		}
		if s == StatusInvalidBind {
			// The SMSC no longer counts the session as bound for
			// transmit: the message is fine, the session is broken.
			c.retire(errors.New("smpp: submit_sm answered ESME_RINVBNDSTS: session not bound, rebinding"))
		}
		err := &StatusError{Command: "submit_sm", Status: s}
		if classOf(s) != transport.ErrThrottled {
			return "", err
		}
		t.stats.throttled.Add(1)
		hint := t.rc.throttled(time.Now(), paced)
		if t.cfg.ThrottleRetryAfter > 0 {
			hint = t.cfg.ThrottleRetryAfter
		}
		return "", &transport.RetryAfterError{After: hint, Err: err}
	}
	t.rc.accepted(time.Now())
	return t.answered(normalizeID(wire.CString(r.body), t.cfg.SubmitIDBase)), nil
}

// acquire takes a window slot, waiting for one bounded by ctx and Close.
// Failing fast, it gives up as soon as the link has no usable connection
// (lost, or retired as hung): the message was not written, and another
// transport may take it.
func (l *link) acquire(ctx context.Context) error {
	select {
	case l.window <- struct{}{}:
		return nil
	default:
	}
	var lost <-chan struct{}
	var c *conn
	if l.t.failsFast() {
		var err error
		if c, err = l.live(); c == nil {
			return notBound(nil, err)
		}
		lost = c.unfit
	}
	select {
	case l.window <- struct{}{}:
		return nil
	case <-lost:
		return notSent("session lost while waiting for a window slot", unclassified{c.unusable()})
	case <-ctx.Done():
		return notSent("waiting for a window slot", ctx.Err())
	case <-l.t.done:
		return closedErr()
	}
}

// pace waits for the throughput limiter, bounded by ctx and by Close.
func (t *Transport) pace(ctx context.Context, lim *rate.Limiter) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(t.closeCtx, cancel)()
	if err := lim.Wait(wctx); err != nil {
		if t.closed.Load() {
			return closedErr()
		}
		if err := ctx.Err(); err != nil { // nothing was written
			return notSent("waiting for the throughput limit", err)
		}
		return fmt.Errorf("smpp: throughput limit: %w: %w", transport.ErrThrottled, err)
	}
	return nil
}

// bound returns the link's connection, waiting for a rebind under
// OutageWait.
func (l *link) bound(ctx context.Context) (*conn, error) {
	for {
		changed := l.t.changes()
		c, lastErr := l.live()
		if c != nil {
			return c, nil
		}
		if l.t.failsFast() {
			return nil, notBound(nil, lastErr)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, notBound(ctx.Err(), lastErr)
		case <-l.t.done:
			return nil, closedErr()
		}
	}
}

// Ping implements transport.Pinger with an enquire_link round trip on a
// bound session.
func (t *Transport) Ping(ctx context.Context) error {
	if t.closed.Load() {
		return closedErr()
	}
	for _, l := range t.all {
		if c, _ := l.state(); c != nil {
			_, err := c.roundTrip(ctx, pdu.NewEnquireLink(), t.cfg.RespTimeout)
			if err != nil {
				return fmt.Errorf("smpp: enquire_link: %w", err)
			}
			return nil
		}
	}
	return notSent("not bound", nil)
}

// Close stops new submits and ends the context of the report and inbound
// handlers running; it waits for the submits in flight, answers what
// those handlers return (or leaves the PDUs to the SMSC to deliver again,
// after RespTimeout), unbinds every session and ends every goroutine.
// What arrives meanwhile is answered ESME_RX_T_APPN.
func (t *Transport) Close() error {
	t.closeOnce.Do(func() {
		t.closed.Store(true)
		t.closeNow()
		t.submitMu.Lock() // waits for submits in flight, which hold it shared
		//lint:ignore SA2001 taking the lock is the point, not a critical section
		t.submitMu.Unlock()
		t.stopLinks()
		t.wg.Wait() // links unbound, readers and handlers gone
	})
	return nil
}
