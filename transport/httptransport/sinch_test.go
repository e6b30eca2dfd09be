package httptransport_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// sinchNow is the clock of the Sinch request tests.
var sinchNow = time.Date(2025, 3, 14, 15, 9, 26, 535000000, time.UTC)

// sinchCapture is a Sinch transport sending to a capturing server.
func sinchCapture(t *testing.T, mutate func(*httptransport.Config)) (*httptransport.Transport, <-chan captured) {
	t.Helper()
	srv, reqs := capture(t, http.StatusCreated, `{"id":"01BATCH"}`)
	cfg := httptransport.Config{
		Profile: httptransport.SinchBatches(), BaseURL: srv.URL + "/xms/v1/plan-1",
		Credentials: httptransport.Credentials{Token: "bearer-xyz"},
		CallbackURL: "https://app.example/dlr",
		Webhook:     httptransport.WebhookConfig{Secret: "0123456789abcdef"},
		Now:         func() time.Time { return sinchNow },
	}
	if mutate != nil {
		mutate(&cfg)
	}
	tr, err := httptransport.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { tr.Close() })
	return tr, reqs
}

func batchOf(t *testing.T, r captured) map[string]any {
	t.Helper()
	var body map[string]any
	require.NoError(t, json.Unmarshal(r.body, &body))
	return body
}

// The callback URL used to carry user:password, which Sinch ignores (it
// authenticates callbacks as the account is configured) and, refused once
// with a 4xx, never retries: every report was lost. It now carries a token
// of the message's own.
func TestSinchRequest(t *testing.T) {
	tr, reqs := sinchCapture(t, nil)
	res, err := tr.Submit(context.Background(), wireMessage(transport.UCS2))
	require.NoError(t, err)
	assert.Equal(t, []string{"01BATCH"}, res.OperatorIDs)
	r := <-reqs
	assert.Equal(t, "/xms/v1/plan-1/batches", r.path)
	assert.Equal(t, "Bearer bearer-xyz", r.header.Get("Authorization"))
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	body := batchOf(t, r)
	assert.Equal(t, []any{"+46701234567"}, body["to"])
	assert.Equal(t, "Hello & welcome=1 +€", body["body"])
	assert.Equal(t, "msg-42", body["client_reference"])
	assert.Equal(t, "per_recipient", body["delivery_report"])
	assert.Equal(t, "2025-03-14T16:39:26.535Z", body["expire_at"], "90 minutes from now, as Sinch writes times")
	cb, err := url.Parse(body["callback_url"].(string))
	require.NoError(t, err)
	assert.Nil(t, cb.User, "no credentials in the URL")
	assert.Equal(t, "msg-42", cb.Query().Get("ref"))
	token := cb.Query().Get("token")
	assert.Len(t, token, 22)
	assert.NotContains(t, cb.String(), "0123456789abcdef", "the secret itself never travels")

	m := wireMessage(transport.UCS2)
	m.ID = "msg-43"
	_, err = tr.Submit(context.Background(), m)
	require.NoError(t, err)
	other, _ := url.Parse(batchOf(t, <-reqs)["callback_url"].(string))
	assert.NotEqual(t, token, other.Query().Get("token"), "each message has its own token")
}

// Sinch's expire_at is sent (it used to be dropped): an absolute time,
// at most three days ahead, Sinch's own limit.
func TestSinchValidity(t *testing.T) {
	tr, reqs := sinchCapture(t, nil)
	assert.True(t, tr.HonoursValidFor())
	for _, c := range []struct {
		validFor time.Duration
		want     string
	}{
		{time.Minute, "2025-03-14T15:10:26.535Z"},
		{72 * time.Hour, "2025-03-17T15:09:26.535Z"},
		{30 * 24 * time.Hour, "2025-03-17T15:09:26.535Z"}, // capped: Sinch gives up sooner, still within the bound
	} {
		m := testMessage()
		m.ValidFor = c.validFor
		_, err := tr.Submit(context.Background(), m)
		require.NoError(t, err)
		assert.Equal(t, c.want, batchOf(t, <-reqs)["expire_at"], "%s", c.validFor)
	}
	m := testMessage()
	_, err := tr.Submit(context.Background(), m)
	require.NoError(t, err)
	assert.NotContains(t, batchOf(t, <-reqs), "expire_at", "no validity asked: Sinch's default")

	// The strict simulator takes it, as Sinch does.
	h, str := setup(t, httptransport.SinchBatches(), operatortest.Sinch, harnessOptions{})
	m = testMessage()
	m.ValidFor = 5 * 24 * time.Hour
	_, err = str.Submit(context.Background(), m)
	require.NoError(t, err)
	assert.NotEmpty(t, h.sim.Received()[0].Validity)
}

