package httptransport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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

func TestReportsEveryDialect(t *testing.T) {
	at := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			h, tr := setup(t, d.profile(), d.dialect, harnessOptions{})
			reports := collect(tr)
			m, op := sent(t, h, tr)
			code := report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusEnroute, At: at})
			assert.Equal(t, http.StatusOK, code)
			r := reports.next(t)
			assert.Equal(t, m.ID, r.MessageID)
			if d.dialect != operatortest.Kannel {
				assert.Equal(t, op.ID, r.OperatorID)
			}
			assert.Equal(t, transport.StatusEnroute, r.Status)
			if d.dialect != operatortest.Elks46 { // 46elks times only "delivered"
				assert.True(t, at.Equal(r.At), "report time %v", r.At)
			}
			report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusUndeliverable, ErrorCode: "34"})
			r = reports.next(t)
			assert.Equal(t, transport.StatusUndeliverable, r.Status)
			if d.dialect == operatortest.Sinch || d.dialect == operatortest.GenericJSON {
				assert.Equal(t, "34", r.ErrorCode)
			}
			st := tr.Stats()
			assert.EqualValues(t, 2, st.Forwarded)
			assert.Zero(t, st.Uncorrelated)
		})
	}
}

// Kannel's smsbox expands the dlr-url's escapes and calls it with GET;
// these are URLs exactly as smsbox produces them from the dlr-url the
// transport sent.
func TestKannelExpandedDLRURL(t *testing.T) {
	h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{})
	reports := collect(tr)
	m, op := sent(t, h, tr)
	require.Contains(t, op.Callback, "status=%d&at=%T", "the escapes travel unexpanded")
	require.Contains(t, op.Callback, "ref="+m.ID)

	cases := []struct {
		dlr  string
		want transport.Status
	}{
		{"8", transport.StatusAccepted},
		{"4", transport.StatusEnroute},
		{"1", transport.StatusDelivered},
	}
	for _, c := range cases {
		expanded := strings.NewReplacer("%d", c.dlr, "%T", "1700000000").Replace(op.Callback)
		resp, err := http.Get(expanded)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		r := reports.next(t)
		assert.Equal(t, c.want, r.Status)
		assert.Equal(t, m.ID, r.MessageID)
		assert.Equal(t, time.Unix(1700000000, 0).UTC(), r.At)
	}
}

func TestDuplicatesAndOutOfOrder(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			h, tr := setup(t, d.profile(), d.dialect, harnessOptions{})
			reports := collect(tr)
			_, op := sent(t, h, tr)
			assert.Equal(t, 200, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}))
			assert.Equal(t, transport.StatusDelivered, reports.next(t).Status)
			// A duplicate, an older intermediate status and a different
			// final status all arrive after "delivered": acknowledged,
			// never forwarded.
			assert.Equal(t, 200, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}))
			assert.Equal(t, 200, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusEnroute}))
			assert.Equal(t, 200, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusUndeliverable}))
			reports.none(t)
			st := tr.Stats()
			assert.EqualValues(t, 3, st.Duplicates)
			assert.EqualValues(t, 1, st.Forwarded)
		})
	}
}

func TestOutOfOrderIntermediate(t *testing.T) {
	h, tr := setup(t, httptransport.SinchBatches(), operatortest.Sinch, harnessOptions{})
	reports := collect(tr)
	_, op := sent(t, h, tr)
	report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusEnroute})
	assert.Equal(t, transport.StatusEnroute, reports.next(t).Status)
	report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusAccepted}) // late "Queued"
	reports.none(t)
	report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered})
	assert.Equal(t, transport.StatusDelivered, reports.next(t).Status)
}

func TestReplayedRequestIsADuplicate(t *testing.T) {
	h, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{})
	reports := collect(tr)
	_, op := sent(t, h, tr)
	report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered})
	reports.next(t)
	code, err := h.sim.ReplayLastReport(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 200, code, "an operator's retry is acknowledged so it stops")
	reports.none(t)
}

func TestLateReports(t *testing.T) {
	h, tr := setup(t, httptransport.GenericJSON(), operatortest.GenericJSON, harnessOptions{
		sim: &operatortest.Options{AutoReport: true, ReportDelay: 100 * time.Millisecond},
	})
	reports := collect(tr)
	m, _ := sent(t, h, tr)
	r := reports.next(t)
	assert.Equal(t, m.ID, r.MessageID)
	assert.Equal(t, transport.StatusDelivered, r.Status)
}

