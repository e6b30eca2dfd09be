package operatortest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// sendsms is a valid sendsms query for the default credentials.
func sendsms(extra url.Values) url.Values {
	q := url.Values{
		"username": {operatortest.DefaultUser}, "password": {operatortest.DefaultPassword},
		"from": {"Advox"}, "to": {"+46701234567"}, "text": {"Hej"},
	}
	for k, v := range extra {
		if v == nil {
			q.Del(k)
			continue
		}
		q[k] = v
	}
	return q
}

// The simulator refuses what smsbox refuses, with smsbox's own answers
// (gw/smsbox.c smsbox_req_sendsms and smsbox_req_handle).
func TestKannelStrict(t *testing.T) {
	cases := []struct {
		name  string
		extra url.Values
		code  int
		body  string
	}{
		{"valid", nil, 202, "0: Accepted for delivery"},
		{"user and pass", url.Values{"username": nil, "password": nil, "user": {operatortest.DefaultUser}, "pass": {operatortest.DefaultPassword}}, 202, "0: Accepted for delivery"},
		{"wrong password", url.Values{"password": {"x"}}, 403, "Authorization failed for sendsms"},
		{"no receiver", url.Values{"to": nil}, 400, "Missing receiver number, rejected"},
		{"empty receiver", url.Values{"to": {""}}, 400, "Empty receiver number not allowed, rejected"},
		{"receiver outside sendsms-chars", url.Values{"to": {"+4670abc"}}, 400, "Number(s) has/have been denied by white- and/or black-lists."},
		{"no sender", url.Values{"from": nil}, 400, "Sender missing and no global set, rejected"},
		{"udh length octet wrong", url.Values{"udh": {"\x05\x00\x03\x01\x02"}, "coding": {"0"}}, 400, "UDH field misformed, rejected"},
		{"udh without coding is 8-bit", url.Values{"udh": {"\x05\x00\x03\x01\x02\x01"}}, 400, "Coding field misformed, rejected"},
		{"udh with coding", url.Values{"udh": {"\x05\x00\x03\x01\x02\x01"}, "coding": {"0"}}, 202, "0: Accepted for delivery"},
		{"coding out of range", url.Values{"coding": {"3"}}, 400, "Coding field misformed, rejected"},
		{"dlr-mask out of range", url.Values{"dlr-mask": {"64"}}, 400, "DLR-Mask field misformed, rejected"},
		{"dlr-url not http", url.Values{"dlr-mask": {"31"}, "dlr-url": {"ftp://x/dlr"}}, 400, "DLR-URL field misformed, rejected"},
		{"validity negative", url.Values{"validity": {"-5"}}, 400, "Validity field misformed, rejected"},
		{"charset not converted", url.Values{"charset": {"ISO-8859-1"}}, 400, "Charset or body misformed, rejected"},
	}
	s := operatortest.NewServer(operatortest.Kannel, nil)
	defer s.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := get(t, s.URL()+"/cgi-bin/sendsms?"+sendsms(c.extra).Encode())
			assert.Equal(t, c.code, code)
			assert.Equal(t, c.body, body)
		})
	}
	lenient := operatortest.NewServer(operatortest.Kannel, &operatortest.Options{Lenient: true})
	defer lenient.Close()
	code, _ := get(t, lenient.URL()+"/cgi-bin/sendsms?"+sendsms(url.Values{"to": {"+4670abc"}}).Encode())
	assert.Equal(t, http.StatusAccepted, code, "Lenient skips the format checks")
}

// A text longer than one SMS is split as smsbox splits it: with Kannel's
// defaults (max-messages 1, no concatenation) it is cut to one SMS, and a
// delivery report comes for the first part only.
func TestKannelSplitsAndTruncates(t *testing.T) {
	long := strings.Repeat("a", 200)
	emoji := strings.Repeat("ж", 69) + "👋" + strings.Repeat("ж", 10) // the emoji straddles octet 140
	cases := []struct {
		name      string
		cfg       operatortest.Options
		extra     url.Values
		text      string
		segments  int
		truncated bool
	}{
		{"fits", operatortest.Options{}, url.Values{"text": {strings.Repeat("a", 160)}}, strings.Repeat("a", 160), 1, false},
		{"cut to max-messages 1", operatortest.Options{}, url.Values{"text": {long}}, strings.Repeat("a", 160), 1, true},
		{"independent parts", operatortest.Options{KannelMaxMessages: 3}, url.Values{"text": {long}}, long, 2, false},
		{"concatenated", operatortest.Options{KannelMaxMessages: 3, KannelConcatenation: true}, url.Values{"text": {long}}, long, 2, false},
		{"escape pair never split", operatortest.Options{}, url.Values{"text": {strings.Repeat("a", 159) + "€"}}, strings.Repeat("a", 159), 1, true},
		{"UCS-2 cut inside a surrogate pair", operatortest.Options{}, url.Values{"text": {emoji}, "coding": {"2"}},
			strings.Repeat("ж", 69) + "\uFFFD", 1, true},
		{"a part with its udh fits", operatortest.Options{}, url.Values{
			"text": {strings.Repeat("b", 153)}, "udh": {"\x05\x00\x03\x07\x02\x01"}, "coding": {"0"},
		}, strings.Repeat("b", 153), 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := operatortest.NewServer(operatortest.Kannel, &c.cfg)
			defer s.Close()
			code, _ := get(t, s.URL()+"/cgi-bin/sendsms?"+sendsms(c.extra).Encode())
			require.Equal(t, http.StatusAccepted, code)
			m := s.Received()[0]
			assert.Equal(t, c.text, m.Text)
			assert.Equal(t, c.segments, m.Segments)
			assert.Equal(t, c.truncated, m.Truncated)
		})
	}
}

