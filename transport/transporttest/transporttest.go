package transporttest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
)

// Harness connects an adapter under test to a far end the suite can
// observe.
type Harness interface {
	// Transport returns the adapter under test, connected to this
	// harness's far end. The suite calls it once per harness and closes the
	// transport itself.
	Transport() transport.Transport
	// Received returns what the far end has received so far, in arrival
	// order.
	Received() []Received
	// Close stops the far end. The suite calls it after closing the
	// transport.
	Close() error
}

// Received is one message as the far end received it.
type Received struct {
	// MessageID is the client reference the far end saw, if the protocol
	// carries one.
	MessageID string
	// From is the sender id as the far end received it.
	From string
	// To is the recipient number as the far end received it.
	To string
	// Encoding is the character set the far end decoded the text with.
	Encoding transport.Encoding
	// Parts is the text of each part as the far end decoded it, or one
	// element holding the whole text when the far end receives it whole.
	Parts []string
}

// Text joins the parts.
func (r Received) Text() string { return strings.Join(r.Parts, "") }

// Fault is a misbehaviour of the far end.
type Fault int

// The faults a FaultInjector must support.
const (
	// FaultThrottle: the far end refuses for load (SMPP throttled, 429).
	FaultThrottle Fault = iota + 1
	// FaultReject: the far end refuses the message permanently.
	FaultReject
	// FaultNotSent: the far end fails in a way that says it took nothing
	// (SMPP system error, 503 "not accepted").
	FaultNotSent
	// FaultOutcomeUnknown: the far end takes the message and never
	// answers; the adapter must time out with ErrOutcomeUnknown (the
	// harness configures a short response timeout).
	FaultOutcomeUnknown
	// FaultConnectionLost: the far end reads the message and then drops
	// the connection without answering; the adapter must answer
	// ErrOutcomeUnknown, never ErrNotSent. Optional: the suite injects it
	// only into harnesses whose FaultSupport says they support it.
	FaultConnectionLost
)

// String names the fault.
func (f Fault) String() string {
	switch f {
	case FaultThrottle:
		return "throttle"
	case FaultReject:
		return "reject"
	case FaultNotSent:
		return "not sent"
	case FaultOutcomeUnknown:
		return "outcome unknown"
	case FaultConnectionLost:
		return "connection lost"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// FaultInjector is implemented by harnesses whose far end can misbehave.
type FaultInjector interface {
	// InjectFault makes the far end answer the next submit with f.
	InjectFault(f Fault)
}

// FaultSupport is implemented by FaultInjectors that support faults beyond
// the four every FaultInjector must support (today: FaultConnectionLost).
// The suite injects an optional fault only when SupportsFault reports true
// for it.
type FaultSupport interface {
	// SupportsFault reports whether the far end can produce f.
	SupportsFault(f Fault) bool
}

// PartFaultInjector is implemented by harnesses of adapters that submit the
// parts of a multipart message separately (SMPP): it checks partial
// acceptance.
type PartFaultInjector interface {
	// InjectPartFault makes the far end accept the parts before part
	// (0-based) of the next message and answer part number part with f.
	InjectPartFault(part int, f Fault)
}

// Features declares what the adapter under test supports. Zero fields skip
// the cases that need them.
type Features struct {
	// DeliveryReports: the adapter implements transport.ReportSource and
	// the far end sends a "delivered" report for every accepted message
	// that asked for one.
	DeliveryReports bool
	// Inbound: the adapter implements transport.InboundSource and the
	// harness is an InboundInjector; the suite drives the adapter's
	// inbound handler directly.
	Inbound bool
	// Timeout bounds each wait of the suite; 0 means 10 s.
	Timeout time.Duration
}

type testCase struct {
	name string
	run  func(t *testing.T, h Harness, tr transport.Transport, f Features)
}

var cases = []testCase{
	{"SubmitSingle", testSubmitSingle},
	{"SubmitMultipartGSM7", testMultipartGSM7},
	{"SubmitMultipartUCS2", testMultipartUCS2},
	{"SubmitConcurrent", testConcurrent},
	{"ContextCanceled", testContextCanceled},
	{"ContextCanceledInFlight", testContextCanceledInFlight},
	{"SubmitAfterClose", testSubmitAfterClose},
	{"CloseDuringSubmit", testCloseDuringSubmit},
	{"Linker", testLinker},
	{"FaultThrottle", testFault(FaultThrottle)},
	{"FaultReject", testFault(FaultReject)},
	{"FaultNotSent", testFault(FaultNotSent)},
	{"FaultOutcomeUnknown", testFault(FaultOutcomeUnknown)},
	{"FaultConnectionLost", testFault(FaultConnectionLost)},
	{"PartialThrottle", testPartial(FaultThrottle)},
	{"PartialReject", testPartial(FaultReject)},
	{"PartialNotSent", testPartial(FaultNotSent)},
	{"PartialOutcomeUnknown", testPartial(FaultOutcomeUnknown)},
	{"ResumeThrottled", testResume(FaultThrottle)},
	{"ResumeNotSent", testResume(FaultNotSent)},
	{"ResumeAfterOutcomeUnknown", testResume(FaultOutcomeUnknown)},
	{"DeliveryReports", testReports},
	{"ClientSend", testClientSend},
	{"ClientRetriesThrottled", testClientRetry},
	{"ClientNeverRetriesUnknown", testClientUnknown},
	{"ClientLaterPartThrottled", testClientLaterPart(FaultThrottle)},
	{"ClientLaterPartRejected", testClientLaterPart(FaultReject)},
}

// Run runs the conformance suite against harnesses made by newHarness, a
// fresh one per case.
func Run(t *testing.T, newHarness func(t *testing.T) Harness, f Features) {
	t.Helper()
	if f.Timeout <= 0 {
		f.Timeout = 10 * time.Second
	}
	for _, c := range slices.Concat(cases, inboundCases) {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			require.NotNil(t, h, "newHarness returned nil")
			tr := h.Transport()
			require.NotNil(t, tr, "Harness.Transport returned nil")
			t.Cleanup(func() {
				_ = tr.Close()
				_ = h.Close()
			})
			c.run(t, h, tr, f)
		})
	}
}

