package advox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

func TestSendRecordsAndReports(t *testing.T) {
	tr := memtransport.New(&memtransport.Options{ReportStatus: transport.StatusDelivered})
	c, _ := newClient(t, tr, nil)
	text := strings.Repeat("x", 200)
	rcpt, err := c.Send(context.Background(), msg(text))
	require.NoError(t, err)
	assert.Len(t, rcpt.ID, 32)
	assert.Equal(t, 2, rcpt.Segments)
	assert.Equal(t, transport.GSM7, rcpt.Encoding)
	assert.Equal(t, 1, rcpt.Attempts)
	assert.Len(t, rcpt.OperatorIDs, 2)

	sent := tr.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, rcpt.ID, sent[0].Message.ID)
	assert.Equal(t, text, sent[0].Message.Text())
	assert.True(t, sent[0].Message.ReportRequested)

	require.Eventually(t, func() bool {
		r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
		return err == nil && r.Status == transport.StatusDelivered
	}, 5*time.Second, time.Millisecond)
	r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, "acct-1", r.Account)
	assert.Equal(t, phone.Number(to), r.To)
	assert.Equal(t, "mem", r.Transport)
	assert.Equal(t, 2, r.Segments)
	assert.True(t, r.Deadline.After(time.Now().AddDate(0, 4, 27)), "five months of retention")
}

func TestSendValidation(t *testing.T) {
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{MaxSegments: 2})
	tests := []struct {
		name  string
		m     advox.Message
		field string
	}{
		{"empty account", advox.Message{From: "Advox", To: to, Text: "hi"}, "account"},
		{"bad number", advox.Message{Account: "a", From: "Advox", To: "12ab", Text: "hi"}, "to"},
		{"national number without region", advox.Message{Account: "a", From: "Advox", To: "070-123 45 67", Text: "hi"}, "to"},
		{"fixed line", advox.Message{Account: "a", From: "Advox", To: "+4681234567", Text: "hi"}, "to"},
		{"sender too long", advox.Message{Account: "a", From: "ABCDEFGHIJKL", To: to, Text: "hi"}, "from"},
		{"empty sender", advox.Message{Account: "a", To: to, Text: "hi"}, "from"},
		{"empty text", advox.Message{Account: "a", From: "Advox", To: to}, "text"},
		// Never sent with U+FFFD in place of the bad bytes (issue 14: the gateway's JSON decoder did that).
		{"text not UTF-8", advox.Message{Account: "a", From: "Advox", To: to, Text: "hi \xff"}, "text"},
		{"text with an encoded surrogate", advox.Message{Account: "a", From: "Advox", To: to, Text: "hi \xed\xa0\xbd"}, "text"},
		{"too many segments", advox.Message{Account: "a", From: "Advox", To: to, Text: strings.Repeat("y", 307)}, "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Send(context.Background(), tt.m)
			require.Error(t, err)
			assert.ErrorIs(t, err, advox.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tt.field)
			assert.NotContains(t, err.Error(), "1234567", "never echo the number")
		})
	}
	assert.Empty(t, tr.Sent(), "nothing invalid reaches the transport")
}

func TestSendNationalNumberWithRegion(t *testing.T) {
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{Region: "SE"})
	_, err := c.Send(context.Background(), advox.Message{Account: "a", From: "Advox", To: "070-123 45 67", Text: "hej"})
	require.NoError(t, err)
	assert.Equal(t, to, tr.Sent()[0].Message.To)
}

