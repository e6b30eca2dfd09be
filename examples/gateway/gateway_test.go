package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
)

// The recipients of the end-to-end test: two Swedish numbers routed over
// SMPP and a British one over the HTTP operator. Their national
// significant digits are what must never appear in the database.
var e2eRecipients = []struct {
	to, digits, transport, route string
}{
	{"+46701740605", "701740605", "smpp:smsc", "sweden"},
	{"070-174 06 06", "701740606", "smpp:smsc", "sweden"},
	{"+447911123456", "7911123456", "http:elks", "world"},
}

const e2eText = "End-to-end: the gateway keeps no text"

// The gateway end to end over real HTTP and real SMPP on loopback: send,
// delivery reports, status, usage, export, erase, and the erased numbers
// gone from the database file itself.
func TestGatewayEndToEnd(t *testing.T) {
	h := newHarness(t, testConfigJSON)

	var to []string
	for _, r := range e2eRecipients {
		to = append(to, r.to)
	}
	code, sent := h.send(demoUser, map[string]any{"from": "Advox", "to": to, "text": e2eText})
	require.Equal(t, http.StatusOK, code, "%+v", sent.Messages[len(sent.Messages)-1].Error)
	require.Len(t, sent.Messages, len(to))
	for i, m := range sent.Messages {
		assert.NotEmpty(t, m.ID)
		assert.Equal(t, transport.StatusAccepted, m.Status)
		assert.Equal(t, 1, m.Segments)
		assert.Equal(t, transport.GSM7, m.Encoding)
		assert.Nil(t, m.Error)
		assert.NotContains(t, m.To, e2eRecipients[i].digits, "the answer masks numbers")
	}

	// What went over the wire: the Swedish numbers over SMPP, the other
	// over HTTP, each exactly once.
	smsc, op := h.transport("smsc").smsc, h.transport("elks").operator
	require.Eventually(t, func() bool { return len(smsc.Messages()) == 2 && len(op.Received()) == 1 },
		5*time.Second, 10*time.Millisecond)
	assert.ElementsMatch(t, []string{"+46701740605", "+46701740606"}, []string{smsc.Messages()[0].To, smsc.Messages()[1].To})
	assert.Equal(t, "+447911123456", op.Received()[0].To)
	assert.Equal(t, e2eText, op.Received()[0].Text)

	// Delivery reports arrive (SMPP receipts, and the operator's webhook),
	// and the status tells the route and transport taken.
	for i, m := range sent.Messages {
		st := h.awaitFinal(demoUser, m.ID)
		assert.Equal(t, transport.StatusDelivered, st.Status)
		assert.Equal(t, e2eRecipients[i].transport, st.Transport)
		assert.Equal(t, e2eRecipients[i].route, st.Route)
		assert.NotContains(t, st.To, e2eRecipients[i].digits)
	}
	assert.GreaterOrEqual(t, smsc.Stats().Delivers, int64(2))
	assert.Equal(t, 1, len(op.Sent()))

	// Another account sees none of it.
	code, _ = h.status(otherUser, sent.Messages[0].ID)
	assert.Equal(t, http.StatusNotFound, code)

	u := h.usage(demoUser)
	assert.Equal(t, usageResponse{Account: "demo", From: u.From, To: u.To, Messages: 3, Segments: 3, Delivered: 3}, u)

	resp, body := h.do(http.MethodGet, "/v1/export", demoUser, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var export map[string]any
	require.NoError(t, json.Unmarshal(body, &export))
	assert.Equal(t, "demo", export["account"])
	assert.Equal(t, "Demo AB", export["organisation"])
	assert.NotContains(t, string(body), "argon2", "no password hash in the export")

	// Sealed at rest even before the erase.
	h.assertNotInDatabase(e2eText)
	for _, r := range e2eRecipients {
		h.assertNotInDatabase(r.digits)
	}

	resp, body = h.do(http.MethodPost, "/v1/erase", demoUser, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var erased eraseResponse
	require.NoError(t, json.Unmarshal(body, &erased))
	assert.Equal(t, "demo", erased.Account)
	assert.Equal(t, 3, erased.Records)
	assert.GreaterOrEqual(t, erased.KeysDestroyed, 1)

	// The records are gone, their key destroyed; the aggregate that
	// billing needs stays.
	for _, m := range sent.Messages {
		code, _ := h.status(demoUser, m.ID)
		assert.Equal(t, http.StatusNotFound, code)
	}
	assert.Equal(t, 3, h.usage(demoUser).Messages)
	for _, r := range e2eRecipients {
		h.assertNotInDatabase(r.digits) // with the WAL as the erase left it
	}

	// Stop the gateway so that everything is on disk, then scan every
	// byte of the database, its WAL and shared-memory files.
	require.NoError(t, h.g.shutdown(t.Context()))
	for _, r := range e2eRecipients {
		h.assertNotInDatabase(r.digits)
	}
	h.assertNotInDatabase(e2eText)

	// Nor did any log line carry a number or the text.
	for _, r := range e2eRecipients {
		assert.NotContains(t, h.logs.String(), r.digits)
	}
	assert.NotContains(t, h.logs.String(), e2eText)
}

// usage reads the current month's usage.
func (h *harness) usage(login [2]string) usageResponse {
	h.t.Helper()
	resp, body := h.do(http.MethodGet, "/v1/usage", login, nil)
	require.Equal(h.t, http.StatusOK, resp.StatusCode, string(body))
	var u usageResponse
	require.NoError(h.t, json.Unmarshal(body, &u))
	return u
}

// assertNotInDatabase scans the bytes of every file of the SQLite
// database (main file, -wal, -shm, -journal) for s.
func (h *harness) assertNotInDatabase(s string) {
	h.t.Helper()
	files, err := filepath.Glob(h.db + "*")
	require.NoError(h.t, err)
	require.NotEmpty(h.t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(h.t, err)
		assert.False(h.t, bytes.Contains(b, []byte(s)), "%q found in %s", s, filepath.Base(f))
		// UTF-16 too, in case anything stored text that way.
		assert.False(h.t, bytes.Contains(b, utf16(s)), "%q (UTF-16) found in %s", s, filepath.Base(f))
	}
	h.t.Logf("scanned %s: %q not found", strings.Join(files, ", "), s)
}

// utf16 is s in UTF-16BE (ASCII only).
func utf16(s string) []byte {
	out := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		out = append(out, 0, s[i])
	}
	return out
}

// When the SMSC goes down, Swedish traffic fails over to the route's HTTP
// operator: every message is sent once, through the transport that was
// up, and the customer sees no error.
func TestFailoverWhenSMSCDown(t *testing.T) {
	h := newHarness(t, testConfigJSON)
	code, before := h.send(demoUser, map[string]any{"from": "Advox", "to": "+46701740605", "text": "before"})
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "smpp:smsc", h.awaitFinal(demoUser, before.Messages[0].ID).Transport)

	smsc, op := h.transport("smsc").smsc, h.transport("elks").operator
	require.NoError(t, smsc.Close())
	// Send only once the transport has seen its session go. Before that, a
	// submit_sm can still be written into the socket the SMSC just closed
	// (its FIN not yet read): the transport cannot tell that write from one
	// the SMSC read before it died, so it rightly answers outcome unknown
	// and the router must not fail over. The outage under test is the one
	// the transport knows of, where a submit fails as not sent.
	pinger, ok := h.transport("smsc").tr.(transport.Pinger)
	require.True(t, ok)
	require.Eventually(t, func() bool {
		return errors.Is(pinger.Ping(t.Context()), transport.ErrNotSent)
	}, 5*time.Second, 5*time.Millisecond, "the SMPP transport never noticed that the SMSC went down")
	code, after := h.send(demoUser, map[string]any{"from": "Advox", "to": []string{"+46701740606", "+46701740607"}, "text": "after"})
	require.Equal(t, http.StatusOK, code, "%+v", after)
	for _, m := range after.Messages {
		st := h.awaitFinal(demoUser, m.ID)
		assert.Equal(t, "http:elks", st.Transport)
		assert.Equal(t, transport.StatusDelivered, st.Status)
	}
	assert.Len(t, smsc.Messages(), 1, "the SMSC got only the message sent before it went down")
	assert.Len(t, op.Received(), 2, "the operator got each failed-over message once")
}

