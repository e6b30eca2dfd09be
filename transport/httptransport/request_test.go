package httptransport_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
)

// captured is one request as an operator received it.
type captured struct {
	method, path string
	query        url.Values
	header       http.Header
	body         []byte
}

// capture runs a server that records requests and answers status/body.
func capture(t *testing.T, status int, body string) (*httptest.Server, <-chan captured) {
	ch := make(chan captured, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- captured{r.Method, r.URL.Path, r.URL.Query(), r.Header.Clone(), b}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

func wireMessage(enc transport.Encoding) *transport.Message {
	return &transport.Message{
		ID: "msg-42", From: transport.Sender{Value: "Advox"}, To: "+46701234567",
		Encoding: enc, Parts: []string{"Hello & ", "welcome=1 +€"}, ReportRequested: true,
		ValidFor: 90 * time.Minute,
	}
}

func TestKannelRequest(t *testing.T) {
	for _, c := range []struct {
		enc    transport.Encoding
		coding string
	}{{transport.GSM7, "0"}, {transport.UCS2, "2"}} {
		srv, reqs := capture(t, http.StatusAccepted, "0: Accepted for delivery")
		tr, err := httptransport.New(httptransport.Config{
			Profile: httptransport.Kannel(), BaseURL: srv.URL + "/",
			Credentials: httptransport.Credentials{User: "kuser", Password: "kpass"},
			CallbackURL: "https://app.example/dlr?site=se",
			Webhook:     httptransport.WebhookConfig{Secret: "0123456789abcdef"},
		})
		require.NoError(t, err)
		_, err = tr.Submit(context.Background(), wireMessage(c.enc))
		require.NoError(t, err)
		require.NoError(t, tr.Close())
		r := <-reqs
		assert.Equal(t, http.MethodGet, r.method)
		assert.Equal(t, "/cgi-bin/sendsms", r.path)
		assert.Empty(t, r.body)
		q := r.query
		assert.Equal(t, "kuser", q.Get("username"))
		assert.Equal(t, "kpass", q.Get("password"))
		assert.Equal(t, "Advox", q.Get("from"))
		assert.Equal(t, "+46701234567", q.Get("to"))
		assert.Equal(t, "Hello & welcome=1 +€", q.Get("text"))
		assert.Equal(t, c.coding, q.Get("coding"))
		assert.Equal(t, "UTF-8", q.Get("charset"))
		assert.Equal(t, "90", q.Get("validity"), "minutes")
		assert.Equal(t, "31", q.Get("dlr-mask"))
		dlr := q.Get("dlr-url")
		assert.True(t, strings.HasPrefix(dlr, "https://app.example/dlr?"), dlr)
		assert.True(t, strings.HasSuffix(dlr, "&status=%d&at=%T"), "Kannel's escapes travel verbatim: %s", dlr)
		dq, _ := url.ParseQuery(strings.TrimSuffix(strings.SplitN(dlr, "?", 2)[1], "&status=%d&at=%T"))
		assert.Equal(t, "msg-42", dq.Get("ref"))
		assert.Equal(t, "0123456789abcdef", dq.Get("token"))
		assert.Equal(t, "se", dq.Get("site"), "the application's own parameters are kept")
	}
}

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
	m.ReportRequested = false
	_, err = tr.Submit(context.Background(), m)
	require.NoError(t, err)
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

func TestSinchRequest(t *testing.T) {
	srv, reqs := capture(t, http.StatusCreated, `{"id":"01BATCH"}`)
	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.SinchBatches(), BaseURL: srv.URL + "/xms/v1/plan-1",
		Credentials: httptransport.Credentials{Token: "bearer-xyz"},
		CallbackURL: "https://app.example/dlr",
		Webhook:     httptransport.WebhookConfig{User: "cb", Password: "cb-password-0123456789"},
	})
	require.NoError(t, err)
	defer tr.Close()
	res, err := tr.Submit(context.Background(), wireMessage(transport.UCS2))
	require.NoError(t, err)
	assert.Equal(t, []string{"01BATCH"}, res.OperatorIDs)
	r := <-reqs
	assert.Equal(t, "/xms/v1/plan-1/batches", r.path)
	assert.Equal(t, "Bearer bearer-xyz", r.header.Get("Authorization"))
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(r.body, &body))
	assert.Equal(t, []any{"+46701234567"}, body["to"])
	assert.Equal(t, "Hello & welcome=1 +€", body["body"])
	assert.Equal(t, "msg-42", body["client_reference"])
	assert.Equal(t, "per_recipient", body["delivery_report"])
	cb, err := url.Parse(body["callback_url"].(string))
	require.NoError(t, err)
	pw, _ := cb.User.Password()
	assert.Equal(t, "cb", cb.User.Username())
	assert.Equal(t, "cb-password-0123456789", pw, "basic-auth credentials travel in the callback URL")
	assert.Equal(t, "msg-42", cb.Query().Get("ref"))
}

func TestGenericRequest(t *testing.T) {
	srv, reqs := capture(t, http.StatusCreated, `{"id":"gw-9","parts":2}`)
	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.GenericJSON(), BaseURL: srv.URL,
		Credentials: httptransport.Credentials{Token: "gw-token"},
	})
	require.NoError(t, err)
	defer tr.Close()
	_, err = tr.Submit(context.Background(), wireMessage(transport.UCS2))
	require.NoError(t, err)
	r := <-reqs
	var body map[string]string
	require.NoError(t, json.Unmarshal(r.body, &body))
	assert.Equal(t, map[string]string{
		"from": "Advox", "to": "+46701234567", "text": "Hello & welcome=1 +€",
		"encoding": "ucs2", "reference": "msg-42", "valid_for": "5400",
	}, body, "no callback_url without Config.CallbackURL")
}

func TestAuthKinds(t *testing.T) {
	base := httptransport.GenericJSON()
	creds := httptransport.Credentials{User: "u", Password: "p", Token: "k"}
	cases := []struct {
		name  string
		auth  httptransport.Auth
		check func(t *testing.T, r captured)
	}{
		{"none", httptransport.Auth{Kind: httptransport.AuthNone}, func(t *testing.T, r captured) {
			assert.Empty(t, r.header.Get("Authorization"))
		}},
		{"header", httptransport.Auth{Kind: httptransport.AuthHeader, Header: "X-API-Key"}, func(t *testing.T, r captured) {
			assert.Equal(t, "k", r.header.Get("X-API-Key"))
		}},
		{"fields in body", httptransport.Auth{Kind: httptransport.AuthFields, UserField: "login", TokenField: "api_key"}, func(t *testing.T, r captured) {
			var body map[string]string
			require.NoError(t, json.Unmarshal(r.body, &body))
			assert.Equal(t, "u", body["login"])
			assert.Equal(t, "k", body["api_key"])
			assert.Empty(t, r.query)
		}},
		{"query", httptransport.Auth{Kind: httptransport.AuthQuery, TokenField: "api_key"}, func(t *testing.T, r captured) {
			assert.Equal(t, "k", r.query.Get("api_key"))
			assert.NotContains(t, string(r.body), `"k"`)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, reqs := capture(t, http.StatusOK, `{}`)
			p := base
			p.Auth = c.auth
			tr, err := httptransport.New(httptransport.Config{Profile: p, BaseURL: srv.URL, Credentials: creds})
			require.NoError(t, err)
			defer tr.Close()
			_, err = tr.Submit(context.Background(), wireMessage(transport.GSM7))
			require.NoError(t, err)
			c.check(t, <-reqs)
		})
	}
}