var msgSeq struct {
	sync.Mutex
	n int
}

// message builds a transport message the way the Client would.
func message(text string, enc transport.Encoding, parts ...string) *transport.Message {
	msgSeq.Lock()
	msgSeq.n++
	n := msgSeq.n
	msgSeq.Unlock()
	if len(parts) == 0 {
		parts = []string{text}
	}
	return &transport.Message{
		ID:              fmt.Sprintf("conformance-%06d", n),
		From:            transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
		To:              fmt.Sprintf("+4670%07d", n),
		Encoding:        enc,
		Parts:           parts,
		Concat:          transport.Concat8,
		ReportRequested: true,
	}
}

func withTimeout(t *testing.T, f Features) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), f.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// waitReceived waits until the far end has received a message to `to`.
func waitReceived(t *testing.T, h Harness, to string, f Features) Received {
	t.Helper()
	var got Received
	require.Eventually(t, func() bool {
		for _, r := range h.Received() {
			if r.To == to {
				got = r
				return true
			}
		}
		return false
	}, f.Timeout, 5*time.Millisecond, "the far end never received the message")
	return got
}

func countTo(h Harness, to string) int {
	n := 0
	for _, r := range h.Received() {
		if r.To == to {
			n++
		}
	}
	return n
}

func checkReceived(t *testing.T, m *transport.Message, got Received) {
	t.Helper()
	assert.Equal(t, m.To, got.To)
	assert.Equal(t, m.From.Value, got.From)
	assert.Equal(t, m.Text(), got.Text(), "the far end must get the text back exactly")
	if len(got.Parts) > 1 {
		assert.Equal(t, m.Parts, got.Parts, "parts must be sent as the Client split them")
	}
	if got.Encoding != "" {
		assert.Equal(t, m.Encoding, got.Encoding)
	}
}

func testSubmitSingle(t *testing.T, h Harness, tr transport.Transport, f Features) {
	assert.NotEmpty(t, tr.Name())
	m := message("Hello from the conformance suite", transport.GSM7)
	res, err := tr.Submit(withTimeout(t, f), m)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(res.OperatorIDs), len(m.Parts))
	checkReceived(t, m, waitReceived(t, h, m.To, f))
	assert.Equal(t, 1, countTo(h, m.To), "exactly one message on the wire")
}

