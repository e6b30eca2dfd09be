package advox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

const to = "+46701234567"

func fastBackoff(int, time.Duration) time.Duration { return time.Millisecond }

func newClient(t *testing.T, tr transport.Transport, opts *advox.Options) (*advox.Client, *memstore.Store) {
	t.Helper()
	if opts == nil {
		opts = &advox.Options{}
	}
	if opts.Backoff == nil {
		opts.Backoff = fastBackoff
	}
	st := memstore.New(nil)
	c, err := advox.NewClient(tr, st, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c, st
}

func msg(text string) advox.Message {
	return advox.Message{Account: "acct-1", From: "Advox", To: to, Text: text}
}

func TestSendRecordsAndReports(t *testing.T) {
	tr := memtransport.New(&memtransport.Config{ReportStatus: transport.StatusDelivered})
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
	tr := memtransport.New(&memtransport.Config{RetryAfter: 1500 * time.Millisecond})
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

func TestUnknownOutcomeSettledByLaterReport(t *testing.T) {
	tr := memtransport.New(nil)
	tr.Inject(memtransport.OutcomeUnknown)
	c, _ := newClient(t, tr, nil)
	rcpt, err := c.Send(context.Background(), msg("unknown"))
	require.ErrorIs(t, err, advox.ErrOutcomeUnknown)
	require.True(t, tr.Report(context.Background(), transport.Report{MessageID: rcpt.ID, Status: transport.StatusDelivered}))
	r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, transport.StatusDelivered, r.Status)
}

// earlyReporter reports delivery from inside Submit, before the Client has
// even seen the operator ids: the report overtakes the submit response.
type earlyReporter struct {
	*memtransport.Transport
	mu sync.Mutex
	h  transport.ReportHandler
}

func (e *earlyReporter) SetReportHandler(h transport.ReportHandler) {
	e.mu.Lock()
	e.h = h
	e.mu.Unlock()
	e.Transport.SetReportHandler(h)
}

func (e *earlyReporter) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	res, err := e.Transport.Submit(ctx, m)
	for _, id := range res.OperatorIDs {
		e.h(ctx, transport.Report{OperatorID: id, Status: transport.StatusDelivered})
	}
	return res, err
}

func TestReportBeforeSubmitResponseIsHeld(t *testing.T) {
	tr := &earlyReporter{Transport: memtransport.New(nil)}
	c, _ := newClient(t, tr, nil)
	rcpt, err := c.Send(context.Background(), msg(strings.Repeat("z", 170)))
	require.NoError(t, err)
	r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, transport.StatusDelivered, r.Status, "held reports are applied as soon as the record exists")
	st := c.ReportStats()
	assert.Equal(t, int64(2), st.Applied)
	assert.Zero(t, st.Held)
}

func TestUnmatchedReportsExpire(t *testing.T) {
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{ReportHold: 30 * time.Millisecond})
	tr.Report(context.Background(), transport.Report{OperatorID: "nobody", Status: transport.StatusDelivered})
	tr.Report(context.Background(), transport.Report{OperatorID: "x", Status: "bogus"})
	assert.Equal(t, int64(1), c.ReportStats().Held)
	require.Eventually(t, func() bool { return c.ReportStats().Unmatched == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.Zero(t, c.ReportStats().Held)
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

func TestPerAccountRateLimit(t *testing.T) {
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{
		AccountLimit:  advox.Limit{Rate: 1000, Burst: 10},
		AccountLimits: map[string]advox.Limit{"slow": {Rate: 0.5, Burst: 1}},
	})
	m := msg("rate")
	m.Account = "slow"
	_, err := c.Send(context.Background(), m)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Send(ctx, m)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the second message must wait two seconds")
	for range 5 {
		_, err = c.Send(context.Background(), msg("other account is not slowed"))
		require.NoError(t, err)
	}
	assert.Len(t, tr.Sent(), 6)
}

func TestCloseInterruptsWaitsAndEndsEverything(t *testing.T) {
	tr := memtransport.New(nil)
	st := memstore.New(nil)
	c, err := advox.NewClient(tr, st, &advox.Options{AccountLimit: advox.Limit{Rate: 0.001, Burst: 1}})
	require.NoError(t, err)
	_, err = c.Send(context.Background(), msg("first"))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := c.Send(context.Background(), msg("waits for a long time"))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, c.Close())
	select {
	case err := <-done:
		assert.ErrorIs(t, err, advox.ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not interrupt the rate-limit wait")
	}
	_, err = c.Send(context.Background(), msg("after close"))
	assert.ErrorIs(t, err, advox.ErrClosed)
	_, err = tr.Submit(context.Background(), &transport.Message{Parts: []string{"x"}})
	assert.ErrorIs(t, err, transport.ErrClosed, "Close closes the transport")
	_, err = st.Get(context.Background(), "x")
	assert.ErrorIs(t, err, storage.ErrClosed, "Close closes the store")
	assert.NoError(t, c.Close(), "idempotent")
}

func TestConcurrentSends(t *testing.T) {
	tr := memtransport.New(&memtransport.Config{ReportStatus: transport.StatusDelivered})
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

func TestNewClientOptions(t *testing.T) {
	_, err := advox.NewClient(nil, memstore.New(nil), nil)
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
	_, err = advox.NewClient(memtransport.New(nil), nil, nil)
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
	_, err = advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{Retention: advox.RetentionPolicy{Months: 7}})
	assert.ErrorIs(t, err, advox.ErrInvalidArgument, "retention beyond the policy needs an explicit option")
	_, err = advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{Concat: 12})
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
	for _, n := range []int{-1, 256} {
		_, err = advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{MaxSegments: n})
		assert.ErrorIs(t, err, advox.ErrInvalidArgument, "MaxSegments %d: refused at once, not on every Send", n)
	}
	c, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{MaxSegments: 255})
	require.NoError(t, err)
	require.NoError(t, c.Close())
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
