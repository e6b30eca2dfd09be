package httptransport_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// Each part is its own sendsms request with Kannel's udh, coding and
// charset exactly as the Client split it, and its own dlr-url naming the
// part. The joined text used to be sent, which Kannel split again its own
// way.
func TestKannelRequest(t *testing.T) {
	for _, c := range []struct {
		enc    transport.Encoding
		concat transport.Concat
		coding string
		udh    func(ref []byte, n byte) []byte
	}{
		{transport.GSM7, transport.Concat8, "0", func(ref []byte, n byte) []byte { return []byte{5, 0, 3, ref[0], 2, n} }},
		{transport.UCS2, transport.Concat16, "2", func(ref []byte, n byte) []byte { return []byte{6, 8, 4, ref[0], ref[1], 2, n} }},
	} {
		t.Run(string(c.enc), func(t *testing.T) {
			srv, reqs := capture(t, http.StatusAccepted, "0: Accepted for delivery")
			tr, err := httptransport.New(httptransport.Config{
				Profile: httptransport.Kannel(), BaseURL: srv.URL + "/",
				Credentials: httptransport.Credentials{User: "kuser", Password: "kpass"},
				CallbackURL: "https://app.example/dlr?site=se",
				Webhook:     httptransport.WebhookConfig{Secret: "0123456789abcdef"},
			})
			require.NoError(t, err)
			defer tr.Close()
			m := wireMessage(c.enc)
			m.Concat = c.concat
			res, err := tr.Submit(context.Background(), m)
			require.NoError(t, err)
			assert.Equal(t, []string{"msg-42.1", "msg-42.2"}, res.OperatorIDs)
			var ref []byte
			for n, part := range m.Parts {
				r := <-reqs
				assert.Equal(t, http.MethodGet, r.method)
				assert.Equal(t, "/cgi-bin/sendsms", r.path)
				assert.Empty(t, r.body)
				q := r.query
				assert.Equal(t, "kuser", q.Get("username"))
				assert.Equal(t, "kpass", q.Get("password"))
				assert.Equal(t, "Advox", q.Get("from"))
				assert.Equal(t, "+46701234567", q.Get("to"))
				assert.Equal(t, part, q.Get("text"), "the part exactly as the Client split it")
				udh := []byte(q.Get("udh"))
				if ref == nil {
					ref = udh[3 : len(udh)-2]
				}
				assert.Equal(t, c.udh(ref, byte(n+1)), udh, "one concatenation reference for every part")
				assert.Equal(t, c.coding, q.Get("coding"))
				assert.Equal(t, "UTF-8", q.Get("charset"))
				assert.Equal(t, "90", q.Get("validity"), "minutes")
				assert.Equal(t, "31", q.Get("dlr-mask"))
				dlr := q.Get("dlr-url")
				assert.True(t, strings.HasPrefix(dlr, "https://app.example/dlr?"), dlr)
				assert.True(t, strings.HasSuffix(dlr, "&status=%d&at=%T"), "Kannel's escapes travel verbatim: %s", dlr)
				dq, err := url.ParseQuery(strings.TrimSuffix(strings.SplitN(dlr, "?", 2)[1], "&status=%d&at=%T"))
				require.NoError(t, err)
				assert.Equal(t, "msg-42", dq.Get("ref"))
				assert.Equal(t, []string{string(rune('1' + n))}, dq["part"])
				assert.Equal(t, "0123456789abcdef", dq.Get("token"))
				assert.Equal(t, "se", dq.Get("site"), "the application's own parameters are kept")
			}
		})
	}
	t.Run("one part has no udh", func(t *testing.T) {
		srv, reqs := capture(t, http.StatusAccepted, "0: Accepted for delivery")
		tr, err := httptransport.New(httptransport.Config{
			Profile: httptransport.Kannel(), BaseURL: srv.URL,
			Credentials: httptransport.Credentials{User: "kuser", Password: "kpass"},
		})
		require.NoError(t, err)
		defer tr.Close()
		m := testMessage()
		res, err := tr.Submit(context.Background(), m)
		require.NoError(t, err)
		assert.Equal(t, []string{httptransport.PartID(m.ID, 1)}, res.OperatorIDs)
		q := (<-reqs).query
		assert.False(t, q.Has("udh"))
		assert.Equal(t, m.Text(), q.Get("text"))
	})
}

