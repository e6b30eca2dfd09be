package transporttest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
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
	bug string

	mu       sync.Mutex
	received []transporttest.Received
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
		for i := range accepted {
			accepted[i] = "part-" + strconv.Itoa(i+1) + "-of-" + m.ID
		}
		return transport.Result{OperatorIDs: accepted}, &transport.PartialError{Accepted: accepted, Err: class}
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
	f.received = append(f.received, transporttest.Received{
		MessageID: m.ID, From: m.From.Value, To: m.To, Encoding: m.Encoding, Parts: append([]string(nil), m.Parts...),
	})
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
// process started by TestSuiteCatchesBrokenAdapters) broken.
func TestFakeConformance(t *testing.T) {
	bug := os.Getenv(bugEnv)
	transporttest.Run(t, func(*testing.T) transporttest.Harness { return newFake(bug) },
		transporttest.Features{Timeout: 2 * time.Second})
}

// TestSuiteCatchesBrokenAdapters checks that the case guarding each promise
// fails an adapter that breaks it.
func TestSuiteCatchesBrokenAdapters(t *testing.T) {
	if os.Getenv(bugEnv) != "" {
		t.Skip("child process")
	}
	for _, c := range []struct{ bug, subtest string }{
		{bugCancelNotSent, "ContextCanceledInFlight"},
		{bugCloseNotSent, "CloseDuringSubmit"},
		{bugSharedIDs, "SubmitConcurrent"},
		{bugTwoClasses, "FaultThrottle"},
		{bugRetryInternal, "FaultOutcomeUnknown"},
		{bugUnknownSafeish, "FaultOutcomeUnknown"},
		{bugPartialBare, "PartialNotSent"},
		{bugPartialBare, "PartialThrottle"},
	} {
		t.Run(c.bug+"/"+c.subtest, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestFakeConformance$/^"+c.subtest+"$", "-test.count=1")
			cmd.Env = append(os.Environ(), bugEnv+"="+c.bug)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			require.Truef(t, errors.As(err, &ee), "the suite passed an adapter with bug %q (err %v):\n%s", c.bug, err, out)
			assert.Contains(t, string(out), "--- FAIL: TestFakeConformance/"+c.subtest)
		})
	}
}
