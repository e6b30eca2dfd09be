package operatortest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// The simulator answers with Kannel's exact sendsms replies.
func TestKannelReplies(t *testing.T) {
	s := operatortest.NewServer(operatortest.Kannel, nil)
	defer s.Close()
	q := url.Values{
		"username": {operatortest.DefaultUser}, "password": {operatortest.DefaultPassword},
		"from": {"Advox"}, "to": {"+46701234567"}, "text": {"Hej"}, "coding": {"0"},
	}
	send := func(q url.Values) (int, string) { return get(t, s.URL()+"/cgi-bin/sendsms?"+q.Encode()) }

	code, body := send(q)
	assert.Equal(t, http.StatusAccepted, code)
	assert.Equal(t, "0: Accepted for delivery", body)

	s.Inject(operatortest.FaultNotAccepted, operatortest.FaultReject)
	code, body = send(q)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "Temporal failure, try again later.", body)
	code, body = send(q)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Equal(t, "Not routable. Do not try again.", body)

	bad := url.Values{"username": {"x"}, "password": {"y"}, "to": {"1"}}
	code, body = send(bad)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Equal(t, "Authorization failed for sendsms", body)

	assert.Equal(t, 4, s.Requests())
	require.Len(t, s.Received(), 1, "refused submits are not recorded")
	got := s.Received()[0]
	assert.Equal(t, "Hej", got.Text)
	assert.Equal(t, transport.GSM7, got.Encoding)
}

// Reports go to the dlr-url with Kannel's escapes expanded.
func TestKannelDLRExpansion(t *testing.T) {
	calls := make(chan *http.Request, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls <- r }))
	defer hook.Close()
	s := operatortest.NewServer(operatortest.Kannel, nil)
	defer s.Close()
	dlr := hook.URL + "/dlr?ref=msg-1&type=%d&ts=%T&smsc=%i&reply=%A"
	q := url.Values{
		"username": {operatortest.DefaultUser}, "password": {operatortest.DefaultPassword},
		"from": {"Advox"}, "to": {"+46701234567"}, "text": {"secret text here"}, "dlr-mask": {"31"}, "dlr-url": {dlr},
	}
	code, _ := get(t, s.URL()+"/cgi-bin/sendsms?"+q.Encode())
	require.Equal(t, http.StatusAccepted, code)
	m := s.Received()[0]
	assert.Equal(t, "msg-1", m.Reference)
	assert.Equal(t, dlr, m.Callback)

	at := time.Unix(1700000000, 0)
	for _, c := range []struct {
		status transport.Status
		want   string
	}{{transport.StatusDelivered, "1"}, {transport.StatusUndeliverable, "2"}, {transport.StatusEnroute, "4"}, {transport.StatusAccepted, "8"}, {transport.StatusRejected, "16"}} {
		code, err := s.SendReport(context.Background(), operatortest.Report{ID: m.ID, Status: c.status, At: at})
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, code)
		r := <-calls
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Equal(t, c.want, r.URL.Query().Get("type"))
		assert.Equal(t, "1700000000", r.URL.Query().Get("ts"))
		assert.Equal(t, "operatortest", r.URL.Query().Get("smsc"))
		assert.Contains(t, r.URL.Query().Get("reply"), "text:secret text h", "%A quotes the text, as Kannel does")
		assert.Equal(t, "msg-1", r.URL.Query().Get("ref"))
	}
}

func TestElks46Auth(t *testing.T) {
	s := operatortest.NewServer(operatortest.Elks46, &operatortest.Options{User: "u1", Password: "p1"})
	defer s.Close()
	form := url.Values{"from": {"Advox"}, "to": {"+46701234567"}, "message": {"hi"}}.Encode()
	post := func(user, pass string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/a1/sms", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, _ := post("u1", "wrong")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, body := post("u1", "p1")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `"id":"s00000000000000000000000000000001"`)
	assert.Contains(t, body, `"parts":1`)
}

func TestSinchPath(t *testing.T) {
	s := operatortest.NewServer(operatortest.Sinch, nil)
	defer s.Close()
	assert.True(t, strings.HasSuffix(s.URL(), "/xms/v1/sim-plan"))
	code, _ := get(t, s.URL()+"/nope")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = get(t, s.URL()+"/batches")
	assert.Equal(t, http.StatusMethodNotAllowed, code)
}

func TestSendReportErrors(t *testing.T) {
	s := operatortest.NewServer(operatortest.GenericJSON, nil)
	defer s.Close()
	_, err := s.SendReport(context.Background(), operatortest.Report{ID: "nope"})
	assert.Error(t, err)
	_, err = s.ReplayLastReport(context.Background())
	assert.Error(t, err)
}

func TestNames(t *testing.T) {
	assert.Equal(t, "kannel", operatortest.Kannel.String())
	assert.Equal(t, "accept-then-reset", operatortest.FaultAcceptThenReset.String())
	assert.Equal(t, "Fault(99)", operatortest.Fault(99).String())
	assert.Equal(t, "Dialect(9)", operatortest.Dialect(9).String())
}
