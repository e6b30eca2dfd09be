package httptransport_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

var msgN atomic.Int64

// testMessage is a message with a recipient and text that errors must
// never quote.
func testMessage() *transport.Message {
	n := msgN.Add(1)
	return &transport.Message{
		ID:              fmt.Sprintf("msg-%06d", n),
		From:            transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
		To:              fmt.Sprintf("+46709%06d", n),
		Encoding:        transport.GSM7,
		Parts:           []string{fmt.Sprintf("Your secret code is %d, keep it private", 4711+n)},
		Concat:          transport.Concat8,
		ReportRequested: true,
	}
}

// threeParts is testMessage as three GSM-7 parts sized for concat.
func threeParts(concat transport.Concat) *transport.Message {
	m := testMessage()
	m.Parts, m.Concat = []string{strings.Repeat("a", 153), strings.Repeat("b", 153), "c"}, concat
	return m
}

// outcome is how a fault must be classified.
type outcome int

const (
	accepted outcome = iota
	throttled
	notSent
	unknown
	rejected
)

func (o outcome) sentinel() error {
	return map[outcome]error{
		throttled: transport.ErrThrottled, notSent: transport.ErrNotSent,
		unknown: transport.ErrOutcomeUnknown, rejected: transport.ErrRejected,
	}[o]
}

// TestFaults checks the classification of every simulator fault for every
// built-in profile, that nothing is submitted twice, and that errors never
// quote credentials, the text or the recipient.
func TestFaults(t *testing.T) {
	// want[dialect] overrides all for the dialects that differ.
	type row struct {
		fault      operatortest.Fault
		all        outcome
		want       map[operatortest.Dialect]outcome
		retryAfter time.Duration // expected hint (upper bound for dates)
		recorded   int           // messages the operator accepted
	}
	unknownFor3 := map[operatortest.Dialect]outcome{operatortest.GenericJSON: throttled}
	rows := []row{
		{fault: operatortest.FaultNone, all: accepted, recorded: 1},
		{fault: operatortest.FaultSlow, all: unknown, recorded: 1},
		{fault: operatortest.FaultThrottle, all: throttled},
		{fault: operatortest.FaultThrottleRetryAfter, all: throttled, retryAfter: 2 * time.Second},
		{fault: operatortest.FaultThrottleRetryAfterDate, all: throttled, retryAfter: 3 * time.Second},
		// Disguised throttles are GenericJSON's schema signal; other
		// dialects read the 200 as an accepted answer without their id
		// (unknown: never assumed sent or unsent) and the 403 as a refusal.
		{fault: operatortest.FaultThrottle200, all: unknown, want: unknownFor3},
		{fault: operatortest.FaultThrottle403, all: rejected, want: unknownFor3},
		{fault: operatortest.FaultNotAccepted, all: unknown, want: map[operatortest.Dialect]outcome{
			operatortest.Kannel: notSent, operatortest.GenericJSON: notSent,
		}},
		{fault: operatortest.FaultReject, all: rejected},
		{fault: operatortest.FaultServerError, all: unknown},
		{fault: operatortest.FaultProxyHTML, all: unknown},
		{fault: operatortest.FaultHTML200, all: unknown},
		// Kannel's text answer cut in half still starts "0:".
		{fault: operatortest.FaultTruncated, all: unknown, want: map[operatortest.Dialect]outcome{operatortest.Kannel: accepted}, recorded: 1},
		// The request was written before the reset: the client cannot
		// tell that the operator never read it.
		{fault: operatortest.FaultResetBeforeRead, all: unknown},
		{fault: operatortest.FaultAcceptThenReset, all: unknown, recorded: 1},
		{fault: operatortest.FaultReportBeforeResponse, all: accepted, recorded: 1},
	}
	for _, d := range dialects {
		for _, r := range rows {
			t.Run(d.name+"/"+r.fault.String(), func(t *testing.T) {
				want := r.all
				if w, ok := r.want[d.dialect]; ok {
					want = w
				}
				h, tr := setup(t, d.profile(), d.dialect, harnessOptions{
					sim: &operatortest.Options{SlowFor: 5 * time.Second},
					mutate: func(c *httptransport.Config) {
						if r.fault == operatortest.FaultSlow {
							c.Timeout = 300 * time.Millisecond
						}
					},
				})
				h.sim.Inject(r.fault)
				m := testMessage()
				res, err := tr.Submit(context.Background(), m)
				if want == accepted {
					require.NoError(t, err)
					if d.dialect != operatortest.Kannel {
						assert.Equal(t, []string{h.sim.Received()[0].ID}, res.OperatorIDs)
					}
				} else {
					require.Error(t, err)
					assert.ErrorIs(t, err, want.sentinel())
					assert.Equal(t, want == throttled || want == notSent, transport.SafeToRetry(err))
					var he *httptransport.Error
					require.ErrorAs(t, err, &he)
					assertClean(t, err, m)
				}
				if r.retryAfter > 0 && want == throttled {
					after, ok := transport.RetryAfter(err)
					require.True(t, ok, "Retry-After must be honoured")
					assert.LessOrEqual(t, after, r.retryAfter)
					assert.Greater(t, after, r.retryAfter-2*time.Second)
				} else if err != nil {
					_, ok := transport.RetryAfter(err)
					assert.False(t, ok)
				}
				assert.Len(t, h.sim.Received(), r.recorded)
				assert.Equal(t, 1, h.sim.Requests(), "one attempt per Submit, never a silent resend")
			})
		}
	}
}