// sinchStatuses is the table of "Delivery report statuses" in Sinch's
// delivery-report documentation: each status, whether it is final, and
// the status it becomes.
var sinchStatuses = []struct {
	status string
	final  bool
	want   transport.Status
}{
	{"Queued", false, transport.StatusAccepted},
	{"Dispatched", false, transport.StatusEnroute},
	{"Aborted", true, transport.StatusRejected},
	{"Cancelled", true, transport.StatusDeleted},
	{"Rejected", true, transport.StatusRejected},
	{"Deleted", true, transport.StatusDeleted},
	{"Delivered", true, transport.StatusDelivered},
	{"Failed", true, transport.StatusUndeliverable},
	{"Expired", true, transport.StatusExpired},
	// Unknown is final: it used to map to an intermediate status, dropped
	// as a regression after Dispatched, so the message stayed en route.
	{"Unknown", true, transport.StatusUndeliverable},
}

func TestSinchStatuses(t *testing.T) {
	d := httptransport.SinchBatches().Reports
	assert.Len(t, d.Statuses, len(sinchStatuses), "every documented status, no other")
	for _, c := range sinchStatuses {
		t.Run(c.status, func(t *testing.T) {
			got, err := d.Parse(url.Values{"ref": {"m1"}}, []byte(`{"type":"recipient_delivery_report_sms","batch_id":"01B","status":"`+c.status+`","code":0}`))
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, c.want, got[0].Status)
			assert.Equal(t, c.final, got[0].Status.Final(), "final as Sinch documents it")

			// End to end: after Dispatched, the status still lands.
			h, tr := setup(t, httptransport.SinchBatches(), operatortest.Sinch, harnessOptions{})
			reports := collect(tr)
			_, op := sent(t, h, tr)
			report(t, h, operatortest.Report{ID: op.ID, OperatorStatus: "Dispatched"})
			assert.Equal(t, transport.StatusEnroute, reports.next(t).Status)
			assert.Equal(t, http.StatusOK, report(t, h, operatortest.Report{ID: op.ID, OperatorStatus: c.status}))
			if c.want.Final() {
				assert.Equal(t, c.want, reports.next(t).Status)
			} else {
				reports.none(t) // an intermediate status never goes back
			}
		})
	}
}

// Through the Client: a final Unknown settles the record.
func TestSinchUnknownSettlesTheRecord(t *testing.T) {
	h, tr := setup(t, httptransport.SinchBatches(), operatortest.Sinch, harnessOptions{sim: &operatortest.Options{}})
	c := clientFor(t, tr)
	rcpt, err := c.Send(context.Background(), advox.Message{Account: "a", From: "Advox", To: "+46701234567", Text: "hi"})
	require.NoError(t, err)
	op := h.sim.Received()[0]
	report(t, h, operatortest.Report{ID: op.ID, OperatorStatus: "Dispatched"})
	statusOf(t, c, rcpt.ID, transport.StatusEnroute)
	report(t, h, operatortest.Report{ID: op.ID, OperatorStatus: "Unknown"})
	statusOf(t, c, rcpt.ID, transport.StatusUndeliverable)
}