// With a key-encryption key in the configuration, traffic survives a
// restart on the same database, and seeding finds its accounts there.
func TestRestartKeepsTraffic(t *testing.T) {
	js := strings.Replace(testConfigJSON, `"transports": [`,
		`"kek": "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", `+
			`"index_key": "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100", "transports": [`, 1)
	cfg, err := parseConfig([]byte(js))
	require.NoError(t, err)
	db := filepath.Join(t.TempDir(), "gateway.db")
	hc := &http.Client{Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()

	first := &harness{t: t, db: db, hc: hc}
	first.g, err = start(t.Context(), cfg, options{Addr: "127.0.0.1:0", DBPath: db})
	require.NoError(t, err)
	code, sent := first.send(demoUser, map[string]any{"from": "Advox", "to": "+46701740605", "text": "kept"})
	require.Equal(t, http.StatusOK, code)
	first.awaitFinal(demoUser, sent.Messages[0].ID)
	require.NoError(t, first.g.shutdown(t.Context()))

	second := &harness{t: t, db: db, hc: hc}
	second.g, err = start(t.Context(), cfg, options{Addr: "127.0.0.1:0", DBPath: db})
	require.NoError(t, err)
	defer second.g.shutdown(context.Background())
	code, st := second.status(demoUser, sent.Messages[0].ID)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "+4670*****05", st.To, "the recipient opens under the configured key")
	assert.Equal(t, transport.StatusDelivered, st.Status)
	assert.Equal(t, 1, second.usage(demoUser).Messages)
}

