package httptransport_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/gsm7"
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

// TestRealKannel sends through a real Kannel 1.4 bearerbox and smsbox
// (Debian's kannel package) whose SMSC is a minimal SMPP server in this
// test, and receives the delivery reports smsbox posts to the dlr-url.
// It runs only with ADVOX_KANNEL=1 and the binaries on PATH or in
// /usr/sbin.
//
// The sendsms-user keeps Kannel's defaults (max-messages 1, no
// concatenation): the profile sends each part on its own, so Kannel must
// never split, cut or re-number anything. The webhook secret and the
// application's callback URL hold percent-encoded bytes that Kannel would
// read as its own escapes if the dlr-url did not double every "%".
func TestRealKannel(t *testing.T) {
	if os.Getenv("ADVOX_KANNEL") != "1" {
		t.Skip("set ADVOX_KANNEL=1 to run against a real Kannel (apt-get install kannel)")
	}
	bearerbox, smsbox := kannelBinary(t, "bearerbox"), kannelBinary(t, "smsbox")

	smsc := startSMSC(t)
	var hookTo atomic.Pointer[httptransport.Transport] // the transport reports go to
	var hookPaths sync.Map
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hookPaths.Store(r.URL.Path, true)
		hookTo.Load().Webhook().ServeHTTP(w, r)
	}))
	defer hook.Close()

	adminPort, boxPort, sendPort := freePort(t), freePort(t), freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "kannel.conf")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(`
group = core
admin-port = %d
admin-password = admin-secret
smsbox-port = %d
box-allow-ip = 127.0.0.1
admin-allow-ip = 127.0.0.1
log-file = "%s/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = %s
transceiver-mode = true
smsc-username = advox-smsc
smsc-password = smscpass
system-type = ""
enquire-link-interval = 30

group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = %d
log-file = "%s/smsbox.log"
log-level = 1

group = sendsms-user
username = advox
password = kannel-sendsms-password
`, adminPort, boxPort, dir, smsc.port, sendPort, dir)), 0o600))

	startBox(t, bearerbox, conf, dir, "bearerbox")
	waitPort(t, boxPort)
	require.Eventually(t, smsc.bound, 20*time.Second, 50*time.Millisecond, "bearerbox never bound to the SMSC")
	startBox(t, smsbox, conf, dir, "smsbox")
	waitPort(t, sendPort)
	gate := newSendsmsGate(t, "http://127.0.0.1:"+strconv.Itoa(sendPort))

	cfg := httptransport.Config{
		Profile:     httptransport.Kannel(),
		BaseURL:     gate.url,
		Credentials: httptransport.Credentials{User: "advox", Password: "kannel-sendsms-password"},
		CallbackURL: hook.URL + "/dlr/%C3%A5%41",
		Webhook:     httptransport.WebhookConfig{Secret: "sécret %C3%A4 /+&= 0123456789"},
	}
	tr, err := httptransport.New(cfg)
	require.NoError(t, err)
	defer tr.Close()
	hookTo.Store(tr)

	t.Run("single parts", func(t *testing.T) {
		reports := collect(tr)
		cases := []struct {
			enc  transport.Encoding
			text string
		}{
			{transport.GSM7, "Hello from advox {€}"},
			{transport.UCS2, "Hej då 👋 ж"},
		}
		for i, c := range cases {
			m := &transport.Message{
				ID:   fmt.Sprintf("kannel-it-%d", i),
				From: transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
				To:   fmt.Sprintf("+4670123456%d", i), Encoding: c.enc, Parts: []string{c.text},
				ReportRequested: true,
			}
			res, err := tr.Submit(context.Background(), m)
			require.NoError(t, err, "Kannel must accept the submit")
			assert.Equal(t, []string{httptransport.PartID(m.ID, 1)}, res.OperatorIDs)

			sub := smsc.next(t)
			assert.Equal(t, c.text, sub.text, "the SMSC must get the text back exactly")
			assert.Equal(t, c.enc, sub.enc)
			assert.Nil(t, sub.udh, "one part: no udh")
			assert.Equal(t, m.To, "+"+trimLeadingPlus(sub.to))

		}
		// Kannel reports the SMSC's acknowledgement (8) and the handset
		// delivery (1) on the dlr-url. smsbox fetches them concurrently,
		// and the handler runs on its own goroutine, so "accepted" may
		// come after "delivered" (or be dropped as a regression).
		delivered := map[string]bool{}
		for len(delivered) < len(cases) {
			r := reports.next(t)
			assert.Equal(t, httptransport.PartID(r.MessageID, 1), r.OperatorID)
			assert.False(t, r.At.IsZero())
			switch r.Status {
			case transport.StatusDelivered:
				delivered[r.MessageID] = true
			default:
				assert.Equal(t, transport.StatusAccepted, r.Status)
			}
		}
		assert.Equal(t, map[string]bool{"kannel-it-0": true, "kannel-it-1": true}, delivered)
		require.Eventually(t, func() bool { return tr.Stats().Reports == 4 }, 10*time.Second, 10*time.Millisecond)
		st := tr.Stats()
		assert.Equal(t, int64(4), st.Forwarded+st.Duplicates, "every report forwarded or dropped as a regression")
		assert.Zero(t, st.Unauthorized+st.Malformed, "the dlr-url came back unchanged")
		_, ok := hookPaths.Load("/dlr/åA")
		assert.True(t, ok, "the application's percent-encoded path came back as it was")
	})

	// Long UCS-2 texts, with emoji where Kannel's own split would cut
	// them, through the Client: the SMSC gets each part as the Client
	// split it, as many parts as were recorded and billed, and the record
	// follows the receipt of every part.
	t.Run("multipart through the Client", func(t *testing.T) {
		c := clientFor(t, tr)
		texts := []string{
			strings.Repeat("ж", 66) + "👋" + strings.Repeat("é", 70) + "😀 end",
			strings.Repeat("Räksmörgås 🦐 ", 30),
			strings.Repeat("Plain GSM text with {escapes} and €. ", 8),
		}
		for i, text := range texts {
			to := fmt.Sprintf("+4670765432%d", i)
			rcpt, err := c.Send(context.Background(), advox.Message{Account: "kannel-it", From: "Advox", To: to, Text: text})
			require.NoError(t, err)
			require.Greater(t, rcpt.Segments, 1)
			seg, err := advox.Preview(text, nil)
			require.NoError(t, err)
			var ref int
			var joined strings.Builder
			for n := 1; n <= rcpt.Segments; n++ {
				sub := smsc.next(t)
				assert.Equal(t, to, "+"+trimLeadingPlus(sub.to))
				assert.Equal(t, rcpt.Encoding, sub.enc)
				require.Len(t, sub.udh, 6, "part %d has the concatenation header", n)
				if n == 1 {
					ref = int(sub.udh[3])
				}
				assert.Equal(t, []byte{5, 0, 3, byte(ref), byte(rcpt.Segments), byte(n)}, sub.udh)
				assert.Equal(t, seg.Parts[n-1], sub.text, "part %d exactly as the Client split it", n)
				assert.NotContains(t, sub.text, "\uFFFD")
				joined.WriteString(sub.text)
			}
			assert.Equal(t, text, joined.String())
			smsc.none(t) // no part split again, nothing more on the wire
			statusOf(t, c, rcpt.ID, transport.StatusDelivered)
		}

		// A second part the handset never gets fails the message, though
		// the first part's receipt says delivered.
		smsc.undeliverable("+46707654399", 2)
		rcpt, err := c.Send(context.Background(), advox.Message{
			Account: "kannel-it", From: "Advox", To: "+46707654399", Text: strings.Repeat("ж", 100),
		})
		require.NoError(t, err)
		require.Equal(t, 2, rcpt.Segments)
		smsc.next(t)
		smsc.next(t)
		statusOf(t, c, rcpt.ID, transport.StatusUndeliverable)
	})

	// smsbox refuses part 2 as it does when the bearerbox is gone or its
	// queue is full ("Temporal failure"): the Client sends parts 2 and 3
	// again with the udh reference part 1 carried, and the SMSC gets the
	// message whole, each part once, with every part's receipt applied.
	t.Run("a refused part is sent again", func(t *testing.T) {
		tr, err := httptransport.New(cfg) // the last Client closed the first
		require.NoError(t, err)
		hookTo.Store(tr)
		c := clientFor(t, tr)
		text := strings.Repeat("Sent again after a temporal failure. ", 11) // three parts
		seg, err := advox.Preview(text, nil)
		require.NoError(t, err)
		require.Len(t, seg.Parts, 3)
		gate.refuseAfter(1)
		rcpt, err := c.Send(context.Background(), advox.Message{Account: "kannel-it", From: "Advox", To: "+46707654311", Text: text})
		require.NoError(t, err)
		assert.Equal(t, 3, rcpt.Segments)
		assert.Equal(t, 2, rcpt.Attempts)
		var ref byte
		for n := 1; n <= 3; n++ {
			sub := smsc.next(t)
			require.Len(t, sub.udh, 6)
			if n == 1 {
				ref = sub.udh[3]
			}
			assert.Equal(t, []byte{5, 0, 3, ref, 3, byte(n)}, sub.udh, "part %d under part 1's reference", n)
			assert.Equal(t, seg.Parts[n-1], sub.text)
		}
		smsc.none(t) // each part once
		statusOf(t, c, rcpt.ID, transport.StatusDelivered)
		rec, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
		require.NoError(t, err)
		for i, p := range rec.Parts {
			assert.Equal(t, httptransport.PartID(rcpt.ID, i+1), p.OperatorID)
			assert.Equal(t, transport.StatusDelivered, p.Status, "part %d's receipt", i+1)
		}
	})

	// Wrong credentials are Kannel's 403, a rejection.
	bad, err := httptransport.New(httptransport.Config{
		Profile: httptransport.Kannel(), BaseURL: "http://127.0.0.1:" + strconv.Itoa(sendPort),
		Credentials: httptransport.Credentials{User: "advox", Password: "wrong-password"},
	})
	require.NoError(t, err)
	defer bad.Close()
	_, err = bad.Submit(context.Background(), &transport.Message{
		ID: "x", From: transport.Sender{Value: "Advox"}, To: "+46700000000", Encoding: transport.GSM7, Parts: []string{"x"},
	})
	assert.ErrorIs(t, err, transport.ErrRejected)
	assert.Contains(t, err.Error(), "Authorization failed for sendsms")
}

