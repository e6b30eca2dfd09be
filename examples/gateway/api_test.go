package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// The API refuses what it must, with the status and code the error
// calls for, over real HTTP.
func TestAPIRefusals(t *testing.T) {
	h := newHarness(t, testConfigJSON)
	ok := map[string]any{"from": "Advox", "to": "+46701740605", "text": "hi"}
	tests := []struct {
		name   string
		method string
		path   string
		login  [2]string
		body   any
		status int
		code   string
	}{
		{"no credentials", "POST", "/v1/messages", [2]string{}, ok, 401, "authentication_failed"},
		{"wrong password", "POST", "/v1/messages", [2]string{"demo", "not-the-password"}, ok, 401, "authentication_failed"},
		{"unknown user", "GET", "/v1/usage", [2]string{"nobody", "whatever-password"}, nil, 401, "authentication_failed"},
		{"address not allowed", "GET", "/v1/usage", farUser, nil, 401, "authentication_failed"},
		{"empty body", "POST", "/v1/messages", demoUser, nil, 400, "invalid_request"},
		{"not JSON", "POST", "/v1/messages", demoUser, "to=+46701740605", 400, "invalid_request"},
		{"account in the request", "POST", "/v1/messages", demoUser,
			map[string]any{"account": "other", "from": "Advox", "to": "+46701740605", "text": "hi"}, 400, "invalid_request"},
		{"trailing data", "POST", "/v1/messages", demoUser, `{"from":"Advox","to":"+46701740605","text":"hi"} {}`, 400, "invalid_request"},
		{"too large", "POST", "/v1/messages", demoUser,
			map[string]any{"from": "Advox", "to": "+46701740605", "text": strings.Repeat("x", defaultMaxBody)}, 413, "too_large"},
		{"no recipients", "POST", "/v1/messages", demoUser, map[string]any{"from": "Advox", "to": []string{}, "text": "hi"}, 400, "invalid_request"},
		{"too many recipients", "POST", "/v1/messages", demoUser,
			map[string]any{"from": "Advox", "to": make([]string, defaultMaxRecipients+1), "text": "hi"}, 400, "invalid_request"},
		{"to not a string", "POST", "/v1/messages", demoUser, map[string]any{"from": "Advox", "to": 46701740605, "text": "hi"}, 400, "invalid_request"},
		{"bad number", "POST", "/v1/messages", demoUser, map[string]any{"from": "Advox", "to": "+46 12", "text": "hi"}, 400, "invalid_argument"},
		{"bad sender", "POST", "/v1/messages", demoUser, map[string]any{"from": "", "to": "+46701740605", "text": "hi"}, 400, "invalid_argument"},
		{"empty text", "POST", "/v1/messages", demoUser, map[string]any{"from": "Advox", "to": "+46701740605", "text": ""}, 400, "invalid_argument"},
		// Regression: the JSON decoder replaced these with U+FFFD and the text went out.
		{"text not UTF-8", "POST", "/v1/messages", demoUser, "{\"from\":\"Advox\",\"to\":\"+46701740605\",\"text\":\"hi \xff\"}", 400, "invalid_argument"},
		{"text with a lone surrogate", "POST", "/v1/messages", demoUser, `{"from":"Advox","to":"+46701740605","text":"hi \ud83d"}`, 400, "invalid_argument"},
		{"unknown message", "GET", "/v1/messages/nope", demoUser, nil, 404, "not_found"},
		{"overlong id", "GET", "/v1/messages/" + strings.Repeat("a", maxIDLen+1), demoUser, nil, 404, "not_found"},
		{"bad usage period", "GET", "/v1/usage?from=yesterday", demoUser, nil, 400, "invalid_request"},
		{"inverted usage period", "GET", "/v1/usage?from=2026-02-01&to=2026-01-01", demoUser, nil, 400, "invalid_request"},
		{"wrong method", "GET", "/v1/erase", demoUser, nil, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := h.do(tt.method, tt.path, tt.login, tt.body)
			assert.Equal(t, tt.status, resp.StatusCode, string(body))
			if tt.code == "" {
				return
			}
			var e errorBody
			require.NoError(t, json.Unmarshal(body, &e), string(body))
			assert.Equal(t, tt.code, e.Error.Code)
			assert.NotEmpty(t, e.Error.Message)
			assert.NotContains(t, string(body), "701740605", "errors never echo a number")
			if tt.status == http.StatusUnauthorized {
				assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Basic")
			}
		})
	}
	assert.Empty(t, h.transport("smsc").smsc.Messages(), "nothing refused was sent")
}