// TestSinchDocumented is built from Sinch's SMS API reference: "Batches –
// Send" (request and 201 answer), "Delivery reports" (the recipient
// delivery report) and "Webhooks" (the batch summary and the incoming SMS,
// posted to the same callback URL, which must not be refused: Sinch does
// not retry a 4xx).
func TestSinchDocumented(t *testing.T) {
	t.Run("request", func(t *testing.T) {
		tr, reqs := sinchCapture(t, func(c *httptransport.Config) { c.CallbackURL, c.Webhook = "", httptransport.WebhookConfig{} })
		_, err := tr.Submit(context.Background(), &transport.Message{
			ID: "m1", From: transport.Sender{Value: "+12025551234"}, To: "+14155552345",
			Encoding: transport.GSM7, Parts: []string{"Your verification code is: 847291"},
		})
		require.NoError(t, err)
		assert.Equal(t, map[string]any{
			"from": "+12025551234", "to": []any{"+14155552345"}, "body": "Your verification code is: 847291",
			"client_reference": "m1",
		}, batchOf(t, <-reqs))
	})

	t.Run("answer", func(t *testing.T) {
		spec := httptransport.SinchBatches().Response
		ans, err := spec.Read([]byte(`{"id": "01H6XYZABC123DEF456GHI", "from": "+12025551234",
			"to": ["+14155552345"], "body": "Your verification code is: 847291",
			"delivery_report": "per_recipient", "created_at": "2026-05-02T12:00:00Z", "modified_at": "2026-05-02T12:00:00Z"}`))
		require.NoError(t, err)
		assert.Equal(t, []string{"01H6XYZABC123DEF456GHI"}, ans.IDs)
	})

	at := time.Date(2024, 10, 25, 10, 2, 42, 148000000, time.UTC)
	opAt := time.Date(2024, 10, 25, 10, 2, 0, 0, time.UTC)
	callbacks := []struct {
		name, body string
		want       *transport.Report // nil: acknowledged and ignored; MessageID is the message's
	}{
		{"recipient report delivered, operator time preferred", `{"at": "2024-10-25T10:02:42.148Z", "batch_id": "01JB1J1M5BM5XQ8Q0ZWBM44E14",
			"client_reference": "<ref>", "code": 0, "recipient": "447123456783", "status": "Delivered",
			"operator_status_at": "2024-10-25T10:02:00Z", "type": "recipient_delivery_report_sms"}`,
			&transport.Report{Status: transport.StatusDelivered, At: opAt}},
		{"recipient report dispatched: code 401 is no error", `{"at": "2024-10-25T10:02:42.148Z", "batch_id": "01JB1J1M5BM5XQ8Q0ZWBM44E14",
			"code": 401, "recipient": "447123456783", "status": "Dispatched", "type": "recipient_delivery_report_sms"}`,
			&transport.Report{Status: transport.StatusEnroute, At: at}},
		{"recipient report failed keeps its code", `{"at": "2024-10-25T10:02:42.148Z", "batch_id": "01JB1J1M5BM5XQ8Q0ZWBM44E14",
			"code": 61, "recipient": "447123456783", "status": "Failed", "type": "recipient_delivery_report_sms"}`,
			&transport.Report{Status: transport.StatusUndeliverable, ErrorCode: "61", At: at}},
		{"batch summary", `{"batch_id": "01FC66621XXXXX119Z8PMV1QPQ", "statuses": [{"code": 0, "count": 1,
			"status": "Delivered"}], "total_message_count": 1, "type": "delivery_report_sms"}`, nil},
		{"incoming SMS", `{"body": "This is a test message.", "from": "16051234567", "id": "01XXXXX21XXXXX119Z8P1XXXXX",
			"operator_id": "35000", "received_at": "2022-08-24T14:15:22Z", "to": "13185551234", "type": "mo_text"}`, nil},
	}
	for _, c := range callbacks {
		t.Run("callback "+c.name, func(t *testing.T) {
			tr, reqs := sinchCapture(t, nil) // the capture answers one batch id
			reports := collect(tr)
			m := testMessage()
			_, err := tr.Submit(context.Background(), m)
			require.NoError(t, err)
			cb, err := url.Parse(batchOf(t, <-reqs)["callback_url"].(string))
			require.NoError(t, err)
			ignored := tr.Stats().Ignored
			rec := postCallback(t, tr, cb.RequestURI(), "application/json", strings.ReplaceAll(c.body, "<ref>", m.ID))
			assert.Equal(t, http.StatusOK, rec.Code)
			if c.want == nil {
				assert.Equal(t, ignored+1, tr.Stats().Ignored)
				reports.none(t)
				return
			}
			// The documented batch id is not this message's: the report
			// goes by the message the URL names, and the batch id the
			// transport knows for it.
			want := *c.want
			want.MessageID, want.OperatorID = m.ID, "01BATCH"
			assert.Equal(t, want, reports.next(t))
		})
	}
}