func testMultipartGSM7(t *testing.T, h Harness, tr transport.Transport, f Features) {
	p1 := strings.Repeat("a", 152) // the escape pair of '€' does not fit in part 1
	p2 := "€" + strings.Repeat("b", 151)
	p3 := "end {with} [escapes] ~|^\\"
	m := message("", transport.GSM7, p1, p2, p3)
	res, err := tr.Submit(withTimeout(t, f), m)
	require.NoError(t, err)
	if len(res.OperatorIDs) > 1 {
		assert.Len(t, res.OperatorIDs, len(m.Parts), "one operator id per part, or one in all")
	}
	checkReceived(t, m, waitReceived(t, h, m.To, f))
}

func testMultipartUCS2(t *testing.T, h Harness, tr transport.Transport, f Features) {
	p1 := strings.Repeat("ж", 66) // a surrogate pair would not fit in unit 67
	p2 := "😀" + strings.Repeat("é", 60) + "ç"
	m := message("", transport.UCS2, p1, p2)
	_, err := tr.Submit(withTimeout(t, f), m)
	require.NoError(t, err)
	checkReceived(t, m, waitReceived(t, h, m.To, f))
}

func testConcurrent(t *testing.T, h Harness, tr transport.Transport, f Features) {
	const n = 32
	msgs := make([]*transport.Message, n)
	ids := make([][]string, n)
	var wg sync.WaitGroup
	for i := range n {
		msgs[i] = message(fmt.Sprintf("concurrent message %d", i), transport.GSM7)
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := tr.Submit(withTimeout(t, f), msgs[i])
			assert.NoError(t, err, "submit %d", i)
			ids[i] = res.OperatorIDs
		}()
	}
	wg.Wait()
	// Reports are correlated by operator id: two messages sharing one
	// would get each other's reports.
	owner := map[string]int{}
	for i, list := range ids {
		for _, id := range list {
			assert.NotEmpty(t, id, "operator ids are never empty")
			if j, dup := owner[id]; dup && j != i {
				assert.Failf(t, "operator id shared", "messages %d and %d both got operator id %q", j, i, id)
			}
			owner[id] = i
		}
	}
	for _, m := range msgs {
		checkReceived(t, m, waitReceived(t, h, m.To, f))
		assert.Equal(t, 1, countTo(h, m.To), "each message exactly once")
	}
}

func testContextCanceled(t *testing.T, h Harness, tr transport.Transport, f Features) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := message("never sent", transport.GSM7)
	_, err := tr.Submit(ctx, m)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, transport.ErrNotSent, "a submit refused before any write is not sent")
	assertOneClass(t, err)
	time.Sleep(20 * time.Millisecond)
	assert.Zero(t, countTo(h, m.To), "nothing may reach the far end")
}

func testSubmitAfterClose(t *testing.T, h Harness, tr transport.Transport, f Features) {
	require.NoError(t, tr.Close())
	_, err := tr.Submit(withTimeout(t, f), message("after close", transport.GSM7))
	assert.ErrorIs(t, err, transport.ErrClosed)
	assert.False(t, errors.Is(err, transport.ErrOutcomeUnknown))
	assert.NotPanics(t, func() { _ = tr.Close() }, "Close twice")
}

func injector(t *testing.T, h Harness) FaultInjector {
	fi, ok := h.(FaultInjector)
	if !ok {
		t.Skip("harness does not implement FaultInjector")
	}
	return fi
}