// TestKannelDocumented is built from the Kannel 1.4 user guide ("Using the
// HTTP interface to send SMS messages", "SMS Push reply codes", the
// dlr-mask report types) and smsbox's replies in gw/smsbox.c.
func TestKannelDocumented(t *testing.T) {
	t.Run("request", func(t *testing.T) {
		// The guide's example: sendsms?username=foo&password=bar&to=0123456&text=Hello+world
		srv, reqs := capture(t, http.StatusAccepted, "0: Accepted for delivery")
		tr, err := httptransport.New(httptransport.Config{
			Profile: httptransport.Kannel(), BaseURL: srv.URL,
			Credentials: httptransport.Credentials{User: "foo", Password: "bar"},
		})
		require.NoError(t, err)
		defer tr.Close()
		_, err = tr.Submit(context.Background(), &transport.Message{
			ID: "m1", From: transport.Sender{Value: "Advox"}, To: "0123456", Encoding: transport.GSM7, Parts: []string{"Hello world"},
		})
		require.NoError(t, err)
		r := <-reqs
		assert.Equal(t, "/cgi-bin/sendsms", r.path)
		assert.Equal(t, url.Values{
			"username": {"foo"}, "password": {"bar"}, "to": {"0123456"}, "text": {"Hello world"},
			"from": {"Advox"}, "coding": {"0"}, "charset": {"UTF-8"},
		}, r.query)
	})

	replies := []struct {
		status int
		body   string
		want   httptransport.Class
		parts  int
	}{
		{202, "0: Accepted for delivery", httptransport.Accepted, 0},
		{202, "3: Queued for later delivery", httptransport.Accepted, 0},
		{202, "Sent.", httptransport.Accepted, 0}, // immediate-sendsms-reply
		{202, "Sent. Message splits: 2", httptransport.Accepted, 2},
		{503, "Temporal failure, try again later.", httptransport.NotSent, 0},
		{403, "Authorization failed for sendsms", httptransport.Rejected, 0},
		{403, "Not routable. Do not try again.", httptransport.Rejected, 0},
		{400, "Charset or body misformed, rejected", httptransport.Rejected, 0},
		{400, "UDH field misformed, rejected", httptransport.Rejected, 0},
		{500, "Sending failed.", httptransport.OutcomeUnknown, 0},
	}
	p := httptransport.Kannel()
	for _, r := range replies {
		t.Run("reply "+r.body, func(t *testing.T) {
			assert.Equal(t, r.want, p.Classify(httptransport.Reply{StatusCode: r.status, Body: []byte(r.body)}))
			if r.want == httptransport.Accepted {
				ans, err := p.Response.Read([]byte(r.body))
				require.NoError(t, err)
				assert.Equal(t, r.parts, ans.Parts)
			}
		})
	}

	// The dlr-url as smsbox calls it: %d is the report type of dlr-mask,
	// %T the time in seconds.
	at := time.Unix(1700000000, 0).UTC()
	reports := []struct {
		dlr  string
		want transport.Status
	}{
		{"1", transport.StatusDelivered},     // delivered to phone
		{"2", transport.StatusUndeliverable}, // non-delivered to phone
		{"4", transport.StatusEnroute},       // queued on SMSC
		{"8", transport.StatusAccepted},      // delivered to SMSC
		{"16", transport.StatusRejected},     // non-delivered to SMSC
	}
	for _, c := range reports {
		t.Run("report type "+c.dlr, func(t *testing.T) {
			got, err := p.Reports.Parse(url.Values{
				"ref": {"m1"}, "part": {"2"}, "status": {c.dlr}, "at": {"1700000000"},
			}, nil)
			require.NoError(t, err)
			assert.Equal(t, []transport.Report{{OperatorID: "m1.2", MessageID: "m1", Status: c.want, At: at}}, got)
		})
	}
}

