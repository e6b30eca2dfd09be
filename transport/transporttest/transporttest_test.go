package transporttest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/transporttest"
)

// fake is a tiny adapter with its own far end, and a switch that breaks one
// promise of the contract: the suite must pass it healthy and fail it
// broken.
type fake struct {
	bug     string
	resumes bool // the parts variant: partial failures are Resumable

	mu       sync.Mutex
	received []transporttest.Received
	parts    []transporttest.ReceivedPart
	partial  map[string][]bool // parts received of messages not whole yet, by id
	fault    transporttest.Fault
	part     int // the part fault applies to (0: the whole message)
	seq      int
	closed   bool
	done     chan struct{}
	inflight sync.WaitGroup
}

const (
	bugNone           = ""
	bugCancelNotSent  = "cancel-not-sent"  // a canceled wait for the answer says "not sent"
	bugCloseNotSent   = "close-not-sent"   // Close cuts off a waiting submit as "not sent"
	bugSharedIDs      = "shared-ids"       // every message gets the same operator id
	bugTwoClasses     = "two-classes"      // a throttle is also "rejected"
	bugRetryInternal  = "retry-internally" // resends after an unknown outcome
	bugUnknownSafeish = "unknown-not-sent" // a lost answer is "not sent"
	bugPartialBare    = "partial-bare"     // a later part's failure hides the accepted parts
	bugResendWhole    = "resend-whole"     // SubmitParts sends every part again
	bugNotResumable   = "not-resumable"    // a PartSubmitter whose partial failures are not Resumable
)

func newFake(bug string) *fake { return &fake{bug: bug, done: make(chan struct{})} }

func (f *fake) Transport() transport.Transport { return f }
func (f *fake) Received() []transporttest.Received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]transporttest.Received(nil), f.received...)
}
func (f *fake) InjectFault(x transporttest.Fault) { f.InjectPartFault(0, x) }
func (f *fake) InjectPartFault(part int, x transporttest.Fault) {
	f.mu.Lock()
	f.fault, f.part = x, part
	f.mu.Unlock()
}
func (f *fake) Name() string { return "fake" }

// ReceivedParts implements transporttest.PartObserver.
func (f *fake) ReceivedParts() []transporttest.ReceivedPart {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]transporttest.ReceivedPart(nil), f.parts...)
}

// take files parts idx of m under ref as received (with f.mu held), and
// the message once it is whole.
func (f *fake) take(m *transport.Message, ref int, idx ...int) {
	if f.partial == nil {
		f.partial = map[string][]bool{}
	}
	got := f.partial[m.ID]
	if got == nil {
		got = make([]bool, len(m.Parts))
		f.partial[m.ID] = got
	}
	for _, i := range idx {
		got[i] = true
		f.parts = append(f.parts, transporttest.ReceivedPart{To: m.To, Ref: ref, Number: i + 1, Total: len(m.Parts)})
	}
	for _, ok := range got {
		if !ok {
			return
		}
	}
	delete(f.partial, m.ID)
	f.received = append(f.received, transporttest.Received{
		MessageID: m.ID, From: m.From.Value, To: m.To, Encoding: m.Encoding, Parts: append([]string(nil), m.Parts...),
	})
}

// partsFake is the fake with SubmitParts: it can send the rest of a
// message whose later part failed.
type partsFake struct{ *fake }

func (p partsFake) Transport() transport.Transport { return p }