func TestSendRetriesOnlySafeFailures(t *testing.T) {
	tests := []struct {
		name     string
		faults   []memtransport.Fault
		code     advox.Code
		attempts int
		sent     int
		status   transport.Status // "" when nothing is recorded
	}{
		{"throttled then accepted", []memtransport.Fault{memtransport.Throttle}, -1, 2, 1, transport.StatusAccepted},
		{"not sent twice then accepted", []memtransport.Fault{memtransport.NotSent, memtransport.NotSent}, -1, 3, 1, transport.StatusAccepted},
		{"not sent until the policy gives up", []memtransport.Fault{memtransport.NotSent, memtransport.NotSent, memtransport.NotSent, memtransport.NotSent}, advox.CodeUnavailable, 4, 0, ""},
		{"outcome unknown is never retried", []memtransport.Fault{memtransport.OutcomeUnknown}, advox.CodeOutcomeUnknown, 1, 1, transport.StatusUnknown},
		{"rejected is never retried", []memtransport.Fault{memtransport.Reject}, advox.CodeRejected, 1, 0, transport.StatusRejected},
		{"throttled then unknown stops", []memtransport.Fault{memtransport.Throttle, memtransport.OutcomeUnknown}, advox.CodeOutcomeUnknown, 2, 1, transport.StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := memtransport.New(nil)
			tr.Inject(tt.faults...)
			c, st := newClient(t, tr, nil)
			rcpt, err := c.Send(context.Background(), msg("retry"))
			if tt.code < 0 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Equal(t, tt.code, advox.CodeOf(err))
				var e *advox.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, "send", e.Op)
			}
			assert.Len(t, tr.Sent(), tt.sent)
			n := 0
			for r, err := range st.Query(context.Background(), storage.Query{Account: "acct-1"}) {
				require.NoError(t, err)
				n++
				assert.Equal(t, tt.status, r.Status)
				assert.Equal(t, rcpt.ID, r.ID)
			}
			if tt.status == "" {
				assert.Zero(t, n, "a message that never left is not traffic")
			} else {
				assert.Equal(t, 1, n)
				assert.Equal(t, tt.attempts, rcpt.Attempts)
			}
		})
	}
}

func TestRetryAfterHintReachesBackoff(t *testing.T) {
	tr := memtransport.New(&memtransport.Options{RetryAfter: 1500 * time.Millisecond})
	tr.Inject(memtransport.Throttle)
	var hints []time.Duration
	c, _ := newClient(t, tr, &advox.Options{Backoff: func(_ int, hint time.Duration) time.Duration {
		hints = append(hints, hint)
		return time.Millisecond
	}})
	_, err := c.Send(context.Background(), msg("hint"))
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{1500 * time.Millisecond}, hints)
	assert.GreaterOrEqual(t, advox.DefaultBackoff(1, 1500*time.Millisecond), 1500*time.Millisecond)
	assert.LessOrEqual(t, advox.DefaultBackoff(30, 0), advox.DefaultBackoffMax)
}

func (e *earlyReporter) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	res, err := e.Transport.Submit(ctx, m)
	for _, id := range res.OperatorIDs {
		e.h(ctx, transport.Report{OperatorID: id, Status: transport.StatusDelivered})
	}
	return res, err
}

// partialTransport accepts the first part and then fails.
type partialTransport struct {
	*memtransport.Transport
	calls int
	fail  error
}

func (p *partialTransport) Submit(context.Context, *transport.Message) (transport.Result, error) {
	p.calls++
	return transport.Result{}, &transport.PartialError{Accepted: []string{"op-1"}, Err: p.fail}
}

func TestPartialFailureNeverRetried(t *testing.T) {
	for _, tc := range []struct {
		fail     error
		prefix   string // of the record's error code
		segments int    // billed: the parts that went or may have
	}{
		{transport.ErrNotSent, "incomplete:", 1},
		{transport.ErrOutcomeUnknown, "partial:", 2},
		{transport.ErrRejected, "incomplete:", 2}, // the refused part reached the operator
	} {
		t.Run(tc.fail.Error(), func(t *testing.T) {
			tr := &partialTransport{Transport: memtransport.New(nil), fail: tc.fail}
			c, _ := newClient(t, tr, nil)
			rcpt, err := c.Send(context.Background(), msg(strings.Repeat("p", 300)))
			require.Error(t, err)
			assert.Equal(t, 1, tr.calls, "accepted parts make a retry a duplicate")
			r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			require.Len(t, r.Parts, 2)
			assert.Equal(t, "op-1", r.Parts[0].OperatorID)
			assert.Equal(t, transport.StatusAccepted, r.Parts[0].Status)
			assert.True(t, strings.HasPrefix(r.ErrorCode, tc.prefix), r.ErrorCode)
			assert.Equal(t, tc.segments, r.Segments)
		})
	}
}