// A message long enough that Kannel would split it goes out whole and
// uncut even with Kannel's defaults (max-messages 1, no concatenation),
// which truncated it to one SMS when the joined text was sent; and a UCS-2
// emoji at a part boundary stays whole.
func TestKannelNeverResplits(t *testing.T) {
	h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{})
	c := clientFor(t, tr)
	text := strings.Repeat("ж", 66) + "👋" + strings.Repeat("é", 70) + "😀 end"
	rcpt, err := c.Send(context.Background(), advox.Message{Account: "a", From: "Advox", To: "+46701234567", Text: text})
	require.NoError(t, err)
	got := h.sim.Received()
	require.Len(t, got, rcpt.Segments, "one request per part")
	var joined strings.Builder
	for i, m := range got {
		assert.False(t, m.Truncated, "part %d cut by Kannel", i+1)
		assert.Equal(t, 1, m.Segments, "part %d split again by Kannel", i+1)
		assert.Equal(t, transport.UCS2, m.Encoding)
		assert.LessOrEqual(t, len(utf16.Encode([]rune(m.Text))), 67)
		joined.WriteString(m.Text)
	}
	assert.Equal(t, text, joined.String(), "no character cut across parts")
	assert.Len(t, h.Received(), 1)
	assert.Equal(t, text, h.Received()[0].Text())
}

// Reports are per part: a message whose second part failed is recorded
// failed, not delivered on the first part's receipt.
func TestKannelReportsPerPart(t *testing.T) {
	h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{})
	c := clientFor(t, tr)
	send := func() (advox.Receipt, []operatortest.Message) {
		before := len(h.sim.Received())
		rcpt, err := c.Send(context.Background(), advox.Message{
			Account: "a", From: "Advox", To: "+46701234567", Text: strings.Repeat("Two parts. ", 20),
		})
		require.NoError(t, err)
		require.Equal(t, 2, rcpt.Segments)
		return rcpt, h.sim.Received()[before:]
	}

	rcpt, parts := send()
	require.Len(t, parts, 2)
	assert.Equal(t, 200, report(t, h, operatortest.Report{ID: parts[0].ID, Status: transport.StatusDelivered}))
	statusOf(t, c, rcpt.ID, transport.StatusAccepted)
	assert.Equal(t, 200, report(t, h, operatortest.Report{ID: parts[1].ID, Status: transport.StatusUndeliverable}))
	statusOf(t, c, rcpt.ID, transport.StatusUndeliverable)

	rcpt, parts = send()
	for _, p := range parts {
		assert.Equal(t, 200, report(t, h, operatortest.Report{ID: p.ID, Status: transport.StatusDelivered}))
	}
	statusOf(t, c, rcpt.ID, transport.StatusDelivered)
}

// The dlr-url's percent-encoded bytes (of a webhook secret or of the
// application's own URL) used to reach Kannel as they were, where "%C3"
// or "%A4" read as Kannel's %C and %A escapes: the URL came back changed,
// the token no longer matched, and the report was refused and lost.
func TestKannelPercentEscapesNeverCollide(t *testing.T) {
	const secret = "sécret/ä+%Ab%C3 0123456789"
	h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{
		mutate: func(c *httptransport.Config) {
			c.Webhook.Secret = secret
			c.CallbackURL += "/%C3%A5?app=%E2%82%AC%25d"
		},
	})
	reports := collect(tr)
	m, op := sent(t, h, tr)
	assert.Equal(t, 200, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered}))
	r := reports.next(t)
	assert.Equal(t, m.ID, r.MessageID)
	assert.Equal(t, transport.StatusDelivered, r.Status)
	u := h.lastURL.Load()
	assert.Equal(t, "/dlr/å", u.Path, "the application's URL comes back unchanged")
	assert.Equal(t, "€%d", u.Query().Get("app"))
}

