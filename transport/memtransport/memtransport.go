package memtransport

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/azenna/advox/transport"
)

// Fault is an outcome the transport can be told to produce for a submit.
type Fault int

// The faults.
const (
	// Accept answers normally (the default).
	Accept Fault = iota
	// Throttle refuses with transport.ErrThrottled (safe to retry), with
	// Options.RetryAfter as the hint.
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

// Options configures a Transport. The zero value (or nil) accepts
// everything and sends no reports.
type Options struct {
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

// Sent is a message, or some of its parts, the transport received, with
// the ids it answered.
type Sent struct {
	// Message is the message as the Client handed it over.
	Message transport.Message
	// OperatorIDs are the ids the transport gave the parts it took, one per
	// entry of Parts.
	OperatorIDs []string
	// Fault is the fault the submit was answered with: Accept, or
	// OutcomeUnknown for a message (or its last part taken) taken without
	// an answer. Refused submits (Throttle, NotSent, Reject) are not in
	// Sent at all.
	Fault Fault
	// Parts are the numbers (1-based) of the parts of Message the submit
	// took, in order: all of them, unless a part fault (InjectPart)
	// stopped the submit or SubmitParts sent some only.
	Parts []int
	// Ref is the concatenation reference the parts carried (0 for a
	// single-part message).
	Ref uint16
}

// Transport is the in-memory transport. It is safe for concurrent use.
type Transport struct {
	cfg Options

	mu      sync.Mutex
	seq     int
	ref     uint16
	faults  []Fault
	pfaults map[int][]Fault // by part number
	sent    []Sent
	handler transport.ReportHandler
	inbound transport.InboundHandler
	reports sync.WaitGroup // report and inbound handlers running, and report timers
	done    chan struct{}  // closed by Close, under mu
}

var (
	_ transport.Transport     = (*Transport)(nil)
	_ transport.ReportSource  = (*Transport)(nil)
	_ transport.Pinger        = (*Transport)(nil)
	_ transport.Local         = (*Transport)(nil)
	_ transport.PartSubmitter = (*Transport)(nil)
	_ transport.InboundSource = (*Transport)(nil)
)

// New returns a Transport. opts may be nil (the defaults).
func New(opts *Options) *Transport {
	t := &Transport{done: make(chan struct{})}
	if opts != nil {
		t.cfg = *opts
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

// InjectPart queues faults for part number part (1-based) of multipart
// messages: each submit that reaches that part consumes one, in order. The
// parts before it are taken; a part answered Throttle, NotSent or Reject
// is not, and one answered OutcomeUnknown is taken without an answer;
// either way the submit stops there and the parts after it are not sent.
// When parts were taken before, the error is a *transport.PartialError,
// Resumable (see SubmitParts). Faults queued with Inject apply to a whole
// submit first.
func (t *Transport) InjectPart(part int, faults ...Fault) {
	t.mu.Lock()
	if t.pfaults == nil {
		t.pfaults = make(map[int][]Fault)
	}
	t.pfaults[part] = append(t.pfaults[part], faults...)
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
// cut short while it waits out Options.Latency — by ctx or by Close — sent
// nothing: its error wraps transport.ErrNotSent and ctx.Err() or
// transport.ErrClosed.
func (t *Transport) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	return t.submit(ctx, m, nil)
}

// SubmitParts implements transport.PartSubmitter: it takes the parts of m
// that p lists, as Submit takes a message (faults, Latency, Close), and
// records them in Sent with p.Ref.
func (t *Transport) SubmitParts(ctx context.Context, m *transport.Message, p transport.Parts) (transport.Result, error) {
	if err := p.Check(len(m.Parts)); err != nil {
		return transport.Result{}, fmt.Errorf("memtransport: %w", err)
	}
	return t.submit(ctx, m, &p)
}

// submit takes the parts of m that p lists (all of them, under a fresh
// reference, when p is nil).
func (t *Transport) submit(ctx context.Context, m *transport.Message, p *transport.Parts) (transport.Result, error) {
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
	if f != OutcomeUnknown {
		if err := t.refusal(f); err != nil {
			return transport.Result{}, err
		}
	}
	var ref uint16
	var nums []int
	if p != nil {
		ref = p.Ref
		for _, i := range p.Indices {
			nums = append(nums, i+1)
		}
	} else {
		nums = partNumbers(len(m.Parts))
		if len(m.Parts) > 1 {
			t.ref++
			ref = t.ref
		}
	}
	if m.Concat != transport.Concat16 {
		ref &= 0xFF
	}
	// Part faults stop the submit at the part they hit.
	var failed error
	unanswered := f == OutcomeUnknown // the whole submit taken, never answered
	if unanswered {
		failed = errUnknown
	} else if len(m.Parts) > 1 {
		for k, n := range nums {
			pf := Accept
			if q := t.pfaults[n]; len(q) > 0 {
				pf, t.pfaults[n] = q[0], q[1:]
			}
			if pf == Accept {
				continue
			}
			failed = t.refusal(pf)
			if pf == OutcomeUnknown {
				f, k = OutcomeUnknown, k+1 // taken, never answered
			}
			nums = nums[:k]
			break
		}
	}
	ids := make([]string, len(nums))
	for i := range ids {
		t.seq++
		ids[i] = "mem-" + strconv.Itoa(t.seq)
	}
	if len(nums) > 0 {
		cp := *m
		cp.Parts = slices.Clone(m.Parts)
		t.sent = append(t.sent, Sent{Message: cp, OperatorIDs: ids, Fault: f, Parts: nums, Ref: ref})
	}
	answered := ids
	switch {
	case unanswered:
		answered = nil
	case f == OutcomeUnknown:
		answered = ids[:len(ids)-1] // the last part taken was never answered
	}
	if t.cfg.ReportStatus != "" && m.ReportRequested && len(answered) > 0 {
		t.scheduleReports(answered)
	}
	switch {
	case failed == nil:
		// The caller owns the returned ids: t.sent and the reports keep theirs.
		return transport.Result{OperatorIDs: slices.Clone(ids)}, nil
	case len(answered) > 0:
		return transport.Result{OperatorIDs: slices.Clone(answered)},
			&transport.PartialError{Accepted: slices.Clone(answered), Err: failed, Resumable: true, Ref: ref}
	}
	return transport.Result{}, failed
}

// numbers holds the part numbers 1…255, so that a whole message's list of
// parts costs no allocation; it is never written to.
var numbers = func() (n [255]int) {
	for i := range n {
		n[i] = i + 1
	}
	return n
}()

// partNumbers returns the numbers of n parts, 1…n.
func partNumbers(n int) []int {
	if n <= len(numbers) {
		return numbers[:n:n]
	}
	nums := make([]int, n)
	for i := range nums {
		nums[i] = i + 1
	}
	return nums
}

// refusal is the error a fault answers with (nil for Accept).
func (t *Transport) refusal(f Fault) error {
	switch f {
	case Throttle:
		return &transport.RetryAfterError{After: t.cfg.RetryAfter, Err: fmt.Errorf("memtransport: %w", transport.ErrThrottled)}
	case NotSent:
		return fmt.Errorf("memtransport: %w", transport.ErrNotSent)
	case Reject:
		return fmt.Errorf("memtransport: invalid destination: %w", transport.ErrRejected)
	case OutcomeUnknown:
		return errUnknown
	}
	return nil
}

var (
	errUnknown       = fmt.Errorf("memtransport: no response: %w", transport.ErrOutcomeUnknown)
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
				// No operator is there to deliver it again: a report the
				// handler refuses is dropped (use Report to see the error).
				_ = h(context.Background(), transport.Report{OperatorID: id, Status: t.cfg.ReportStatus, At: time.Now()})
			}
		}
	}()
}

// Report delivers r to the report handler now, as if the operator had sent
// it, and returns once the handler has. It reports whether the handler
// took it: false when no handler is set, after Close (nothing is
// delivered then) or when the handler returned an error (see ReportErr).
// Close waits for a handler Report is running.
func (t *Transport) Report(ctx context.Context, r transport.Report) bool {
	return t.ReportErr(ctx, r) == nil
}

// ReportErr is Report returning why the report was not taken: ErrNoHandler,
// an error wrapping transport.ErrClosed, or the handler's error — which a
// real operator would answer by delivering the report again.
func (t *Transport) ReportErr(ctx context.Context, r transport.Report) error {
	t.mu.Lock()
	h := t.handler
	if err := t.startHandler(h != nil); err != nil {
		return err
	}
	defer t.reports.Done()
	return h(ctx, r)
}

// ErrNoHandler is returned by ReportErr and Receive when no handler is set:
// an operator would deliver the report or message again later.
var ErrNoHandler = errors.New("memtransport: no handler set")

// startHandler registers a handler call Close must wait for, unless there
// is no handler (set is false) or the transport is closed. It is called
// with t.mu held and releases it.
func (t *Transport) startHandler(set bool) error {
	defer t.mu.Unlock()
	switch {
	case t.isClosed():
		return errClosed
	case !set:
		return ErrNoHandler
	}
	t.reports.Add(1) // under mu, before Close can start waiting
	return nil
}

// SetInboundHandler implements transport.InboundSource. The handler
// replaces the previous one for every message received from now on; nil
// stops delivery.
func (t *Transport) SetInboundHandler(h transport.InboundHandler) {
	t.mu.Lock()
	t.inbound = h
	t.mu.Unlock()
}

// Receive hands m to the inbound handler now, as if a handset had sent it
// through the operator, and returns once the handler has: nil when the
// handler took it, its error otherwise (a real operator would deliver the
// part again), ErrNoHandler when none is set, or an error wrapping
// transport.ErrClosed after Close. A zero m.At is the time of the call;
// an empty m.Coding is transport.CodingText (text an HTTP operator posts,
// DataCoding -1). Close waits for a handler Receive is running. To
// receive a message of several parts, call Receive once per part, with
// the concatenation fields set (see Split).
func (t *Transport) Receive(ctx context.Context, m transport.Inbound) error {
	if m.At.IsZero() {
		m.At = time.Now()
	}
	if m.Coding == "" {
		m.Coding, m.DataCoding = transport.CodingText, -1
	}
	t.mu.Lock()
	h := t.inbound
	if err := t.startHandler(h != nil); err != nil {
		return err
	}
	defer t.reports.Done()
	return h(ctx, m)
}

// Split cuts m's text into n parts of one message with concatenation
// reference ref (8-bit unless ref is above 255), as a handset sends a long
// SMS: each part a copy of m with Text (and, for transport.CodingUCS2,
// Bytes: the UTF-16BE units) holding its share, Total n and Seq its
// number. UCS-2 text is cut between UTF-16 units, so a surrogate pair may
// be split across two parts, as handsets do; other text is cut between
// characters. n is at least 1 and at most the length of the text.
func Split(m transport.Inbound, n int, ref uint16) []transport.Inbound {
	var units []uint16
	var runes []rune
	size := 0
	if m.Coding == transport.CodingUCS2 {
		units = utf16.Encode([]rune(m.Text))
		size = len(units)
	} else {
		runes = []rune(m.Text)
		size = len(runes)
	}
	n = max(1, min(n, size))
	width := transport.Concat8
	if ref > 0xFF {
		width = transport.Concat16
	}
	out := make([]transport.Inbound, n)
	for i := range out {
		lo, hi := i*size/n, (i+1)*size/n
		p := m
		p.Total, p.Seq, p.Ref, p.RefWidth = n, i+1, ref, width
		if units != nil {
			p.Bytes = make([]byte, 0, 2*(hi-lo))
			for _, u := range units[lo:hi] {
				p.Bytes = append(p.Bytes, byte(u>>8), byte(u))
			}
			p.Text = string(utf16.Decode(units[lo:hi]))
		} else {
			p.Text = string(runes[lo:hi])
		}
		out[i] = p
	}
	if n == 1 {
		out[0].Total, out[0].Seq, out[0].Ref, out[0].RefWidth = 0, 0, 0, 0
	}
	return out
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
		s.Parts = slices.Clone(s.Parts)
		out[i] = s
	}
	return out
}

// Joined returns the messages the transport took whole, in the order they
// became whole, as a handset shows them: a single-part message when it
// was taken, a multipart one once every part is in — joined by message id
// and concatenation reference, so that parts sent again under another
// reference never complete it.
func (t *Transport) Joined() []transport.Message {
	type key struct {
		id  string
		ref uint16
	}
	var out []transport.Message
	got := map[key]map[int]bool{}
	for _, s := range t.Sent() {
		if len(s.Message.Parts) > 1 {
			k := key{s.Message.ID, s.Ref}
			if got[k] == nil {
				got[k] = map[int]bool{}
			}
			for _, n := range s.Parts {
				got[k][n] = true
			}
			if len(got[k]) < len(s.Message.Parts) {
				continue // not whole (yet)
			}
			delete(got, k)
		}
		out = append(out, s.Message)
	}
	return out
}

// Close implements transport.Transport. It cuts short submits waiting out
// Options.Latency. Scheduled reports whose delay has not run out are
// dropped; Close waits for the ones being delivered and for handlers
// Report and Receive are running, and every report goroutine has ended
// when it returns.
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
