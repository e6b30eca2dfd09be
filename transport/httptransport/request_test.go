package httptransport_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

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

// A profile that sends its fields in the query with a method that has a
// body (POST, PUT) must send "Content-Length: 0", not a chunked empty
// body, which gateways that require a length refuse with 411.
func TestQueryFieldsWithBodyMethodSendLengthZero(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
		t.Run(method, func(t *testing.T) {
			type seen struct {
				length int64
				te     []string
				text   string
			}
			ch := make(chan seen, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ch <- seen{r.ContentLength, r.TransferEncoding, r.URL.Query().Get("text")}
				w.WriteHeader(http.StatusAccepted)
				io.WriteString(w, "0: Accepted for delivery")
			}))
			defer srv.Close()
			p := httptransport.Kannel()
			p.Method = method
			tr, err := httptransport.New(httptransport.Config{
				Profile: p, BaseURL: srv.URL, Credentials: httptransport.Credentials{User: "u", Password: "p"},
			})
			require.NoError(t, err)
			defer tr.Close()
			m := testMessage()
			_, err = tr.Submit(context.Background(), m)
			require.NoError(t, err)
			got := <-ch
			assert.Zero(t, got.length)
			assert.Empty(t, got.te, "no chunked transfer encoding")
			assert.Equal(t, m.Text(), got.text)
		})
	}
}

// net/http replays a GET on a reused connection that fails after the
// write; an operator's GET sendsms is not idempotent, so the transport
// must prevent it. Both with the default client and a supplied one.
func TestNoSilentReplayOnReusedConnection(t *testing.T) {
	for _, own := range []bool{true, false} {
		name := map[bool]string{true: "default-client", false: "supplied-client"}[own]
		t.Run(name, func(t *testing.T) {
			h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{
				mutate: func(c *httptransport.Config) {
					if own {
						c.HTTPClient = nil
					}
				},
			})
			_, err := tr.Submit(context.Background(), testMessage()) // pools a connection
			require.NoError(t, err)
			h.sim.Inject(operatortest.FaultAcceptThenReset)
			_, err = tr.Submit(context.Background(), testMessage())
			require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
			assert.Equal(t, 2, h.sim.Requests(), "the reset request must not be resent")
			assert.Len(t, h.sim.Received(), 2)
		})
	}
}