// classes returns the classification sentinels err wraps.
func classes(err error) []error {
	var out []error
	for _, s := range []error{transport.ErrNotSent, transport.ErrThrottled, transport.ErrOutcomeUnknown, transport.ErrRejected} {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}

// assertOneClass checks that err wraps exactly one classification sentinel:
// an error that is both "not sent" and something else lets SafeToRetry
// resend a message the operator may have.
func assertOneClass(t *testing.T, err error) {
	t.Helper()
	assert.Lenf(t, classes(err), 1, "%v: must wrap exactly one of ErrNotSent, ErrThrottled, ErrOutcomeUnknown, ErrRejected", err)
}

// assertClass checks that err is classified as want, and only as want.
func assertClass(t *testing.T, err, want error) {
	t.Helper()
	assert.ErrorIs(t, err, want)
	assertOneClass(t, err)
	safe := want == transport.ErrNotSent || want == transport.ErrThrottled
	var pe *transport.PartialError
	if errors.As(err, &pe) && len(pe.Accepted) > 0 {
		safe = false
	}
	assert.Equalf(t, safe, transport.SafeToRetry(err), "SafeToRetry(%v)", err)
}

// submitAsync starts tr.Submit(ctx, m) and returns the channel its error
// arrives on.
func submitAsync(tr transport.Transport, ctx context.Context, m *transport.Message) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := tr.Submit(ctx, m)
		errc <- err
	}()
	return errc
}

// whenReceived calls act once the far end has received a message to m.To,
// unless the submit answers first; it returns the submit's error.
func whenReceived(t *testing.T, h Harness, m *transport.Message, errc <-chan error, f Features, act func()) error {
	t.Helper()
	deadline := time.NewTimer(f.Timeout)
	defer deadline.Stop()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	acted := false
	for {
		select {
		case err := <-errc:
			return err
		case <-deadline.C:
			require.FailNow(t, "Submit did not return", "still running %s after the far end received the message (context cancellation or Close ignored?)", f.Timeout)
		case <-tick.C:
			if !acted && countTo(h, m.To) > 0 {
				acted = true
				act()
			}
		}
	}
}

func supports(h Harness, fault Fault) bool {
	if fault != FaultConnectionLost {
		return true
	}
	fs, ok := h.(FaultSupport)
	return ok && fs.SupportsFault(fault)
}

func testContextCanceledInFlight(t *testing.T, h Harness, tr transport.Transport, f Features) {
	// The far end takes the message and never answers; the caller gives
	// up once it is there. The adapter must return promptly and must not
	// call the message "not sent": the operator has it.
	injector(t, h).InjectFault(FaultOutcomeUnknown)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := message("canceled in flight", transport.GSM7)
	err := whenReceived(t, h, m, submitAsync(tr, ctx, m), f, cancel)
	require.Error(t, err)
	assert.False(t, transport.SafeToRetry(err), "the operator may have the message: %v", err)
	assert.NotErrorIs(t, err, transport.ErrNotSent)
	if len(classes(err)) > 0 || !errors.Is(err, context.Canceled) {
		assertClass(t, err, transport.ErrOutcomeUnknown)
	}
	assert.LessOrEqual(t, countTo(h, m.To), 1, "one attempt per Submit")
}

func testCloseDuringSubmit(t *testing.T, h Harness, tr transport.Transport, f Features) {
	// Close while a submit waits for an answer that never comes: both
	// return, and the submit does not call a message the far end has
	// "not sent".
	injector(t, h).InjectFault(FaultOutcomeUnknown)
	m := message("closed in flight", transport.GSM7)
	closed := make(chan error, 2)
	err := whenReceived(t, h, m, submitAsync(tr, withTimeout(t, f), m), f, func() {
		go func() { closed <- tr.Close() }()
	})
	if countTo(h, m.To) > 0 && err != nil {
		assert.False(t, transport.SafeToRetry(err), "the operator may have the message: %v", err)
		assertClass(t, err, transport.ErrOutcomeUnknown)
	}
	go func() { closed <- tr.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Logf("Close: %v", err) // whether it returns is what this case checks
		}
	case <-time.After(f.Timeout):
		require.FailNow(t, "Close did not return")
	}
	_, err = tr.Submit(withTimeout(t, f), message("after close", transport.GSM7))
	assert.ErrorIs(t, err, transport.ErrClosed)
}

// sentinel is the classification sentinel an adapter's error must wrap,
// and only it, when the far end answers with fault.
func sentinel(fault Fault) error {
	switch fault {
	case FaultThrottle:
		return transport.ErrThrottled
	case FaultReject:
		return transport.ErrRejected
	case FaultNotSent:
		return transport.ErrNotSent
	}
	return transport.ErrOutcomeUnknown // FaultOutcomeUnknown, FaultConnectionLost
}