// The udh's concatenation element is read back, 8- and 16-bit.
func TestKannelUDH(t *testing.T) {
	s := operatortest.NewServer(operatortest.Kannel, nil)
	defer s.Close()
	for _, udh := range []string{"\x05\x00\x03\x2a\x03\x02", "\x06\x08\x04\x00\x2a\x03\x02"} {
		code, _ := get(t, s.URL()+"/cgi-bin/sendsms?"+sendsms(url.Values{"udh": {udh}, "coding": {"0"}}).Encode())
		require.Equal(t, http.StatusAccepted, code)
	}
	for _, m := range s.Received() {
		assert.Equal(t, []int{42, 2, 3}, []int{m.Ref, m.Part, m.Parts})
	}
}

// immediate-sendsms-reply: "Sent.", with the splits when smsbox split.
func TestKannelImmediateReply(t *testing.T) {
	s := operatortest.NewServer(operatortest.Kannel, &operatortest.Options{KannelImmediateReply: true, KannelMaxMessages: 2})
	defer s.Close()
	_, body := get(t, s.URL()+"/cgi-bin/sendsms?"+sendsms(nil).Encode())
	assert.Equal(t, "Sent.", body)
	_, body = get(t, s.URL()+"/cgi-bin/sendsms?"+sendsms(url.Values{"text": {strings.Repeat("a", 200)}}).Encode())
	assert.Equal(t, "Sent. Message splits: 2", body)
}

// A message smsbox split gets one automatic report: the first part's.
func TestKannelFirstPartReportOnly(t *testing.T) {
	calls := make(chan *http.Request, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls <- r }))
	defer hook.Close()
	s := operatortest.NewServer(operatortest.Kannel, &operatortest.Options{AutoReport: true, KannelMaxMessages: 3, KannelConcatenation: true})
	code, _ := get(t, s.URL()+"/cgi-bin/sendsms?"+sendsms(url.Values{
		"text": {strings.Repeat("a", 400)}, "dlr-mask": {"31"}, "dlr-url": {hook.URL + "/dlr?ref=m1&s=%d"},
	}).Encode())
	require.Equal(t, http.StatusAccepted, code)
	require.Eventually(t, func() bool { return len(s.Sent()) > 0 }, 5*time.Second, time.Millisecond)
	s.Close() // waits for anything else it started
	assert.Len(t, s.Sent(), 1, "one report for three parts")
	assert.Equal(t, "1", (<-calls).URL.Query().Get("s"))
	assert.Equal(t, 3, s.Received()[0].Segments)
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

// Kannel's %A is the SMSC's receipt text: in the SMPP 3.4 appendix B form
// with both dates, and with the stat and dlvrd of the report being sent,
// not "delivered" whatever happened.
func TestKannelReceiptTextFollowsTheStatus(t *testing.T) {
	calls := make(chan *http.Request, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls <- r }))
	defer hook.Close()
	s := operatortest.NewServer(operatortest.Kannel, nil)
	defer s.Close()
	q := url.Values{
		"username": {operatortest.DefaultUser}, "password": {operatortest.DefaultPassword},
		"from": {"Advox"}, "to": {"+46701234567"}, "text": {"Hello there"}, "dlr-mask": {"31"},
		"dlr-url": {hook.URL + "/dlr?ref=m1&reply=%A"},
	}
	code, _ := get(t, s.URL()+"/cgi-bin/sendsms?"+q.Encode())
	require.Equal(t, http.StatusAccepted, code)
	id := s.Received()[0].ID
	at := time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)
	tests := []struct {
		status transport.Status
		code   string
		want   string
	}{
		{transport.StatusDelivered, "", "id:" + id + " sub:001 dlvrd:001 submit date:2403051407 done date:2403051407 stat:DELIVRD err:000 text:Hello there"},
		{transport.StatusUndeliverable, "034", "id:" + id + " sub:001 dlvrd:000 submit date:2403051407 done date:2403051407 stat:UNDELIV err:034 text:Hello there"},
		{transport.StatusExpired, "", "stat:EXPIRED err:000"},
		{transport.StatusRejected, "", "stat:REJECTD"},
		{transport.StatusEnroute, "", "stat:ENROUTE"},
		{transport.StatusAccepted, "", "stat:ACCEPTD"},
		{transport.StatusDeleted, "", "stat:DELETED"},
		{transport.StatusUnknown, "", "stat:UNKNOWN"},
	}
	for _, tc := range tests {
		t.Run(string(tc.status), func(t *testing.T) {
			_, err := s.SendReport(context.Background(), operatortest.Report{ID: id, Status: tc.status, ErrorCode: tc.code, At: at})
			require.NoError(t, err)
			reply := (<-calls).URL.Query().Get("reply")
			assert.Contains(t, reply, tc.want)
		})
	}
}