func TestUnknownIDIsAcknowledgedAndCounted(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			h, tr := setup(t, d.profile(), d.dialect, harnessOptions{})
			reports := collect(tr)
			_, op := sent(t, h, tr)
			code := report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered, UnknownID: true})
			if d.profile().Reports.Auth == httptransport.InboundMessageToken {
				// Sinch: a callback URL names its message and carries that
				// message's token; no URL of a message this transport never
				// sent can carry a valid one.
				assert.Equal(t, http.StatusUnauthorized, code)
				reports.none(t)
				return
			}
			assert.Equal(t, http.StatusOK, code, "answered so the operator stops retrying")
			r := reports.next(t)
			assert.NotEqual(t, op.ID, r.OperatorID)
			assert.EqualValues(t, 1, tr.Stats().Uncorrelated)
		})
	}
}

// The operator's report outruns its answer to the submit: the report names
// only the operator id, which the transport learns a moment later.
func TestReportBeforeSubmitResponse(t *testing.T) {
	for _, d := range dialects[1:] { // Kannel reports carry no operator id
		t.Run(d.name, func(t *testing.T) {
			h, tr := setup(t, d.profile(), d.dialect, harnessOptions{})
			reports := collect(tr)
			h.sim.Inject(operatortest.FaultReportBeforeResponse)
			m := testMessage()
			res, err := tr.Submit(context.Background(), m)
			require.NoError(t, err)
			r := reports.next(t)
			require.Eventually(t, func() bool { return len(h.sim.Sent()) == 1 }, 5*time.Second, time.Millisecond)
			assert.Equal(t, http.StatusOK, h.sim.Sent()[0].Code, "acknowledged once the report was taken")
			assert.Equal(t, res.OperatorIDs[0], r.OperatorID)
			assert.Equal(t, m.ID, r.MessageID, "matched to the message once the answer arrived")
			st := tr.Stats()
			assert.EqualValues(t, 1, st.Parked)
			assert.Zero(t, st.Uncorrelated)
		})
	}
}

func TestKannelReportWithoutReferenceIsMalformed(t *testing.T) {
	h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{})
	h.sim.Inject(operatortest.FaultReportBeforeResponse)
	_, err := tr.Submit(context.Background(), testMessage())
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, h.sim.Sent()[0].Code)
	assert.EqualValues(t, 1, tr.Stats().Malformed)
}

// A parked report whose submit fails is released, uncorrelated, as soon as
// no submit is in flight.
func TestParkedReportReleasedWhenNothingInFlight(t *testing.T) {
	h, tr := setup(t, httptransport.GenericJSON(), operatortest.GenericJSON, harnessOptions{
		sim: &operatortest.Options{SlowFor: 300 * time.Millisecond},
		mutate: func(c *httptransport.Config) {
			c.Webhook.ParkFor = time.Minute
		},
	})
	reports := collect(tr)
	_, op := sent(t, h, tr)
	h.sim.Inject(operatortest.FaultSlow)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = tr.Submit(context.Background(), testMessage())
	}()
	require.Eventually(t, func() bool { return len(h.sim.Received()) == 2 }, 5*time.Second, time.Millisecond)
	code := report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered, UnknownID: true})
	assert.Equal(t, http.StatusOK, code)
	assert.EqualValues(t, 1, tr.Stats().Parked)
	<-done
	r := reports.next(t)
	assert.Empty(t, r.MessageID)
	assert.EqualValues(t, 1, tr.Stats().Uncorrelated)
}

func TestParkedReportExpires(t *testing.T) {
	h, tr := setup(t, httptransport.GenericJSON(), operatortest.GenericJSON, harnessOptions{
		sim:    &operatortest.Options{SlowFor: 5 * time.Second},
		mutate: func(c *httptransport.Config) { c.Webhook.ParkFor = 50 * time.Millisecond },
	})
	reports := collect(tr)
	_, op := sent(t, h, tr)
	h.sim.Inject(operatortest.FaultSlow)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = tr.Submit(ctx, testMessage())
	}()
	require.Eventually(t, func() bool { return len(h.sim.Received()) == 2 }, 5*time.Second, time.Millisecond)
	report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered, UnknownID: true})
	r := reports.next(t) // forwarded after ParkFor while the submit still hangs
	assert.Empty(t, r.MessageID)
	cancel()
	<-done
}