func testFault(fault Fault) func(*testing.T, Harness, transport.Transport, Features) {
	return func(t *testing.T, h Harness, tr transport.Transport, f Features) {
		fi := injector(t, h)
		if !supports(h, fault) {
			t.Skipf("harness does not support %v", fault)
		}
		fi.InjectFault(fault)
		m := message("fault "+fault.String(), transport.GSM7)
		_, err := tr.Submit(withTimeout(t, f), m)
		require.Error(t, err)
		if sentinel(fault) == transport.ErrOutcomeUnknown {
			assert.False(t, transport.SafeToRetry(err), "an unknown outcome is never safe to retry")
		}
		assertClass(t, err, sentinel(fault))
		assert.NotContains(t, err.Error(), m.To, "errors never carry the recipient")
		assert.LessOrEqual(t, countTo(h, m.To), 1, "one attempt per Submit: the adapter never retries itself")
		// The fault is spent: the next submit goes through (after a lost
		// connection, once the adapter has reconnected).
		next := message("after the fault", transport.GSM7)
		ctx := withTimeout(t, f)
		for {
			_, err = tr.Submit(ctx, next)
			if err == nil || fault != FaultConnectionLost || !transport.SafeToRetry(err) || ctx.Err() != nil {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		require.NoError(t, err)
		checkReceived(t, next, waitReceived(t, h, next.To, f))
		assert.Equal(t, 1, countTo(h, next.To), "exactly one message on the wire")
	}
}

func testPartial(fault Fault) func(*testing.T, Harness, transport.Transport, Features) {
	return func(t *testing.T, h Harness, tr transport.Transport, f Features) {
		pi, ok := h.(PartFaultInjector)
		if !ok {
			t.Skip("harness does not implement PartFaultInjector")
		}
		var mu sync.Mutex
		reported := map[string]bool{}
		if rs, ok := tr.(transport.ReportSource); ok && f.DeliveryReports {
			rs.SetReportHandler(func(_ context.Context, r transport.Report) error {
				mu.Lock()
				reported[r.OperatorID] = true
				mu.Unlock()
				return nil
			})
		}
		pi.InjectPartFault(1, fault)
		m := message("", transport.GSM7, strings.Repeat("p", 153), strings.Repeat("q", 153), "third part")
		_, err := tr.Submit(withTimeout(t, f), m)
		if err == nil {
			if got := waitReceived(t, h, m.To, f); len(got.Parts) == 1 {
				t.Skip("the adapter sends a multipart message in one request (no part can fail alone)")
			}
		}
		require.Error(t, err)
		var pe *transport.PartialError
		require.ErrorAs(t, err, &pe, "a message whose first part was accepted fails with a *transport.PartialError")
		require.Len(t, pe.Accepted, 1, "the operator id of the accepted first part")
		assert.NotEmpty(t, pe.Accepted[0])
		assert.False(t, transport.SafeToRetry(err), "part 1 is with the operator: resending the message duplicates it")
		assertClass(t, err, sentinel(fault))
		assert.NotContains(t, err.Error(), m.To, "errors never carry the recipient")
		if f.DeliveryReports {
			require.Eventually(t, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return reported[pe.Accepted[0]]
			}, f.Timeout, 5*time.Millisecond, "the accepted part's report must reach the handler under the id in PartialError.Accepted")
		}
		next := message("after the partial failure", transport.GSM7, strings.Repeat("n", 153), "tail")
		_, err = tr.Submit(withTimeout(t, f), next)
		require.NoError(t, err)
		checkReceived(t, next, waitReceived(t, h, next.To, f))
	}
}

func testReports(t *testing.T, h Harness, tr transport.Transport, f Features) {
	if !f.DeliveryReports {
		t.Skip("Features.DeliveryReports not set")
	}
	rs, ok := tr.(transport.ReportSource)
	require.True(t, ok, "DeliveryReports needs a transport.ReportSource")
	var mu sync.Mutex
	var reports []transport.Report
	rs.SetReportHandler(func(_ context.Context, r transport.Report) error {
		assert.True(t, r.OperatorID != "" || r.MessageID != "", "a report names the operator id or the message id: %+v", r)
		assert.True(t, r.Status.Valid(), "a report's status is in the vocabulary: %q", r.Status)
		mu.Lock()
		reports = append(reports, r)
		mu.Unlock()
		return nil
	})
	m := message("", transport.GSM7, strings.Repeat("r", 153), "second part")
	res, err := tr.Submit(withTimeout(t, f), m)
	require.NoError(t, err)

	want := res.OperatorIDs
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		if len(want) == 0 {
			for _, r := range reports {
				if r.MessageID == m.ID && r.Status == transport.StatusDelivered {
					return true
				}
			}
			return false
		}
		seen := map[string]bool{}
		for _, r := range reports {
			if r.Status == transport.StatusDelivered {
				seen[r.OperatorID] = true
			}
		}
		for _, id := range want {
			if !seen[id] {
				return false
			}
		}
		return true
	}, f.Timeout, 5*time.Millisecond, "a delivered report for every operator id (or the message id)")
}

