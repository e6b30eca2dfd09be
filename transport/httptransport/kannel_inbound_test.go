package httptransport_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// TestRealKannelInbound has a real Kannel 1.4 (Debian's kannel package)
// carry messages from handsets to the Kannel profile's inbound endpoint:
// the SMPP simulator delivers them to bearerbox as deliver_sm, and
// smsbox fetches the sms-service's get-url (KannelGetURL) — so what the
// profile reads is what Kannel really writes for each escape, in GSM
// 7-bit and UCS-2, for a message bearerbox joins from two parts, and
// again after the endpoint answered 503 (smsbox's http-request-retry).
// It runs only with ADVOX_KANNEL=1.
func TestRealKannelInbound(t *testing.T) {
	if os.Getenv("ADVOX_KANNEL") != "1" {
		t.Skip("set ADVOX_KANNEL=1 to run against a real Kannel (apt-get install kannel)")
	}
	bearerbox, smsbox := kannelBinary(t, "bearerbox"), kannelBinary(t, "smsbox")
	smsc, err := smsctest.NewServer(nil)
	require.NoError(t, err)
	defer smsc.Close()
	_, smscPort, err := net.SplitHostPort(smsc.Addr())
	require.NoError(t, err)

	const secret = "kannel-inbound-secret-0123"
	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.Kannel(), BaseURL: "http://127.0.0.1:1",
		Credentials: httptransport.Credentials{User: "advox", Password: "unused"},
		Webhook:     httptransport.WebhookConfig{Secret: secret},
	})
	require.NoError(t, err)
	defer tr.Close()
	var mu sync.Mutex
	var got []transport.Inbound
	failNext := false
	tr.SetInboundHandler(func(_ context.Context, m transport.Inbound) error {
		mu.Lock()
		defer mu.Unlock()
		if failNext {
			failNext = false
			return errors.New("store down")
		}
		got = append(got, m)
		return nil
	})
	hook := httptest.NewServer(tr.InboundWebhook())
	defer hook.Close()

	adminPort, boxPort := freePort(t), freePort(t)
	dir := t.TempDir()
	getURL := hook.URL + "/sms/in?token=" + url.QueryEscape(secret) + "&" + httptransport.KannelGetURL
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

group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = %s
transceiver-mode = true
smsc-username = %s
smsc-password = %s
system-type = ""

group = smsbox
bearerbox-host = 127.0.0.1
log-file = "%s/smsbox.log"
log-level = 1
http-request-retry = 3
http-queue-delay = 1

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "%s"
`, adminPort, boxPort, dir, smscPort, smsctest.DefaultSystemID, smsctest.DefaultPassword, dir, getURL)), 0o600))
	startBox(t, bearerbox, conf, dir, "bearerbox")
	waitPort(t, boxPort)
	require.Eventually(t, func() bool { return smsc.Stats().Transceivers > 0 }, 20*time.Second, 50*time.Millisecond,
		"bearerbox never bound to the simulator")
	startBox(t, smsbox, conf, dir, "smsbox")

	next := func(t *testing.T) transport.Inbound {
		t.Helper()
		var m transport.Inbound
		require.Eventually(t, func() bool {
			mu.Lock()
			defer mu.Unlock()
			if len(got) == 0 {
				return false
			}
			m, got = got[0], got[1:]
			return true
		}, 20*time.Second, 20*time.Millisecond, "smsbox never brought the message")
		return m
	}
	text := func(t *testing.T, m transport.Inbound) string {
		t.Helper()
		s, err := transport.JoinText([]transport.Inbound{m})
		require.NoError(t, err)
		return s
	}
	for _, c := range []struct {
		name string
		mo   smsctest.MO
	}{
		{"GSM 7-bit", smsctest.MO{Text: "Hej {€} å & 100% ok"}},
		{"UCS-2", smsctest.MO{Text: "Привет 😀", DataCoding: 8}},
		{"two parts joined by bearerbox", smsctest.MO{Text: "first half, second half", Parts: 2, Ref: 42}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.mo.From, c.mo.To = "+46701234567", "+46766860000"
			require.NoError(t, smsc.InjectMO(c.mo))
			m := next(t)
			assert.Empty(t, m.Malformed)
			assert.Equal(t, c.mo.Text, text(t, m))
			assert.Equal(t, "+46701234567", m.From)
			assert.Contains(t, []string{"+46766860000", "46766860000"}, m.To)
			assert.Zero(t, m.Total, "bearerbox joins the parts")
			t.Logf("Kannel wrote coding %d, read as %s", m.DataCoding, m.Coding)
		})
	}
	t.Run("fetched again after 503", func(t *testing.T) {
		mu.Lock()
		failNext = true
		mu.Unlock()
		require.NoError(t, smsc.InjectMO(smsctest.MO{From: "+46701234567", To: "+46766860000", Text: "again"}))
		m := next(t)
		assert.Equal(t, "again", text(t, m))
		assert.EqualValues(t, 1, tr.Stats().Refused)
	})
}