func TestAckIsTheProfilesExactBody(t *testing.T) {
	h, tr := setup(t, httptransport.GenericJSON(), operatortest.GenericJSON, harnessOptions{})
	collect(tr)
	_, op := sent(t, h, tr)
	// Re-sign by hand to read the answer body.
	body := `{"id":"` + op.ID + `","status":"delivered"}`
	req := signed(t, h.hook.URL+"/dlr", body, time.Now(), "nonce-ack")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `{"ok":true}`, string(got))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
}

func TestWebhookRejectsBadRequests(t *testing.T) {
	_, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{
		mutate: func(c *httptransport.Config) { c.Webhook.MaxBody = 1024 },
	})
	collect(tr)
	q := "?" + url.Values{"token": {hookSecret}}.Encode()
	cases := []struct {
		name, method, body string
		want               int
	}{
		{"put", http.MethodPut, "id=a&status=delivered", http.StatusMethodNotAllowed},
		{"too large", http.MethodPost, "id=a&status=delivered&x=" + strings.Repeat("y", 2000), http.StatusRequestEntityTooLarge},
		{"no id", http.MethodPost, "status=delivered", http.StatusBadRequest},
		{"no status", http.MethodPost, "id=a", http.StatusBadRequest},
		{"unknown status", http.MethodPost, "id=a&status=exploded", http.StatusBadRequest},
		{"bad time", http.MethodPost, "id=a&status=delivered&delivered=yesterday", http.StatusBadRequest},
		{"bad escape", http.MethodPost, "id=%zz&status=delivered", http.StatusBadRequest},
		{"id with spaces", http.MethodPost, "id=a+b&status=delivered", http.StatusBadRequest},
		{"good", http.MethodPost, "id=a&status=delivered&delivered=2024-01-02T03:04:05.123456", http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(c.method, "/dlr"+q, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			tr.Webhook().ServeHTTP(rec, req)
			assert.Equal(t, c.want, rec.Code)
			assert.NotContains(t, rec.Body.String(), "delivered", "input is never echoed")
		})
	}
}

// With no handler set, a report is not taken: the webhook answers 503 for
// the operator to deliver it again (before, it answered 200 and dropped
// it).
func TestWebhookAfterCloseAndWithoutHandler(t *testing.T) {
	h, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{})
	_, op := sent(t, h, tr)
	assert.Equal(t, http.StatusServiceUnavailable, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}))
	assert.EqualValues(t, 1, tr.Stats().Dropped, "no handler set: left with the operator")
	reports := collect(tr)
	assert.Equal(t, http.StatusOK, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}),
		"the redelivery is news, not a duplicate")
	assert.Equal(t, transport.StatusDelivered, reports.next(t).Status)
	require.NoError(t, tr.Close())
	assert.Equal(t, http.StatusServiceUnavailable, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}))
}

// The operator is answered only once the handler returned: 200 when it
// took the report, 503 when it failed, so that the operator delivers the
// report again, and that redelivery reaches the handler (before, the
// answer went out first and a failed report was lost).
func TestAckWaitsForHandler(t *testing.T) {
	h, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{})
	var calls atomic.Int32
	tr.SetReportHandler(func(ctx context.Context, _ transport.Report) error {
		if calls.Add(1) == 1 {
			return errors.New("store down")
		}
		return nil
	})
	_, op := sent(t, h, tr)
	assert.Equal(t, http.StatusServiceUnavailable, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}))
	assert.Equal(t, http.StatusOK, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}))
	assert.EqualValues(t, 2, calls.Load(), "the redelivery was handed on, not dropped as a duplicate")
	assert.Equal(t, http.StatusOK, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}))
	assert.EqualValues(t, 2, calls.Load(), "once taken, a repeat is a duplicate")
	st := tr.Stats()
	assert.EqualValues(t, 1, st.Refused)
	assert.EqualValues(t, 1, st.Duplicates)
}

// Close cancels the context of running handlers and waits for them.
func TestCloseWaitsForHandlers(t *testing.T) {
	h, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{})
	started := make(chan struct{}, 1)
	var finished bool
	tr.SetReportHandler(func(ctx context.Context, _ transport.Report) error {
		started <- struct{}{}
		<-ctx.Done()
		finished = true
		return nil
	})
	_, op := sent(t, h, tr)
	code := make(chan int, 1)
	go func() { code <- report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}) }()
	<-started
	require.NoError(t, tr.Close())
	assert.True(t, finished)
	assert.Equal(t, http.StatusServiceUnavailable, <-code, "closed under the report: the operator delivers it again")
}

// gatedBody is a request body whose first Read signals started and then
// waits for release.
type gatedBody struct {
	started, release chan struct{}
	r                io.Reader
	once             bool
}