func TestContextErrorsAreNotWrapped(t *testing.T) {
	c, _ := newClient(t, memtransport.New(nil), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Send(ctx, msg("cancelled"))
	require.ErrorIs(t, err, context.Canceled)
	var e *advox.Error
	assert.False(t, errors.As(err, &e), "context errors come back as they are")
}

func TestConcurrentSends(t *testing.T) {
	tr := memtransport.New(&memtransport.Options{ReportStatus: transport.StatusDelivered})
	c, st := newClient(t, tr, nil)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Send(context.Background(), advox.Message{Account: fmt.Sprintf("acct-%d", i%4), From: "Advox", To: to, Text: "hi"})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Len(t, tr.Sent(), 64)
	total := 0
	for i := range 4 {
		u, err := st.Usage(context.Background(), fmt.Sprintf("acct-%d", i), time.Time{}, time.Time{})
		require.NoError(t, err)
		total += u.Messages
	}
	assert.Equal(t, 64, total)
}

func TestLogsMaskNumbers(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tr := memtransport.New(nil)
	tr.Inject(memtransport.Throttle, memtransport.NotSent, memtransport.NotSent, memtransport.NotSent)
	c, _ := newClient(t, tr, &advox.Options{Logger: log})
	_, err := c.Send(context.Background(), msg("logged"))
	require.Error(t, err)
	_, err = c.Send(context.Background(), msg("logged"))
	require.NoError(t, err)
	out := buf.String()
	require.NotEmpty(t, out)
	assert.NotContains(t, out, "1234567", "numbers are never logged whole")
	assert.NotContains(t, out, "logged\"", "message text is never logged")
}

// pricedTransport answers like an operator that reports its own segment
// count and price.
type pricedTransport struct {
	*memtransport.Transport
	parts int
}

func (p *pricedTransport) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	res, err := p.Transport.Submit(ctx, m)
	res.Parts, res.Price = p.parts, "0.35 SEK"
	return res, err
}

func TestReceiptCarriesOperatorCountAndLogsDrift(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	c, _ := newClient(t, &pricedTransport{Transport: memtransport.New(nil), parts: 3}, &advox.Options{Logger: log})
	rcpt, err := c.Send(context.Background(), msg(strings.Repeat("d", 200)))
	require.NoError(t, err)
	assert.Equal(t, 2, rcpt.Segments)
	assert.Equal(t, 3, rcpt.OperatorParts)
	assert.Equal(t, "0.35 SEK", rcpt.Price)
	assert.Contains(t, buf.String(), "different number of segments")
}

// noValidity is a transport whose operator takes no validity period.
type noValidity struct{ transport.Transport }

func (noValidity) HonoursValidFor() bool { return false }
func (noValidity) Local() bool           { return true }

// A ValidFor the transport's operator cannot take used to be dropped
// without a word: Send refuses it instead, and sends the rest as before.
func TestSendRefusesValidityTheTransportCannotHonour(t *testing.T) {
	mem := memtransport.New(nil)
	c, _ := newClient(t, noValidity{mem}, nil)
	m := msg("valid for an hour")
	m.ValidFor = time.Hour
	_, err := c.Send(context.Background(), m)
	require.ErrorIs(t, err, advox.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "valid for")
	assert.Empty(t, mem.Sent(), "nothing reaches the transport")

	m.ValidFor = 0
	_, err = c.Send(context.Background(), m)
	require.NoError(t, err, "without a validity the message goes")
	assert.Len(t, mem.Sent(), 1)
}

