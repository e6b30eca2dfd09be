package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// A shutdown lets a send already in progress finish and answer: the
// customer learns the outcome of every message it handed over.
func TestShutdownDrainsSends(t *testing.T) {
	h := newHarness(t, testConfigJSON)
	op := h.transport("elks").operator
	op.Inject(operatortest.FaultSlow) // accepts, answers after a second

	type result struct {
		code int
		out  sendResponse
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, h.g.url+"/v1/messages",
			strings.NewReader(`{"from":"Advox","to":"+447911123456","text":"in flight"}`))
		req.SetBasicAuth(demoUser[0], demoUser[1])
		req.Header.Set("Content-Type", "application/json")
		resp, err := h.hc.Do(req)
		if err != nil {
			done <- result{}
			return
		}
		defer resp.Body.Close()
		var r result
		r.code = resp.StatusCode
		_ = json.NewDecoder(resp.Body).Decode(&r.out)
		done <- r
	}()
	require.Eventually(t, func() bool { return op.Requests() == 1 }, 5*time.Second, 5*time.Millisecond)

	require.NoError(t, h.g.shutdown(context.Background()))
	r := <-done
	assert.Equal(t, http.StatusOK, r.code)
	require.Len(t, r.out.Messages, 1)
	assert.Equal(t, transport.StatusAccepted, r.out.Messages[0].Status)

	_, err := h.hc.Get(h.g.url + "/v1/usage")
	assert.Error(t, err, "no new requests after shutdown")
}

// The one command: run starts on the embedded defaults, prints a login and
// a curl line that work, and stops cleanly when its context ends.
func TestRunOneCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, flags{addr: "127.0.0.1:0"}, out, io.Discard) }()

	curlRE := regexp.MustCompile(`curl -u (\S+):(\S+) -H 'Content-Type: application/json' -d '(.*)' (http://\S+)`)
	var m []string
	require.Eventually(t, func() bool {
		m = curlRE.FindStringSubmatch(out.String())
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "no curl line in:\n%s", out.String())
	banner := out.String()
	assert.Contains(t, banner, "transport:  smpp:smsc -> SMSC simulator at 127.0.0.1:")
	assert.Contains(t, banner, "transport:  http:elks -> operator simulator (46elks)")
	assert.Contains(t, banner, "delivery reports at /webhooks/elks")
	assert.Contains(t, banner, "data:       SQLite at ")

	req, err := http.NewRequest(http.MethodPost, m[4], strings.NewReader(m[3]))
	require.NoError(t, err)
	req.SetBasicAuth(m[1], m[2])
	req.Header.Set("Content-Type", "application/json")
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	var sent sendResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&sent))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, sent.Messages, 1)
	assert.Equal(t, transport.StatusAccepted, sent.Messages[0].Status)
	hc.CloseIdleConnections()

	cancel()
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
	assert.Contains(t, out.String(), "shutting down")
}

// A shutdown waits long enough for a send that began just before it to
// run to its send_timeout and answer: cut off earlier, the customer never
// learns the outcome of messages that went out and sends them again.
func TestShutdownGraceCoversSends(t *testing.T) {
	for _, sendTimeout := range []time.Duration{time.Second, defaultSendTimeout, 2 * time.Minute} {
		cfg, err := parseConfig([]byte(strings.Replace(testConfigJSON, `{`,
			`{"send_timeout": "`+sendTimeout.String()+`",`, 1)))
		require.NoError(t, err)
		g := shutdownGrace(cfg)
		assert.GreaterOrEqual(t, g, shutdownTimeout)
		assert.Greater(t, g, sendTimeout, "send_timeout %s", sendTimeout)
	}
}