func (b *gatedBody) Read(p []byte) (int, error) {
	if !b.once {
		b.once = true
		close(b.started)
		<-b.release
	}
	return b.r.Read(p)
}

// A report whose request was still being read when Close ran is dropped
// (no handler call can start any more): it must not be acknowledged, or
// the operator never sends it again and it is lost.
func TestWebhookReportInFlightAcrossCloseIsNotAcknowledged(t *testing.T) {
	h, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{})
	collect(tr)
	_, op := sent(t, h, tr)
	body := &gatedBody{
		started: make(chan struct{}), release: make(chan struct{}),
		r: strings.NewReader(url.Values{"id": {op.ID}, "status": {"delivered"}}.Encode()),
	}
	req := httptest.NewRequest(http.MethodPost, "/dlr?"+url.Values{"token": {hookSecret}}.Encode(), body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tr.Webhook().ServeHTTP(rec, req)
	}()
	<-body.started
	require.NoError(t, tr.Close())
	close(body.release)
	<-done
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "a dropped report must not be acknowledged")
}

// BenchmarkWebhook measures one delivery report through the handler:
// authentication, parsing, correlation and acknowledgement.
func BenchmarkWebhook(b *testing.B) {
	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.GenericJSON(), BaseURL: "http://127.0.0.1:1",
		Credentials: httptransport.Credentials{Token: "t"},
		CallbackURL: "http://127.0.0.1:2/dlr",
		Webhook:     httptransport.WebhookConfig{Secret: operatortest.DefaultSigningSecret},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	tr.SetReportHandler(func(context.Context, transport.Report) error { return nil })
	h := tr.Webhook()
	var n int
	b.ReportAllocs()
	for b.Loop() {
		n++
		body := fmt.Sprintf(`{"id":"gw-%d","reference":"m-%d","status":"delivered","at":"2025-01-02T03:04:05Z"}`, n, n)
		req := signedRequest(body, fmt.Sprintf("n-%d", n))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// FuzzWebhook drives the whole handler, authentication included, with
// arbitrary requests: it must answer a 2xx or 4xx, never panic or 5xx.
func FuzzWebhook(f *testing.F) {
	f.Add(uint8(0), "POST", "token=webhook-secret-0123456789&ref=m&status=1", "", "", "", []byte(nil))
	f.Add(uint8(1), "POST", "token=webhook-secret-0123456789", "", "", "", []byte("id=s1&status=delivered"))
	f.Add(uint8(3), "POST", "", "1700000000", "n1", "sha256=00", []byte(`{"id":"gw-1","status":"delivered"}`))
	f.Add(uint8(2), "GET", "", "", "", "", []byte(`{}`))
	profiles := []httptransport.Profile{
		httptransport.Kannel(), httptransport.Elks46(), httptransport.SinchBatches(), httptransport.GenericJSON(),
	}
	transports := make([]*httptransport.Transport, len(profiles))
	for i, p := range profiles {
		tr, err := httptransport.New(httptransport.Config{
			Profile: p, BaseURL: "http://127.0.0.1:1",
			Credentials: httptransport.Credentials{User: "u", Password: "p", Token: "t"},
			CallbackURL: "http://127.0.0.1:2/dlr",
			Webhook: httptransport.WebhookConfig{
				Secret: hookSecret, User: hookUser, Password: hookPassword, MaxBody: 4096,
				Now: func() time.Time { return time.Unix(1700000000, 0) },
			},
		})
		if err != nil {
			f.Fatal(err)
		}
		tr.SetReportHandler(func(context.Context, transport.Report) error { return nil })
		transports[i] = tr
	}
	f.Cleanup(func() {
		for _, tr := range transports {
			tr.Close()
		}
	})
	f.Fuzz(func(t *testing.T, which uint8, method, rawQuery, ts, nonce, sig string, body []byte) {
		tr := transports[int(which)%len(transports)]
		req, err := http.NewRequest(method, "http://advox.test/dlr", bytes.NewReader(body))
		if err != nil {
			return
		}
		req.URL.RawQuery = rawQuery
		req.Header.Set(httptransport.DefaultTimestampHeader, ts)
		req.Header.Set(httptransport.DefaultNonceHeader, nonce)
		req.Header.Set(httptransport.DefaultSignatureHeader, sig)
		req.SetBasicAuth(hookUser, hookPassword)
		rec := httptest.NewRecorder()
		tr.Webhook().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("answered %d", rec.Code)
		}
	})
}