func TestSendEnforcesContractQuota(t *testing.T) {
	accts := newAccounts(t, storage.ContractLimits{MonthlySegments: 3})
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{Accounts: accts})
	ctx := context.Background()

	_, err := c.Send(ctx, advox.Message{Account: "nobody", From: "Advox", To: to, Text: "hi"})
	assert.ErrorIs(t, err, advox.ErrNotFound, "unknown accounts send nothing")

	_, err = c.Send(ctx, advox.Message{Account: "acme", From: "Advox", To: to, Text: strings.Repeat("a", 200)})
	require.NoError(t, err)
	tr.Inject(memtransport.Reject)
	_, err = c.Send(ctx, advox.Message{Account: "acme", From: "Advox", To: to, Text: "rejected, but the operator saw it"})
	require.ErrorIs(t, err, advox.ErrRejected)
	used, err := accts.SegmentsUsed(ctx, "acme", time.Now())
	require.NoError(t, err)
	assert.Equal(t, 3, used)

	_, err = c.Send(ctx, advox.Message{Account: "acme", From: "Advox", To: to, Text: "over quota"})
	require.ErrorIs(t, err, advox.ErrQuotaExceeded)
	var qe *accounts.QuotaError
	require.True(t, errors.As(err, &qe))
	assert.Equal(t, 1, qe.Reset.Day())
	assert.True(t, qe.Reset.After(time.Now()))
	assert.Len(t, tr.Sent(), 1, "nothing over quota reaches the transport")
}

func TestSendReleasesQuotaOfUnsentMessages(t *testing.T) {
	accts := newAccounts(t, storage.ContractLimits{MonthlySegments: 1})
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{Accounts: accts, RetryPolicy: advox.NoRetry})
	tr.Inject(memtransport.NotSent)
	_, err := c.Send(context.Background(), advox.Message{Account: "acme", From: "Advox", To: to, Text: "never left"})
	require.ErrorIs(t, err, advox.ErrUnavailable)
	_, err = c.Send(context.Background(), advox.Message{Account: "acme", From: "Advox", To: to, Text: "this one fits"})
	require.NoError(t, err, "the unsent message's segment was given back")
}

func TestSendAppliesContractRate(t *testing.T) {
	accts := newAccounts(t, storage.ContractLimits{Rate: 0.5, Burst: 1})
	c, _ := newClient(t, memtransport.New(nil), &advox.Options{Accounts: accts})
	m := advox.Message{Account: "acme", From: "Advox", To: to, Text: "hi"}
	_, err := c.Send(context.Background(), m)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Send(ctx, m)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// A transport closed while a request was out may say both "closed" and
// "outcome unknown": the message may be out, so it is recorded (as
// unknown) and its quota kept, never treated as not sent.
func TestSendClosedWithUnknownOutcomeIsRecorded(t *testing.T) {
	accts := newAccounts(t, storage.ContractLimits{MonthlySegments: 10})
	tr := submitFunc(func(context.Context, *transport.Message) (transport.Result, error) {
		return transport.Result{}, fmt.Errorf("closed while awaiting the response: %w: %w",
			transport.ErrOutcomeUnknown, transport.ErrClosed)
	})
	c, _ := newClient(t, tr, &advox.Options{Accounts: accts})
	rcpt, err := c.Send(context.Background(), advox.Message{Account: "acme", From: "Advox", To: to, Text: "maybe out"})
	require.Error(t, err)
	assert.Equal(t, advox.CodeOutcomeUnknown, advox.CodeOf(err))
	require.NotEmpty(t, rcpt.ID, "the message is recorded")
	r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, transport.StatusUnknown, r.Status)
	used, err := accts.SegmentsUsed(context.Background(), "acme", time.Now())
	require.NoError(t, err)
	assert.Equal(t, 1, used, "a message that may be out keeps its segment")
}

// submitFunc is a transport whose Submit is a function: for outcomes the
// in-memory fake does not produce.
type submitFunc func(ctx context.Context, m *transport.Message) (transport.Result, error)

func (submitFunc) Name() string { return "func" }
func (submitFunc) Local() bool  { return true }
func (submitFunc) Close() error { return nil }
func (f submitFunc) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	return f(ctx, m)
}