// sendsmsGate stands in front of smsbox and can answer one sendsms
// request with smsbox's own "Temporal failure" in its place.
type sendsmsGate struct {
	url  string
	mu   sync.Mutex
	pass int // requests to pass before refusing one; -1: pass all
}

func newSendsmsGate(t *testing.T, target string) *sendsmsGate {
	u, err := url.Parse(target)
	require.NoError(t, err)
	g := &sendsmsGate{pass: -1}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		refuse := g.pass == 0
		if g.pass >= 0 {
			g.pass--
		}
		g.mu.Unlock()
		if refuse {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "Temporal failure, try again later.")
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

// refuseAfter passes n requests, refuses the next and passes the rest.
func (g *sendsmsGate) refuseAfter(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pass = n
}

func trimLeadingPlus(s string) string {
	if len(s) > 0 && s[0] == '+' {
		return s[1:]
	}
	return s
}

// smscSubmit is a submit_sm as the test SMSC decoded it.
type smscSubmit struct {
	to, text string
	enc      transport.Encoding
	udh      []byte
}

// testSMSC is a minimal SMPP 3.4 SMSC: it binds any transceiver with the
// configured credentials, answers enquire_link, acknowledges submit_sm
// with a decimal id and then sends a DELIVRD receipt for it (UNDELIV for
// a part marked undeliverable).
type testSMSC struct {
	port    string
	l       net.Listener
	mu      sync.Mutex
	conns   []net.Conn
	isBound bool
	subs    chan smscSubmit
	wg      sync.WaitGroup
	seq     uint32
	undeliv map[string]int // recipient → part number never delivered
}

// undeliverable makes the receipt of part (1-based) to `to` say UNDELIV.
func (s *testSMSC) undeliverable(to string, part int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.undeliv[trimLeadingPlus(to)] = part
}

// none checks that no further submit_sm arrives for a short while.
func (s *testSMSC) none(t *testing.T) {
	t.Helper()
	select {
	case m := <-s.subs:
		require.FailNow(t, "unexpected submit_sm", "%+v", m)
	case <-time.After(300 * time.Millisecond):
	}
}

func startSMSC(t *testing.T) *testSMSC {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &testSMSC{l: l, subs: make(chan smscSubmit, 64), undeliv: map[string]int{}}
	_, s.port, _ = net.SplitHostPort(l.Addr().String())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *testSMSC) bound() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isBound
}

