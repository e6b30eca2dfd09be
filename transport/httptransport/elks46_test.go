package httptransport_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

func TestElks46Request(t *testing.T) {
	srv, reqs := capture(t, http.StatusOK, `{"id":"s1","parts":1,"cost":3500}`)
	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.Elks46(), BaseURL: srv.URL,
		Credentials: httptransport.Credentials{User: "u123", Password: "p456"},
		CallbackURL: "https://app.example/dlr",
		Webhook:     httptransport.WebhookConfig{Secret: "0123456789abcdef"},
	})
	require.NoError(t, err)
	defer tr.Close()
	m := wireMessage(transport.GSM7)
	m.ReportRequested, m.ValidFor = false, 0
	res, err := tr.Submit(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "0.35", res.Price, "cost 3500 in 1/10,000 of the currency")
	r := <-reqs
	assert.Equal(t, http.MethodPost, r.method)
	assert.Equal(t, "/a1/sms", r.path)
	assert.Equal(t, "application/x-www-form-urlencoded", r.header.Get("Content-Type"))
	u, p, ok := (&http.Request{Header: r.header}).BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, "u123", u)
	assert.Equal(t, "p456", p)
	f, err := url.ParseQuery(string(r.body))
	require.NoError(t, err)
	assert.Equal(t, url.Values{"from": {"Advox"}, "to": {"+46701234567"}, "message": {"Hello & welcome=1 +€"}}, f,
		"no callback when no report is asked for")
}

// 46elks takes no validity period. A ValidFor used to vanish without a
// word; now the transport says it cannot honour one, the Client refuses
// the message, and a direct Submit is refused before anything is sent.
func TestElks46ValidityIsRefused(t *testing.T) {
	h, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{})
	assert.False(t, tr.HonoursValidFor())
	m := testMessage()
	m.ValidFor = time.Hour
	_, err := tr.Submit(context.Background(), m)
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.Contains(t, err.Error(), "validity")
	assert.Zero(t, h.sim.Requests(), "nothing reaches 46elks")

	c := clientFor(t, tr)
	_, err = c.Send(context.Background(), advox.Message{
		Account: "a", From: "Advox", To: "+46701234567", Text: "valid an hour", ValidFor: time.Hour,
	})
	require.ErrorIs(t, err, advox.ErrInvalidArgument)
	assert.Zero(t, h.sim.Requests())
}

// TestElks46Documented is built from 46elks' documentation: "Send an SMS"
// (the curl example and the answer), "SMS Delivery Reports (DLRs)" and
// "Receive SMS" (an inbound SMS, which must not be refused if it reaches
// the report URL).
func TestElks46Documented(t *testing.T) {
	t.Run("request", func(t *testing.T) {
		srv, reqs := capture(t, http.StatusOK, `{"id":"s1"}`)
		tr, err := httptransport.New(httptransport.Config{
			Profile: httptransport.Elks46(), BaseURL: srv.URL,
			Credentials: httptransport.Credentials{User: "<api_username>", Password: "<api_password>"},
		})
		require.NoError(t, err)
		defer tr.Close()
		_, err = tr.Submit(context.Background(), &transport.Message{
			ID: "m1", From: transport.Sender{Value: "CurlyElk"}, To: "+46700000000",
			Encoding: transport.GSM7, Parts: []string{"Bring a sweater, it's cold outside"},
		})
		require.NoError(t, err)
		r := <-reqs
		// curl -u <api_username>:<api_password> -d from=CurlyElk -d to=+46700000000 -d message="…"
		u, p, _ := (&http.Request{Header: r.header}).BasicAuth()
		assert.Equal(t, []string{"<api_username>", "<api_password>"}, []string{u, p})
		assert.Equal(t, "from=CurlyElk&message=Bring+a+sweater%2C+it%27s+cold+outside&to=%2B46700000000", string(r.body))
	})

	t.Run("answer", func(t *testing.T) {
		spec := httptransport.Elks46().Response
		ans, err := spec.Read([]byte(`{
			"status": "created", "direction": "outgoing", "from": "YourCompany",
			"created": "2024-05-04T13:37:42.314100", "parts": 1, "to": "+46700000000",
			"cost": 5000, "message": "This is the message sent to the phone.",
			"id": "s70df59406a1b4643b96f3f91e0bfb7b0"}`))
		require.NoError(t, err)
		assert.Equal(t, httptransport.Answer{IDs: []string{"s70df59406a1b4643b96f3f91e0bfb7b0"}, Parts: 1, Price: "0.5"}, ans)
	})

	_, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{})
	reports := collect(tr)
	callbacks := []struct {
		name, body string
		want       *transport.Report // nil: acknowledged and ignored
	}{
		{"delivered", "id=s70df59406a1b4643b96f3f91e0bfb7b0&status=delivered&delivered=2018-07-13T13%3A57%3A23.741000",
			&transport.Report{OperatorID: "s70df59406a1b4643b96f3f91e0bfb7b0", Status: transport.StatusDelivered,
				At: time.Date(2018, 7, 13, 13, 57, 23, 741000000, time.UTC)}},
		{"sent", "id=s1&status=sent", &transport.Report{OperatorID: "s1", Status: transport.StatusEnroute}},
		{"failed", "id=s2&status=failed", &transport.Report{OperatorID: "s2", Status: transport.StatusUndeliverable}},
		{"inbound SMS", "direction=incoming&id=sf8425555e5d8db61dda7a7b3f1b91bdb&from=%2B46706861004&to=%2B46706860000&created=2018-07-13T13%3A57%3A23.741000&message=Hello%20how%20are%20you%3F", nil},
	}
	for _, c := range callbacks {
		t.Run("callback "+c.name, func(t *testing.T) {
			ignored := tr.Stats().Ignored
			rec := postCallback(t, tr, "/dlr?"+url.Values{"token": {hookSecret}}.Encode(), "application/x-www-form-urlencoded", c.body)
			// "Your webhook code must respond with a HTTP status in the
			// range 200-204."
			assert.Equal(t, http.StatusOK, rec.Code)
			if c.want == nil {
				assert.Equal(t, ignored+1, tr.Stats().Ignored)
				reports.none(t)
				return
			}
			assert.Equal(t, *c.want, reports.next(t))
		})
	}
}

// The simulator posts an inbound SMS the way 46elks does: the report URL
// answers 200 (46elks retries anything else for hours) and counts it.
func TestElks46InboundAtReportURL(t *testing.T) {
	h, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{})
	reports := collect(tr)
	_, op := sent(t, h, tr)
	code, err := h.sim.SendInbound(context.Background(), op.Callback, operatortest.Inbound{
		From: "+46706861004", To: "+46706860000", Text: "STOP",
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	reports.none(t)
	st := tr.Stats()
	assert.EqualValues(t, 1, st.Ignored)
	assert.Zero(t, st.Reports+st.Malformed)
}