// A deadline that ends a submit after the request left leaves the message
// possibly sent: Send must say so in a way a caller matching
// advox.ErrOutcomeUnknown sees, or a caller retrying on timeouts sends it
// twice. The error still matches the context error.
func TestSendDeadlineMidSubmitIsOutcomeUnknown(t *testing.T) {
	tests := []struct {
		name string
		text string
		fail func(ctx context.Context) error
	}{
		{"adapter says outcome unknown", "one part", func(ctx context.Context) error {
			return fmt.Errorf("stopped waiting for the response: %w: %w", transport.ErrOutcomeUnknown, ctx.Err())
		}},
		{"bare context error, read as outcome unknown", "one part", func(ctx context.Context) error { return ctx.Err() }},
		{"first part accepted, the rest timed out", strings.Repeat("p", 200), func(ctx context.Context) error {
			return &transport.PartialError{Accepted: []string{"op-1"},
				Err: fmt.Errorf("part 2: %w: %w", transport.ErrOutcomeUnknown, ctx.Err())}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := submitFunc(func(ctx context.Context, _ *transport.Message) (transport.Result, error) {
				<-ctx.Done() // the request left; no response came
				return transport.Result{}, tt.fail(ctx)
			})
			c, _ := newClient(t, tr, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			rcpt, err := c.Send(ctx, msg(tt.text))
			require.Error(t, err)
			require.NotEmpty(t, rcpt.ID, "the message is recorded")
			assert.ErrorIs(t, err, context.DeadlineExceeded, "still the caller's deadline")
			assert.ErrorIs(t, err, advox.ErrOutcomeUnknown, "must not be retried")
			assert.Equal(t, advox.CodeOutcomeUnknown, advox.CodeOf(err))
			assert.Equal(t, transport.StatusUnknown, rcpt.Status)
			r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			assert.Equal(t, transport.StatusUnknown, r.Status)
		})
	}
}

// A context that has already ended sends nothing, whatever the adapter
// does with it: no submit, no record of a message that never left.
func TestSendWithEndedContextSubmitsNothing(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"canceled", canceled, context.Canceled},
		{"deadline passed", expired, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			// A careless adapter: it answers an ended context with the bare
			// context error, which the Client must read as outcome unknown.
			tr := submitFunc(func(ctx context.Context, _ *transport.Message) (transport.Result, error) {
				calls++
				return transport.Result{}, ctx.Err()
			})
			c, st := newClient(t, tr, nil)
			rcpt, err := c.Send(tc.ctx, msg("never leaves"))
			require.ErrorIs(t, err, tc.want)
			var e *advox.Error
			assert.False(t, errors.As(err, &e), "a context error that sent nothing comes back as it is")
			assert.Zero(t, calls, "nothing is handed to the transport")
			assert.Empty(t, rcpt.ID)
			n := 0
			for _, err := range st.Query(context.Background(), storage.Query{Account: "acct-1"}) {
				require.NoError(t, err)
				n++
			}
			assert.Zero(t, n, "a message that never left is not traffic")
		})
	}
}

// A keyring that cannot give the account's data key (here a KEK other
// than the one its key was wrapped with, as after a misconfigured
// restart) refuses the message before it goes out: after the submit it
// could only be sent and never recorded.
func TestSendWithoutDataKeySendsNothing(t *testing.T) {
	ctx := context.Background()
	st := memstore.New(nil)
	client := func(tr *memtransport.Transport) *advox.Client {
		kek := make([]byte, 32)
		_, err := rand.Read(kek)
		require.NoError(t, err)
		k, err := keyring.NewStaticKEK(kek)
		require.NoError(t, err)
		c, err := advox.NewClient(tr, noClose{st}, &advox.Options{Region: "SE", KEK: k, IndexKey: indexKey})
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, c.Close()) })
		return c
	}
	first := client(memtransport.New(nil))
	_, err := first.Send(ctx, msg("seals the account's first key"))
	require.NoError(t, err)

	tr := memtransport.New(nil)
	second := client(tr) // another KEK: the stored key does not open
	rcpt, err := second.Send(ctx, msg("must not go out"))
	require.Error(t, err)
	assert.Empty(t, rcpt.ID, "no receipt: nothing was sent")
	assert.Empty(t, tr.Sent(), "the transport got nothing")
	assert.NotEqual(t, advox.CodeOutcomeUnknown, advox.CodeOf(err))
}

