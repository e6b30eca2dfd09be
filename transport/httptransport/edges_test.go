package httptransport_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

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
