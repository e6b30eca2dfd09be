package httptransport_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