// noClose keeps a store shared by two Clients open when one closes.
type noClose struct{ *memstore.Store }

func (noClose) Close() error { return nil }

// recordFailingStore loses every record: the disk is gone.
type recordFailingStore struct{ *memstore.Store }

func (recordFailingStore) Record(context.Context, ...storage.Record) error {
	return fmt.Errorf("disk gone: %w", storage.ErrUnavailable)
}

// A message handed to the operator whose record could not be written must
// not come back with a code that says nothing was sent (Unavailable,
// Throttled): a caller retrying on those sends it again.
func TestSendUnrecordedMessageNeverSaysNothingWasSent(t *testing.T) {
	tests := []struct {
		name  string
		fault memtransport.Fault // for memtransport
		tr    transport.Transport
		text  string
		code  advox.Code
	}{
		{name: "accepted", tr: memtransport.New(nil), code: advox.CodeOutcomeUnknown},
		{name: "outcome unknown", fault: memtransport.OutcomeUnknown, code: advox.CodeOutcomeUnknown},
		// The rest is not resumed (not Resumable): the message went out incomplete.
		{name: "first part accepted, rest throttled", text: strings.Repeat("p", 300), code: advox.CodeIncomplete,
			tr: &partialTransport{Transport: memtransport.New(nil), fail: fmt.Errorf("slow down: %w", transport.ErrThrottled)}},
		{name: "first part accepted, rest not sent", text: strings.Repeat("p", 300), code: advox.CodeIncomplete,
			tr: &partialTransport{Transport: memtransport.New(nil), fail: transport.ErrNotSent}},
		{name: "rejected whole: nothing is out", fault: memtransport.Reject, code: advox.CodeRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := tt.tr
			if tr == nil {
				mt := memtransport.New(nil)
				mt.Inject(tt.fault)
				tr = mt
			}
			c, err := advox.NewClient(tr, recordFailingStore{memstore.New(nil)}, &advox.Options{Backoff: fastBackoff})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			text := tt.text
			if text == "" {
				text = "handed over"
			}
			rcpt, err := c.Send(context.Background(), msg(text))
			require.Error(t, err)
			assert.NotEmpty(t, rcpt.ID, "the receipt tells the message was handed over")
			assert.Equal(t, tt.code, advox.CodeOf(err), "%v", err)
			assert.NotErrorIs(t, err, advox.ErrUnavailable)
			assert.NotErrorIs(t, err, advox.ErrThrottled)
			assert.ErrorIs(t, err, storage.ErrUnavailable, "the store's failure stays reachable")
		})
	}
}

// BenchmarkClientSend measures the Client's own work per message: no
// network, an in-memory transport and store.
func BenchmarkClientSend(b *testing.B) {
	for _, senders := range []int{1, 64} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			b.SetParallelism(senders)
			benchSend(b, nil)
		})
	}
}