// smscOnlyConfigJSON is a gateway with a single (simulated) SMPP operator,
// so that its readiness is that operator's.
const smscOnlyConfigJSON = `{
  "transports": [{"name": "smsc", "kind": "smpp", "country": "SE", "agreement": "2026-01-15"}],
  "routes": [{"name": "all", "transports": ["smsc"]}],
  "accounts": [{"account": "demo", "organisation": "Demo AB",
    "users": [{"id": "demo", "password": "demo-password-1234", "allowed": ["127.0.0.1"]}]}]
}`

// Regression: the gateway had no probes. /healthz answers while the
// process serves; /readyz while the SMPP session is bound and the store
// answers (Client.Ping), without login, and says nothing of why not.
func TestHealthAndReadiness(t *testing.T) {
	h := newHarness(t, smscOnlyConfigJSON)
	resp, body := h.do(http.MethodGet, "/healthz", [2]string{}, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.JSONEq(t, `{"status":"ok"}`, string(body))
	// The SMPP session binds in the background: ready once it has.
	require.Eventually(t, func() bool {
		resp, body = h.do(http.MethodGet, "/readyz", [2]string{}, nil)
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 10*time.Millisecond, "never ready")
	assert.JSONEq(t, `{"status":"ready"}`, string(body))

	require.NoError(t, h.transport("smsc").smsc.Close()) // the operator goes away
	require.Eventually(t, func() bool {
		resp, body = h.do(http.MethodGet, "/readyz", [2]string{}, nil)
		return resp.StatusCode == http.StatusServiceUnavailable
	}, 10*time.Second, 20*time.Millisecond, "still ready without its operator")
	assert.JSONEq(t, `{"error":{"code":"unavailable","message":"not ready"}}`, string(body))
	assert.Contains(t, h.logs.String(), "gateway: not ready", "why goes to the log")
	resp, _ = h.do(http.MethodGet, "/healthz", [2]string{}, nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the process is still up")
}

// Regression: the server had no WriteTimeout, so a client that stopped
// reading held its connection and handler forever. The timeout is set,
// and long enough for the slowest send to answer.
func TestServerWriteTimeout(t *testing.T) {
	h := newHarness(t, testConfigJSON)
	assert.Equal(t, writeTimeout(h.g.cfg), h.g.srv.WriteTimeout)
	for _, sendTimeout := range []time.Duration{time.Second, defaultSendTimeout, 2 * time.Minute} {
		cfg, err := parseConfig([]byte(strings.Replace(testConfigJSON, `{`,
			`{"send_timeout": "`+sendTimeout.String()+`",`, 1)))
		require.NoError(t, err)
		assert.Greater(t, writeTimeout(cfg), readTimeout+sendTimeout, "send_timeout %s", sendTimeout)
	}
}
