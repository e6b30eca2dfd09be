package httptransport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
	"github.com/azenna/advox/transport/transporttest"
)

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

func TestConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			if d.profile().PerPart {
				// The Resume* and ClientLaterPart* cases skipped a
				// per-part profile, which could not send the rest.
				_, resumes := any((*httptransport.Transport)(nil)).(transport.PartSubmitter)
				require.True(t, resumes, "a per-part profile resumes a message through SubmitParts")
			}
			transporttest.Run(t, func(t *testing.T) transporttest.Harness {
				return newHarness(t, d.profile(), d.dialect, harnessOptions{sim: &operatortest.Options{AutoReport: true}})
			}, transporttest.Features{DeliveryReports: true, Inbound: true})
		})
	}
}

// BenchmarkSend measures Client.Send (validation, encoding, recording in
// memstore) over the HTTP transport against the simulator on loopback, at
// concurrency 1 and 64.
func BenchmarkSend(b *testing.B) {
	for _, d := range dialects {
		for _, conc := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/c%d", d.name, conc), func(b *testing.B) {
				_, tr := benchTransport(b, d)
				procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
				if err != nil {
					b.Fatal(err)
				}
				c, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{NoReports: true, Processors: procs})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { c.Close() })
				var n atomic.Int64
				send := func() {
					i := n.Add(1)
					_, err := c.Send(context.Background(), advox.Message{
						Account: "bench", From: "Advox", To: fmt.Sprintf("+4670%07d", i%10_000_000),
						Text: "Your verification code is 123456",
					})
					if err != nil {
						b.Error(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				defer reportCPU(b)()
				if conc == 1 {
					for b.Loop() {
						send()
					}
					return
				}
				b.SetParallelism(max(1, conc/runtimeProcs()))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						send()
					}
				})
			})
		}
	}
}

// BenchmarkSubmit measures one Transport.Submit, without the Client.
func BenchmarkSubmit(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			_, tr := benchTransport(b, d)
			m := &transport.Message{
				ID: "bench", From: transport.Sender{Value: "Advox"}, To: "+46701234567",
				Encoding: transport.GSM7, Parts: []string{"Your verification code is 123456"},
			}
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := tr.Submit(context.Background(), m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRawHTTP is the baseline for BenchmarkSubmit/GenericJSON: the
// same request hand-built with net/http, answer read and status checked,
// no classification or parsing.
func BenchmarkRawHTTP(b *testing.B) {
	sim := operatortest.NewServer(operatortest.GenericJSON, nil)
	defer sim.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	body := []byte(`{"encoding":"gsm7","from":"Advox","reference":"bench","text":"Your verification code is 123456","to":"+46701234567"}`)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, sim.URL()+"/messages", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+operatortest.DefaultToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatal(resp.StatusCode)
		}
	}
}

// When the caller's context ends while the answer's body is being read,
// the error still says outcome unknown and wraps the caller's ctx.Err(),
// as the transport contract requires: whether the cut answer is read as
// accepted (a JSON object cut short) or not (Kannel's 202 with no text).
func TestCallerCancelWhileReadingAnswer(t *testing.T) {
	cases := []struct {
		name    string
		profile httptransport.Profile
		status  int
		partial string
	}{
		{"accepted answer cut short", httptransport.GenericJSON(), http.StatusOK, `{"id": "op-`},
		{"answer cut before its text", httptransport.Kannel(), http.StatusAccepted, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.WriteHeader(c.status)
				io.WriteString(w, c.partial)
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}))
			defer srv.Close()
			defer close(release)
			tr, err := httptransport.New(httptransport.Config{
				Profile: c.profile, BaseURL: srv.URL,
				Credentials: httptransport.Credentials{User: "user", Password: "password", Token: "token"},
			})
			require.NoError(t, err)
			defer tr.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotFirstResponseByte: cancel})
			_, err = tr.Submit(ctx, testMessage())
			require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
			assert.ErrorIs(t, err, context.Canceled, "the caller's own cancellation stays visible")
		})
	}
}

func TestConnectionRefusedIsNotSent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	tr, err := httptransport.New(httptransport.Config{
		Profile:     httptransport.Kannel(),
		BaseURL:     "http://" + addr,
		Credentials: httptransport.Credentials{User: "kannel-user", Password: "kannel-password-in-the-url"},
	})
	require.NoError(t, err)
	defer tr.Close()
	m := testMessage()
	_, err = tr.Submit(context.Background(), m)
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.True(t, transport.SafeToRetry(err))
	var op *net.OpError
	assert.ErrorAs(t, err, &op, "the network cause stays reachable")
	// Kannel carries the password, text and number in the URL, which
	// net/http quotes in its own errors.
	assert.NotContains(t, err.Error(), "kannel-password-in-the-url")
	assert.NotContains(t, err.Error(), "sendsms")
	assertClean(t, err, m)
}