// benchSend sends as fast as b allows through a Client over memtransport
// and memstore made with opts.
func benchSend(b *testing.B, opts *advox.Options) {
	c, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			_, err := c.Send(context.Background(), advox.Message{
				Account: "bench", From: "Advox", To: fmt.Sprintf("+467012%05d", i%100000), Text: "benchmark message",
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// The Client retries a submit only when the transport guarantees the
// operator never received it (throttled, not sent); the RetryPolicy can
// restrict those retries, never add one. A submit whose outcome is unknown
// is never retried: the operator may have the message, and resending it
// would send the SMS twice.
func ExampleRetryPolicy() {
	ctx := context.Background()
	noWait := func(int, time.Duration) time.Duration { return 0 } // the default backs off exponentially
	msg := advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}

	tr := memtransport.New(nil)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{Backoff: noWait})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	tr.Inject(memtransport.Throttle, memtransport.NotSent) // two safe failures, then accepted
	rcpt, err := client.Send(ctx, msg)
	fmt.Println("throttled, not sent, accepted:", rcpt.Attempts, "attempts,", rcpt.Status, err)

	tr.Inject(memtransport.OutcomeUnknown) // the operator may have it
	rcpt, err = client.Send(ctx, msg)
	fmt.Println("outcome unknown:", rcpt.Attempts, "attempt,", advox.CodeOf(err))

	// A policy that never retries turns the throttle into the caller's error.
	tr2 := memtransport.New(nil)
	strict, err := advox.NewClient(tr2, memstore.New(nil), &advox.Options{RetryPolicy: advox.NoRetry})
	if err != nil {
		log.Fatal(err)
	}
	defer strict.Close()
	tr2.Inject(memtransport.Throttle)
	_, err = strict.Send(ctx, msg)
	fmt.Println("NoRetry:", advox.CodeOf(err), "-", len(tr2.Sent()), "received")
	fmt.Println("first operator received", len(tr.Sent()), "messages")
	// Output:
	// throttled, not sent, accepted: 3 attempts, accepted <nil>
	// outcome unknown: 1 attempt, outcome unknown
	// NoRetry: throttled - 0 received
	// first operator received 2 messages
}

// Errors carry a Code; match them with errors.Is against the sentinels.
func ExampleClient_Send_errors() {
	tr := memtransport.New(nil)
	tr.Inject(memtransport.OutcomeUnknown)
	client, err := advox.NewClient(tr, memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	_, err = client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"})
	fmt.Println(advox.CodeOf(err))

	_, err = client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "not a number", Text: "hi"})
	fmt.Println(advox.CodeOf(err))
	// Output:
	// outcome unknown
	// invalid argument
}

func TestRecipientSealedAtRest(t *testing.T) {
	c, st := newClient(t, memtransport.New(nil), &advox.Options{KEK: kek(t), IndexKey: indexKey})
	rcpt := send(t, c, "acct-1", to, "sealed")
	stored, err := st.Get(context.Background(), rcpt.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, stored.Recipient.KeyID)
	assert.NotContains(t, string(stored.Recipient.Data), "1234567", "the store holds ciphertext only")
	assert.NotContains(t, string(stored.RecipientIndex), "1234567")
	assert.True(t, stored.Body.IsZero(), "bodies are not stored by default")

	rec, err := c.Status(context.Background(), advox.PurposeTroubleshoot, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, phone.Number(to), rec.To)
	assert.Empty(t, rec.Body)

	// Tampering with the ciphertext, or moving it to another record, fails.
	other := send(t, c, "acct-1", to, "second")
	st2, err := st.Get(context.Background(), other.ID)
	require.NoError(t, err)
	assert.NotEqual(t, stored.Recipient.Data, st2.Recipient.Data, "fresh nonce per record")
}

func TestKeepBodiesForTroubleshooting(t *testing.T) {
	clk := testkit.NewClock(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	tr := memtransport.New(nil)
	st := memstore.New(&memstore.Options{Now: clk.Now})
	c, err := advox.NewClient(tr, st, &advox.Options{KeepBodies: true, BodyRetention: time.Hour, Now: clk.Now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	a := send(t, c, "acct-1", to, "why did this fail?")
	b := send(t, c, "acct-1", to, "and this one?")
	rec, err := c.Status(context.Background(), advox.PurposeTroubleshoot, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "why did this fail?", rec.Body)
	stored, err := st.Get(context.Background(), a.ID)
	require.NoError(t, err)
	assert.NotContains(t, string(stored.Body.Data), "fail", "kept bodies are sealed")

	tr.Report(context.Background(), transport.Report{OperatorID: a.OperatorIDs[0], Status: transport.StatusDelivered})
	rec, err = c.Status(context.Background(), advox.PurposeTroubleshoot, a.ID)
	require.NoError(t, err)
	assert.Empty(t, rec.Body, "dropped when the message is final")

	clk.Set(clk.Now().Add(time.Hour))
	rec, err = c.Status(context.Background(), advox.PurposeTroubleshoot, b.ID)
	require.NoError(t, err)
	assert.Empty(t, rec.Body, "dropped after the body retention")
}