// Report authentication the way Sinch documents it: a per-message token
// needing no setting at Sinch, and basic authentication configured by the
// account manager, checked by the webhook, together when both are set.
func TestSinchReportAuthentication(t *testing.T) {
	const user, password = "sinch-callbacks", "callback-password-0123"
	basic := func(c *httptransport.Config) {
		c.Profile.Reports.Auth = httptransport.InboundBasic
		c.Webhook.User, c.Webhook.Password = user, password
	}
	cases := []struct {
		name   string
		mutate func(*httptransport.Config)
		sim    operatortest.Options
		want   int
	}{
		{"message token", nil, operatortest.Options{}, http.StatusOK},
		{"message token, basic sent but not required", nil, operatortest.Options{CallbackUser: user, CallbackPassword: password}, http.StatusOK},
		{"basic and token", basic, operatortest.Options{CallbackUser: user, CallbackPassword: password}, http.StatusOK},
		{"basic and token, Sinch not configured for basic", basic, operatortest.Options{}, http.StatusUnauthorized},
		{"basic and token, wrong password", basic, operatortest.Options{CallbackUser: user, CallbackPassword: "wrong-password-0123456"}, http.StatusUnauthorized},
		{"basic alone", func(c *httptransport.Config) { basic(c); c.Webhook.Secret = "" }, operatortest.Options{CallbackUser: user, CallbackPassword: password}, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, tr := setup(t, httptransport.SinchBatches(), operatortest.Sinch, harnessOptions{sim: &c.sim, mutate: c.mutate})
			reports := collect(tr)
			m, op := sent(t, h, tr)
			assert.NotContains(t, op.Callback, "@", "never credentials in the callback URL")
			assert.Equal(t, c.want, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}))
			if c.want == http.StatusOK {
				assert.Equal(t, m.ID, reports.next(t).MessageID)
				return
			}
			reports.none(t)
		})
	}

	// A token vouches for its own message only.
	h, tr := setup(t, httptransport.SinchBatches(), operatortest.Sinch, harnessOptions{})
	reports := collect(tr)
	m1, op1 := sent(t, h, tr)
	m2, op2 := sent(t, h, tr)
	u, err := url.Parse(op1.Callback)
	require.NoError(t, err)
	body := func(ref, batch, status string) string {
		return `{"type":"recipient_delivery_report_sms","batch_id":"` + batch + `","status":"` + status + `","client_reference":"` + ref + `"}`
	}
	// Another message's batch id on this message's URL cannot reach that
	// message's record: the report goes by the message the token names.
	assert.Equal(t, http.StatusOK, postCallback(t, tr, u.RequestURI(), "application/json", body(m1.ID, op2.ID, "Dispatched")).Code)
	r := reports.next(t)
	assert.Equal(t, []string{m1.ID, op1.ID}, []string{r.MessageID, r.OperatorID})
	assert.Equal(t, http.StatusOK, postCallback(t, tr, u.RequestURI(), "application/json", body(m1.ID, op1.ID, "Delivered")).Code)
	assert.Equal(t, m1.ID, reports.next(t).MessageID)
	assert.Equal(t, http.StatusUnauthorized, postCallback(t, tr, u.RequestURI(), "application/json", body(m2.ID, op2.ID, "Delivered")).Code,
		"another message's report on this message's URL")
	q := u.Query()
	q.Set("ref", m2.ID)
	assert.Equal(t, http.StatusUnauthorized, postCallback(t, tr, "/dlr?"+q.Encode(), "application/json", body(m2.ID, op2.ID, "Delivered")).Code,
		"this message's token for another message")
	reports.none(t)
}

// The simulator posts Sinch's other callbacks to the report URL: answered
// 200 (a 4xx is never retried, but a 400 there was an error logged for
// nothing), counted, never read as reports.
func TestSinchOtherCallbacksIgnored(t *testing.T) {
	h, tr := setup(t, httptransport.SinchBatches(), operatortest.Sinch, harnessOptions{})
	reports := collect(tr)
	_, op := sent(t, h, tr)
	code, err := h.sim.SendSummary(context.Background(), operatortest.Report{ID: op.ID, Status: transport.StatusDelivered})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	code, err = h.sim.SendInbound(context.Background(), op.Callback, operatortest.Inbound{From: "+46706861004", To: "+46706860000", Text: "hi"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	reports.none(t)
	assert.EqualValues(t, 2, tr.Stats().Ignored)
	assert.Zero(t, tr.Stats().Reports)
}