// client wraps tr in a Client with fast retries over a memory store.
func client(t *testing.T, tr transport.Transport) *advox.Client {
	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	require.NoError(t, err)
	c, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{
		Backoff:    func(int, time.Duration) time.Duration { return time.Millisecond },
		Processors: procs,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testClientSend(t *testing.T, h Harness, tr transport.Transport, f Features) {
	c := client(t, tr)
	text := strings.Repeat("Conformance through the Client. ", 6) // two parts
	rcpt, err := c.Send(withTimeout(t, f), advox.Message{Account: "conformance", From: "Advox", To: "+46701234567", Text: text})
	require.NoError(t, err)
	assert.Equal(t, 2, rcpt.Segments)
	assert.Equal(t, transport.GSM7, rcpt.Encoding)
	got := waitReceived(t, h, "+46701234567", f)
	assert.Equal(t, text, got.Text())

	rec, err := c.Status(withTimeout(t, f), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	// A composite transport (a router) records the transport that took
	// the message, one of those it names.
	names := []string{tr.Name()}
	if comp, ok := tr.(transport.Composite); ok {
		names = append(names, comp.Transports()...)
	}
	assert.Contains(t, names, rec.Transport, "the record names the transport that took the message")
	if !f.DeliveryReports {
		return
	}
	require.Eventually(t, func() bool {
		rec, err := c.Status(withTimeout(t, f), advox.PurposeTransmit, rcpt.ID)
		return err == nil && rec.Status == transport.StatusDelivered
	}, f.Timeout, 5*time.Millisecond, "the Client must correlate the far end's reports to the record")
}

func testClientRetry(t *testing.T, h Harness, tr transport.Transport, f Features) {
	injector(t, h).InjectFault(FaultThrottle)
	c := client(t, tr)
	rcpt, err := c.Send(withTimeout(t, f), advox.Message{Account: "conformance", From: "Advox", To: "+46701234568", Text: "retry me"})
	require.NoError(t, err)
	assert.Equal(t, 2, rcpt.Attempts, "one throttled attempt, one accepted")
	waitReceived(t, h, "+46701234568", f)
	assert.Equal(t, 1, countTo(h, "+46701234568"), "the throttled attempt was not accepted, so one on the wire is the accepted one")
}

func testClientUnknown(t *testing.T, h Harness, tr transport.Transport, f Features) {
	injector(t, h).InjectFault(FaultOutcomeUnknown)
	c := client(t, tr)
	rcpt, err := c.Send(withTimeout(t, f), advox.Message{Account: "conformance", From: "Advox", To: "+46701234569", Text: "maybe sent"})
	require.Error(t, err)
	assert.ErrorIs(t, err, advox.ErrOutcomeUnknown)
	assert.Equal(t, 1, rcpt.Attempts, "never retried")
	require.NotEmpty(t, rcpt.ID, "an unknown outcome is recorded")
	rec, err := c.Status(withTimeout(t, f), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, transport.StatusUnknown, rec.Status)
	time.Sleep(50 * time.Millisecond)
	assert.LessOrEqual(t, countTo(h, "+46701234569"), 1, "never submitted twice")
}
