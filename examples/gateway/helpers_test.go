package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testConfigJSON is the embedded default's shape with known passwords and
// more accounts: one that may log in only from elsewhere, and one with a
// quota of a single segment.
const testConfigJSON = `{
  "transports": [
    {"name": "smsc", "kind": "smpp", "country": "SE", "agreement": "2026-01-15"},
    {"name": "elks", "kind": "http", "profile": "46elks", "country": "SE", "agreement": "2026-01-15"}
  ],
  "routes": [
    {"name": "sweden", "prefixes": ["+46"], "transports": ["smsc", "elks"]},
    {"name": "world", "transports": ["elks", "smsc"]}
  ],
  "accounts": [
    {"account": "demo", "organisation": "Demo AB", "org_number": "556016-0680", "email": "sms@example.se",
     "monthly_segments": 1000,
     "users": [{"id": "demo", "password": "demo-password-1234", "allowed": ["127.0.0.1", "::1"]}]},
    {"account": "other", "organisation": "Other AB",
     "users": [{"id": "other", "password": "other-password-1234", "allowed": ["127.0.0.0/8"]}]},
    {"account": "far", "organisation": "Far AB",
     "users": [{"id": "far", "password": "far-password-12345", "allowed": ["192.0.2.0/24"]}]},
    {"account": "tiny", "organisation": "Tiny AB", "monthly_segments": 1,
     "users": [{"id": "tiny", "password": "tiny-password-1234", "allowed": ["127.0.0.1"]}]}
  ]
}`

// The logins of testConfigJSON.
var (
	demoUser  = [2]string{"demo", "demo-password-1234"}
	otherUser = [2]string{"other", "other-password-1234"}
	farUser   = [2]string{"far", "far-password-12345"}
	tinyUser  = [2]string{"tiny", "tiny-password-1234"}
)

// harness is a gateway running on loopback for a test, with its SQLite
// file and its logs.
type harness struct {
	t    *testing.T
	g    *gateway
	db   string
	logs *syncBuffer
	hc   *http.Client
}

// newHarness starts a gateway with the configuration cfgJSON and shuts it
// down when the test ends.
func newHarness(t *testing.T, cfgJSON string) *harness {
	t.Helper()
	cfg, err := parseConfig([]byte(cfgJSON))
	require.NoError(t, err)
	h := &harness{t: t, db: filepath.Join(t.TempDir(), "gateway.db"), logs: &syncBuffer{},
		hc: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.g, err = start(context.Background(), cfg, options{Addr: "127.0.0.1:0", DBPath: h.db, Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, h.g.shutdown(ctx))
		h.hc.CloseIdleConnections()
	})
	return h
}

// do makes a request as login (the zero login sends no credentials) and
// returns the response with its body read. A POST says Content-Type:
// application/json, as the API requires.
func (h *harness) do(method, path string, login [2]string, body any) (*http.Response, []byte) {
	h.t.Helper()
	var hdr map[string]string
	if method == http.MethodPost {
		hdr = map[string]string{"Content-Type": "application/json"}
	}
	return h.doHeader(method, path, login, body, hdr)
}

// doHeader is do with exactly the headers hdr (besides credentials).
func (h *harness) doHeader(method, path string, login [2]string, body any, hdr map[string]string) (*http.Response, []byte) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		p, err := json.Marshal(b)
		require.NoError(h.t, err)
		rd = bytes.NewReader(p)
	}
	req, err := http.NewRequest(method, h.g.url+path, rd)
	require.NoError(h.t, err)
	if login[0] != "" {
		req.SetBasicAuth(login[0], login[1])
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := h.hc.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	p, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	return resp, p
}

// send posts a send request and decodes the answer.
func (h *harness) send(login [2]string, req map[string]any) (int, sendResponse) {
	h.t.Helper()
	resp, body := h.do(http.MethodPost, "/v1/messages", login, req)
	var out sendResponse
	require.NoError(h.t, json.Unmarshal(body, &out), string(body))
	return resp.StatusCode, out
}

// status reads a message's status.
func (h *harness) status(login [2]string, id string) (int, messageStatus) {
	h.t.Helper()
	resp, body := h.do(http.MethodGet, "/v1/messages/"+id, login, nil)
	var out messageStatus
	if resp.StatusCode == http.StatusOK {
		require.NoError(h.t, json.Unmarshal(body, &out))
	}
	return resp.StatusCode, out
}

// awaitFinal polls a message until a delivery report settles it.
func (h *harness) awaitFinal(login [2]string, id string) messageStatus {
	h.t.Helper()
	var st messageStatus
	require.Eventually(h.t, func() bool {
		code, s := h.status(login, id)
		st = s
		return code == http.StatusOK && s.Status.Final()
	}, 10*time.Second, 20*time.Millisecond, "message %s never reached a final status", id)
	return st
}

// transport returns the built transport configured under name.
func (h *harness) transport(name string) *built {
	for _, b := range h.g.built {
		if b.cfg.Name == name {
			return b
		}
	}
	h.t.Fatalf("no transport %q", name)
	return nil
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (the logs).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