// Kannel's immediate-sendsms-reply answers "Sent." before the bearerbox
// has the message: accepted, not outcome unknown.
func TestKannelImmediateReply(t *testing.T) {
	h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{
		sim: &operatortest.Options{KannelImmediateReply: true},
	})
	m := testMessage()
	res, err := tr.Submit(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, []string{httptransport.PartID(m.ID, 1)}, res.OperatorIDs)
	assert.Len(t, h.sim.Received(), 1)
}

// A part that fails after the first was accepted fails the message with a
// PartialError naming the accepted part; nothing after it is sent. It is
// Resumable with the reference part 1 carried on the wire, of either
// width; it used to be not Resumable, so the rest could never be sent.
func TestKannelPartialFailure(t *testing.T) {
	for _, concat := range []transport.Concat{transport.Concat8, transport.Concat16} {
		t.Run(strconv.Itoa(int(concat)), func(t *testing.T) {
			h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{})
			h.sim.Inject(operatortest.FaultNone, operatortest.FaultReject)
			m := threeParts(concat)
			_, err := tr.Submit(context.Background(), m)
			var pe *transport.PartialError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, []string{httptransport.PartID(m.ID, 1)}, pe.Accepted)
			assert.ErrorIs(t, err, transport.ErrRejected)
			assert.False(t, transport.SafeToRetry(err))
			assert.Equal(t, 2, h.sim.Requests(), "the third part is never sent")
			assertClean(t, err, m)
			got := h.sim.Received()
			require.Len(t, got, 1)
			assert.True(t, pe.Resumable, "a per-part profile's partial failure is Resumable")
			assert.Equal(t, uint16(got[0].Ref), pe.Ref, "the reference part 1 carried")
			if concat == transport.Concat8 {
				assert.Less(t, pe.Ref, uint16(256))
			}
		})
	}
}

// A throttled part 2 is sent again, alone, under part 1's udh reference:
// the simulator gets parts 1 to 3 once each as one message, the record
// ends whole, and each part's report lands on its part. The message used
// to end advox.ErrIncomplete with part 2 never sent.
func TestKannelResumesThrottledPart(t *testing.T) {
	h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{
		sim: &operatortest.Options{AutoReport: true},
	})
	c := clientFor(t, tr)
	h.sim.Inject(operatortest.FaultNone, operatortest.FaultThrottle)
	text := strings.Repeat("Three parts. ", 30)
	rcpt, err := c.Send(context.Background(), advox.Message{Account: "a", From: "Advox", To: "+46701234567", Text: text})
	require.NoError(t, err)
	assert.Equal(t, 3, rcpt.Segments)
	assert.Equal(t, 2, rcpt.Attempts, "the message, then part 2 and 3 again")
	assert.Equal(t, 4, h.sim.Requests(), "part 2 asked for twice, refused once")

	got := h.sim.Received()
	require.Len(t, got, 3, "each part once")
	var joined strings.Builder
	for i, m := range got {
		assert.Equal(t, i+1, m.Part, "parts in order")
		assert.Equal(t, 3, m.Parts)
		assert.Equal(t, got[0].Ref, m.Ref, "one udh reference")
		assert.Equal(t, rcpt.ID, m.Reference)
		joined.WriteString(m.Text)
	}
	assert.Equal(t, text, joined.String())
	require.Len(t, h.Received(), 1, "the handset joins the parts into one message")

	statusOf(t, c, rcpt.ID, transport.StatusDelivered)
	rec, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	require.Len(t, rec.Parts, 3)
	for i, p := range rec.Parts {
		assert.Equal(t, httptransport.PartID(rcpt.ID, i+1), p.OperatorID, "part %d", i+1)
		assert.Equal(t, transport.StatusDelivered, p.Status, "part %d's report landed on it", i+1)
	}
	assert.Equal(t, 3, rec.Segments)
	require.Eventually(t, func() bool { return len(h.sim.Sent()) == 3 }, 5*time.Second, 5*time.Millisecond, "one report per part")
	for _, r := range h.sim.Sent() {
		assert.Equal(t, http.StatusOK, r.Code, "report %s accepted", r.ID)
	}
}