// Regression: a text/plain POST from another origin erased records (a
// cross-site request forgery from any page the customer visited).
// State-changing requests need Content-Type: application/json and are
// refused when a browser says they come from another site; reads are
// not affected.
func TestStateChangingRequestsGuarded(t *testing.T) {
	h := newHarness(t, testConfigJSON)
	code, sent := h.send(demoUser, map[string]any{"from": "Advox", "to": "+46701740605", "text": "kept"})
	require.Equal(t, http.StatusOK, code)
	const js = "application/json"
	msg := `{"from":"Advox","to":"+46701740605","text":"forged"}`
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		hdr    map[string]string
		status int
		code   string
	}{
		{"erase as a cross-site text/plain form", "POST", "/v1/erase", "x=1",
			map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403, "cross_origin"},
		{"erase as text/plain", "POST", "/v1/erase", "x=1", map[string]string{"Content-Type": "text/plain"}, 415, "unsupported_media_type"},
		{"erase without Content-Type", "POST", "/v1/erase", nil, nil, 415, "unsupported_media_type"},
		{"send as a form", "POST", "/v1/messages", msg,
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"send as JSON in another charset", "POST", "/v1/messages", msg,
			map[string]string{"Content-Type": "application/json; charset=iso-8859-1"}, 415, "unsupported_media_type"},
		{"erase as JSON from another origin", "POST", "/v1/erase", nil,
			map[string]string{"Content-Type": js, "Origin": "https://evil.example"}, 403, "cross_origin"},
		{"send from another origin", "POST", "/v1/messages", msg,
			map[string]string{"Content-Type": js, "Origin": "http://localhost:1"}, 403, "cross_origin"},
		{"erase from a cross-site fetch", "POST", "/v1/erase", nil,
			map[string]string{"Content-Type": js, "Sec-Fetch-Site": "cross-site"}, 403, "cross_origin"},
		{"erase from a null origin", "POST", "/v1/erase", nil,
			map[string]string{"Content-Type": js, "Origin": "null"}, 403, "cross_origin"},
		{"read from another origin", "GET", "/v1/messages/" + sent.Messages[0].ID, nil,
			map[string]string{"Origin": "https://evil.example"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := h.doHeader(tt.method, tt.path, demoUser, tt.body, tt.hdr)
			require.Equal(t, tt.status, resp.StatusCode, string(body))
			if tt.code != "" {
				var e errorBody
				require.NoError(t, json.Unmarshal(body, &e), string(body))
				assert.Equal(t, tt.code, e.Error.Code)
			}
		})
	}
	code, _ = h.status(demoUser, sent.Messages[0].ID)
	assert.Equal(t, http.StatusOK, code, "nothing was erased")
	assert.Len(t, h.transport("smsc").smsc.Messages(), 1, "nothing forged was sent")

	// The same origin, and JSON with its one charset, pass.
	code, _ = h.send(demoUser, map[string]any{"from": "Advox", "to": "+46701740605", "text": "same origin"})
	require.Equal(t, http.StatusOK, code)
	resp, body := h.doHeader("POST", "/v1/messages", demoUser, map[string]any{"from": "Advox", "to": "+46701740605", "text": "hi"},
		map[string]string{"Content-Type": "application/json; charset=UTF-8", "Origin": h.g.url, "Sec-Fetch-Site": "same-origin"})
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, body = h.doHeader("POST", "/v1/erase", demoUser, nil, map[string]string{"Content-Type": js})
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
}