func (p partsFake) SubmitParts(_ context.Context, m *transport.Message, ps transport.Parts) (transport.Result, error) {
	if err := ps.Check(len(m.Parts)); err != nil {
		return transport.Result{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	idx := ps.Indices
	if p.bug == bugResendWhole {
		idx = nil
		for i := range m.Parts {
			idx = append(idx, i)
		}
	}
	p.take(m, int(ps.Ref), idx...)
	ids := make([]string, len(ps.Indices))
	for k, i := range ps.Indices {
		p.seq++
		ids[k] = "part-" + strconv.Itoa(i+1) + "-" + strconv.Itoa(p.seq)
	}
	return transport.Result{OperatorIDs: ids}, nil
}

func (f *fake) Close() error {
	f.mu.Lock()
	if !f.closed {
		f.closed = true
		close(f.done)
	}
	f.mu.Unlock()
	f.inflight.Wait()
	return nil
}

func (f *fake) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return transport.Result{}, transport.ErrClosed
	}
	f.inflight.Add(1)
	defer f.inflight.Done()
	if err := ctx.Err(); err != nil {
		f.mu.Unlock()
		return transport.Result{}, fmt.Errorf("%w: %w", transport.ErrNotSent, err)
	}
	fault, part := f.fault, f.part
	f.fault, f.part = 0, 0
	if part > 0 && part < len(m.Parts) {
		f.mu.Unlock()
		var class error
		switch fault {
		case transporttest.FaultThrottle:
			class = transport.ErrThrottled
		case transporttest.FaultReject:
			class = transport.ErrRejected
		case transporttest.FaultNotSent:
			class = transport.ErrNotSent
		default:
			class = transport.ErrOutcomeUnknown
		}
		if f.bug == bugPartialBare {
			return transport.Result{}, fmt.Errorf("part %d: %w", part+1, class)
		}
		accepted := make([]string, part)
		taken := make([]int, part, part+1)
		for i := range accepted {
			accepted[i] = "part-" + strconv.Itoa(i+1) + "-of-" + m.ID
			taken[i] = i
		}
		if class == transport.ErrOutcomeUnknown {
			taken = append(taken, part) // it may be out: say it arrived
		}
		f.mu.Lock()
		f.seq++
		ref := f.seq % 256
		f.take(m, ref, taken...)
		f.mu.Unlock()
		return transport.Result{OperatorIDs: accepted}, &transport.PartialError{Accepted: accepted, Err: class,
			Resumable: f.resumes && f.bug != bugNotResumable, Ref: uint16(ref)}
	}
	switch fault {
	case transporttest.FaultThrottle:
		f.mu.Unlock()
		if f.bug == bugTwoClasses {
			return transport.Result{}, fmt.Errorf("%w %w", transport.ErrThrottled, transport.ErrRejected)
		}
		return transport.Result{}, transport.ErrThrottled
	case transporttest.FaultReject:
		f.mu.Unlock()
		return transport.Result{}, transport.ErrRejected
	case transporttest.FaultNotSent:
		f.mu.Unlock()
		return transport.Result{}, transport.ErrNotSent
	}
	f.seq++
	id := strconv.Itoa(f.seq)
	if f.bug == bugSharedIDs {
		id = "1"
	}
	all := make([]int, len(m.Parts))
	for i := range all {
		all[i] = i
	}
	if len(m.Parts) == 1 {
		all = nil // no parts to observe
		f.received = append(f.received, transporttest.Received{
			MessageID: m.ID, From: m.From.Value, To: m.To, Encoding: m.Encoding, Parts: append([]string(nil), m.Parts...),
		})
	}
	if all != nil {
		f.take(m, f.seq%256, all...)
	}
	if fault == transporttest.FaultOutcomeUnknown && f.bug == bugRetryInternal {
		f.received = append(f.received, f.received[len(f.received)-1])
	}
	f.mu.Unlock()
	if fault != transporttest.FaultOutcomeUnknown {
		return transport.Result{OperatorIDs: []string{id}}, nil
	}
	// The far end never answers: wait for the response timeout.
	unknown := fmt.Errorf("no answer: %w", transport.ErrOutcomeUnknown)
	timer := time.NewTimer(300 * time.Millisecond)
	defer timer.Stop()
	select {
	case <-timer.C:
		if f.bug == bugUnknownSafeish {
			return transport.Result{}, fmt.Errorf("no answer: %w", transport.ErrNotSent)
		}
		return transport.Result{}, unknown
	case <-ctx.Done():
		if f.bug == bugCancelNotSent {
			return transport.Result{}, fmt.Errorf("%w: %w", transport.ErrNotSent, ctx.Err())
		}
		return transport.Result{}, fmt.Errorf("%w: %w", unknown, ctx.Err())
	case <-f.done:
		if f.bug == bugCloseNotSent {
			return transport.Result{}, fmt.Errorf("%w: %w", transport.ErrNotSent, transport.ErrClosed)
		}
		return transport.Result{}, fmt.Errorf("%w: %w", unknown, transport.ErrClosed)
	}
}

const bugEnv = "TRANSPORTTEST_FAKE_BUG"

// TestFakeConformance runs the suite on the fake, healthy or (in a child
// process started by TestSuiteCatchesBrokenAdapters) broken: as an adapter
// without SubmitParts ("whole") and with it ("parts").
func TestFakeConformance(t *testing.T) {
	bug := os.Getenv(bugEnv)
	t.Run("whole", func(t *testing.T) {
		transporttest.Run(t, func(*testing.T) transporttest.Harness { return newFake(bug) },
			transporttest.Features{Timeout: 2 * time.Second})
	})
	t.Run("parts", func(t *testing.T) {
		transporttest.Run(t, func(*testing.T) transporttest.Harness {
			f := newFake(bug)
			f.resumes = true
			return partsFake{f}
		}, transporttest.Features{Timeout: 2 * time.Second})
	})
}

// TestSuiteCatchesBrokenAdapters checks that the case guarding each promise
// fails an adapter that breaks it.
func TestSuiteCatchesBrokenAdapters(t *testing.T) {
	if os.Getenv(bugEnv) != "" {
		t.Skip("child process")
	}
	for _, c := range []struct{ bug, subtest string }{
		{bugCancelNotSent, "whole/ContextCanceledInFlight"},
		{bugCloseNotSent, "whole/CloseDuringSubmit"},
		{bugSharedIDs, "whole/SubmitConcurrent"},
		{bugTwoClasses, "whole/FaultThrottle"},
		{bugRetryInternal, "whole/FaultOutcomeUnknown"},
		{bugUnknownSafeish, "whole/FaultOutcomeUnknown"},
		{bugPartialBare, "whole/PartialNotSent"},
		{bugPartialBare, "whole/PartialThrottle"},
		{bugResendWhole, "parts/ResumeThrottled"},
		{bugResendWhole, "parts/ResumeAfterOutcomeUnknown"},
		{bugNotResumable, "parts/ResumeNotSent"},
		{bugNotResumable, "parts/ClientLaterPartThrottled"},
	} {
		t.Run(c.bug+"/"+c.subtest, func(t *testing.T) {
			variant, name, _ := strings.Cut(c.subtest, "/")
			cmd := exec.Command(os.Args[0], "-test.run=^TestFakeConformance$/^"+variant+"$/^"+name+"$", "-test.count=1")
			cmd.Env = append(os.Environ(), bugEnv+"="+c.bug)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			require.Truef(t, errors.As(err, &ee), "the suite passed an adapter with bug %q (err %v):\n%s", c.bug, err, out)
			assert.Contains(t, string(out), "--- FAIL: TestFakeConformance/"+c.subtest)
		})
	}
}