func (s *testSMSC) next(t *testing.T) smscSubmit {
	select {
	case m := <-s.subs:
		return m
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the SMSC never got the submit")
	}
	return smscSubmit{}
}

func (s *testSMSC) serve(c net.Conn) {
	r := bufio.NewReader(c)
	var wmu sync.Mutex
	write := func(p pdu.Body) {
		wmu.Lock()
		defer wmu.Unlock()
		_ = p.SerializeTo(c)
	}
	for {
		p, err := pdu.Decode(r)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				return
			}
			return
		}
		h := p.Header()
		switch h.ID {
		case pdu.BindTransceiverID:
			resp := pdu.NewBindTransceiverResp()
			resp.Header().Seq = h.Seq
			f := p.Fields()
			if f[pdufield.SystemID].String() != "advox-smsc" || f[pdufield.Password].String() != "smscpass" {
				resp.Header().Status = 0x0E // ESME_RINVPASWD
			} else {
				s.mu.Lock()
				s.isBound = true
				s.mu.Unlock()
			}
			_ = resp.Fields().Set(pdufield.SystemID, "advox-test-smsc")
			write(resp)
		case pdu.EnquireLinkID:
			write(pdu.NewEnquireLinkRespSeq(h.Seq))
		case pdu.UnbindID:
			resp := pdu.NewUnbindResp()
			resp.Header().Seq = h.Seq
			write(resp)
			return
		case pdu.SubmitSMID:
			s.mu.Lock()
			s.seq++
			id := strconv.Itoa(int(1000 + s.seq))
			s.mu.Unlock()
			f := p.Fields()
			sub := smscSubmit{to: f[pdufield.DestinationAddr].String(), enc: transport.GSM7}
			raw := f[pdufield.ShortMessage].Bytes()
			if f[pdufield.ESMClass].Bytes()[0]&0x40 != 0 && len(raw) > 0 && len(raw) > int(raw[0]) {
				sub.udh, raw = raw[:1+int(raw[0])], raw[1+int(raw[0]):]
			}
			if f[pdufield.DataCoding].Bytes()[0] == 0x08 {
				sub.enc = transport.UCS2
				u := make([]uint16, len(raw)/2)
				for i := range u {
					u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
				}
				sub.text = string(utf16.Decode(u))
			} else {
				sub.text, _ = gsm7.Decode(raw)
			}
			resp := pdu.NewSubmitSMResp()
			resp.Header().Seq = h.Seq
			_ = resp.Fields().Set(pdufield.MessageID, id)
			write(resp)
			s.subs <- sub
			dlr := pdu.NewDeliverSM()
			dlr.Header().Seq = 900000 + s.seq
			df := dlr.Fields()
			_ = df.Set(pdufield.SourceAddr, sub.to)
			_ = df.Set(pdufield.DestinationAddr, f[pdufield.SourceAddr].String())
			_ = df.Set(pdufield.ESMClass, uint8(0x04))
			now := time.Now().UTC().Format("0601021504")
			stat, dlvrd := "DELIVRD", "001"
			s.mu.Lock()
			if n, ok := s.undeliv[trimLeadingPlus(sub.to)]; ok && len(sub.udh) == 6 && int(sub.udh[5]) == n {
				stat, dlvrd = "UNDELIV", "000"
			}
			s.mu.Unlock()
			_ = df.Set(pdufield.ShortMessage, "id:"+id+" sub:001 dlvrd:"+dlvrd+" submit date:"+now+" done date:"+now+" stat:"+stat+" err:000 text:x")
			write(dlr)
		}
	}
}