// assertClean checks that an error quotes no credential, text or number.
func assertClean(t *testing.T, err error, m *transport.Message) {
	t.Helper()
	s := err.Error()
	for _, secret := range []string{
		operatortest.DefaultPassword, operatortest.DefaultToken, hookSecret, hookPassword,
		operatortest.DefaultSigningSecret, m.Text(), m.To, m.To[1:],
	} {
		assert.NotContains(t, s, secret)
	}
}

func TestRejectionQuotesOperatorMasked(t *testing.T) {
	for _, d := range dialects[1:] { // the JSON dialects echo the number
		t.Run(d.name, func(t *testing.T) {
			h, tr := setup(t, d.profile(), d.dialect, harnessOptions{})
			h.sim.Inject(operatortest.FaultReject)
			m := testMessage()
			_, err := tr.Submit(context.Background(), m)
			require.ErrorIs(t, err, transport.ErrRejected)
			assert.Contains(t, err.Error(), "nvalid")
			assert.Contains(t, err.Error(), "*"+m.To[len(m.To)-2:], "the number is quoted masked")
			assertClean(t, err, m)
		})
	}
}

func TestProxyHTMLNeverQuoted(t *testing.T) {
	h, tr := setup(t, httptransport.GenericJSON(), operatortest.GenericJSON, harnessOptions{})
	h.sim.Inject(operatortest.FaultProxyHTML)
	_, err := tr.Submit(context.Background(), testMessage())
	require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "HTTP 502: HTML page")
	assert.NotContains(t, err.Error(), "<html>")
}

// A message accepted and then lost to a reset is settled by its later
// delivery report: the record can move from unknown to delivered.
func TestAcceptThenResetSettledByReport(t *testing.T) {
	h, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{})
	reports := collect(tr)
	h.sim.Inject(operatortest.FaultAcceptThenReset)
	m := testMessage()
	_, err := tr.Submit(context.Background(), m)
	require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
	got := h.sim.Received()
	require.Len(t, got, 1)
	code, err := h.sim.SendReport(context.Background(), operatortest.Report{ID: got[0].ID, Status: transport.StatusDelivered})
	require.NoError(t, err)
	assert.Equal(t, 200, code)
	r := reports.next(t)
	assert.Equal(t, m.ID, r.MessageID, "correlated by the reference in the callback URL")
	assert.Equal(t, got[0].ID, r.OperatorID)
	assert.Equal(t, transport.StatusDelivered, r.Status)
}

func TestCallerCancelMidFlightIsUnknown(t *testing.T) {
	h, tr := setup(t, httptransport.GenericJSON(), operatortest.GenericJSON, harnessOptions{
		sim: &operatortest.Options{SlowFor: 5 * time.Second},
	})
	h.sim.Inject(operatortest.FaultSlow)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(h.sim.Received()) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := tr.Submit(ctx, testMessage())
	require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, context.Canceled, "the caller's own cancellation stays visible")
}

func TestInternalTimeoutIsNotTheCallersDeadline(t *testing.T) {
	h, tr := setup(t, httptransport.GenericJSON(), operatortest.GenericJSON, harnessOptions{
		sim:    &operatortest.Options{SlowFor: 5 * time.Second},
		mutate: func(c *httptransport.Config) { c.Timeout = 100 * time.Millisecond },
	})
	h.sim.Inject(operatortest.FaultSlow)
	_, err := tr.Submit(context.Background(), testMessage())
	require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
	assert.False(t, errors.Is(err, context.DeadlineExceeded),
		"the transport's own timeout must not look like the caller's context")
	assert.Contains(t, err.Error(), "timed out after the request was sent")
}

func TestCloseCancelsSubmitInFlight(t *testing.T) {
	h, tr := setup(t, httptransport.GenericJSON(), operatortest.GenericJSON, harnessOptions{
		sim: &operatortest.Options{SlowFor: 5 * time.Second},
	})
	h.sim.Inject(operatortest.FaultSlow)
	done := make(chan error, 1)
	go func() {
		_, err := tr.Submit(context.Background(), testMessage())
		done <- err
	}()
	require.Eventually(t, func() bool { return len(h.sim.Received()) == 1 }, 5*time.Second, time.Millisecond)
	require.NoError(t, tr.Close())
	err := <-done
	require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "transport closed")
}