// Outcomes the operator decides map onto statuses too: a rejection is
// 422, an unknown outcome 202 with a warning, a mix 207, a used-up quota
// 429 with Retry-After.
func TestAPIOutcomes(t *testing.T) {
	h := newHarness(t, testConfigJSON)
	op := h.transport("elks").operator
	uk := "+447911123456"

	op.Inject(operatortest.FaultReject)
	code, out := h.send(demoUser, map[string]any{"from": "Advox", "to": uk, "text": "rejected"})
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	require.Len(t, out.Messages, 1)
	assert.Equal(t, "rejected", out.Messages[0].Error.Code)
	assert.Equal(t, transport.StatusRejected, out.Messages[0].Status)
	assert.NotEmpty(t, out.Messages[0].ID, "a rejection is recorded")

	op.Inject(operatortest.FaultAcceptThenReset)
	resp, body := h.do(http.MethodPost, "/v1/messages", demoUser, map[string]any{"from": "Advox", "to": uk, "text": "unknown"})
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	assert.Contains(t, resp.Header.Get("Warning"), "do not send it again")
	require.NoError(t, json.Unmarshal(body, &out))
	assert.Equal(t, "outcome_unknown", out.Messages[0].Error.Code)
	assert.Equal(t, transport.StatusUnknown, out.Messages[0].Status)
	assert.Equal(t, outcomeWarning, out.Messages[0].Warning)
	code, st := h.status(demoUser, out.Messages[0].ID)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "http:elks", st.Transport, "an unknown outcome never fails over")

	code, out = h.send(demoUser, map[string]any{"from": "Advox", "to": []string{"+46701740605", "not a number"}, "text": "mixed"})
	assert.Equal(t, http.StatusMultiStatus, code)
	require.Len(t, out.Messages, 2)
	assert.Nil(t, out.Messages[0].Error)
	assert.Equal(t, "invalid_argument", out.Messages[1].Error.Code)
	assert.Empty(t, out.Messages[1].ID)

	code, out = h.send(tinyUser, map[string]any{"from": "Advox", "to": "+46701740605", "text": "first"})
	assert.Equal(t, http.StatusOK, code)
	resp, body = h.do(http.MethodPost, "/v1/messages", tinyUser, map[string]any{"from": "Advox", "to": "+46701740605", "text": "second"})
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, string(body))
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.Positive(t, secs)
	assert.LessOrEqual(t, secs, 31*24*3600, "at most until the next month")
	require.NoError(t, json.Unmarshal(body, &out))
	assert.Equal(t, "quota_exceeded", out.Messages[0].Error.Code)
}

// Erasing one account's traffic leaves every other account's alone.
func TestEraseIsPerAccount(t *testing.T) {
	h := newHarness(t, testConfigJSON)
	_, mine := h.send(demoUser, map[string]any{"from": "Advox", "to": "+46701740605", "text": "mine"})
	_, theirs := h.send(otherUser, map[string]any{"from": "Other", "to": "+46701740606", "text": "theirs"})
	require.Len(t, mine.Messages, 1)
	require.Len(t, theirs.Messages, 1)

	resp, body := h.do(http.MethodPost, "/v1/erase", otherUser, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	code, _ := h.status(demoUser, mine.Messages[0].ID)
	assert.Equal(t, http.StatusOK, code)
	code, _ = h.status(otherUser, theirs.Messages[0].ID)
	assert.Equal(t, http.StatusNotFound, code)
}

// Metrics are served in the Prometheus format, without numbers or
// accounts in them.
func TestMetricsEndpoint(t *testing.T) {
	h := newHarness(t, testConfigJSON)
	code, out := h.send(demoUser, map[string]any{"from": "Advox", "to": "+46701740605", "text": "counted"})
	require.Equal(t, http.StatusOK, code)
	h.awaitFinal(demoUser, out.Messages[0].ID)

	resp, body := h.do(http.MethodGet, "/metrics", [2]string{}, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	text := string(body)
	assert.Contains(t, text, "advox_sent_messages")
	assert.Contains(t, text, `transport="smpp:smsc"`)
	assert.NotContains(t, text, "701740605")
	assert.NotContains(t, text, `"demo"`)
}
