package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/transport"
)

// Every advox code maps onto the HTTP status a customer's client can act
// on.
func TestStatusOf(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{advox.ErrInvalidArgument, 400, "invalid_argument"},
		{advox.ErrPersonalNumber, 400, "personal_identity_number_refused"},
		{advox.ErrAuthFailed, 401, "authentication_failed"},
		{advox.ErrNoConsent, 403, "no_consent"},
		{advox.ErrNotFound, 404, "not_found"},
		{advox.ErrErased, 410, "erased"},
		{&advox.Error{Op: "send", Code: advox.CodeQuotaExceeded, Err: &accounts.QuotaError{Quota: 1, Used: 1}}, 429, "quota_exceeded"},
		{advox.ErrRejected, 422, "rejected"},
		{advox.ErrOutcomeUnknown, 202, "outcome_unknown"},
		// Part of the message is out: answered 500 (a client retries), which
		// would send those parts again.
		{advox.ErrIncomplete, 202, "incomplete"},
		{advox.ErrThrottled, 503, "throttled"},
		{advox.ErrUnavailable, 503, "unavailable"},
		{advox.ErrClosed, 503, "closed"},
		{advox.ErrUnimplemented, 501, "unimplemented"},
		{errors.New("something else"), 500, "unknown"},
		{fmt.Errorf("send: %w", context.DeadlineExceeded), 504, "timeout"},
		{context.Canceled, 503, "canceled"},
		{badRequest("to: at least one recipient"), 400, "invalid_request"},
		{&advox.Error{Op: "send", Code: advox.CodeThrottled, Err: transport.ErrThrottled}, 503, "throttled"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			assert.Equal(t, tt.status, statusOf(tt.err))
			assert.Equal(t, tt.code, apiErrorOf(tt.err).Code)
		})
	}
}

// Server errors, and client errors that need no explanation, say only
// their code: their details (a driver's message, a host name) go to the
// log, not to the customer.
func TestAPIErrorHidesServerDetails(t *testing.T) {
	err := &advox.Error{Op: "usage", Code: advox.CodeUnavailable, Err: errors.New("dial tcp 10.0.0.5:5432: refused")}
	e := apiErrorOf(err)
	assert.Equal(t, "unavailable", e.Message)
	assert.NotContains(t, e.Message, "10.0.0.5")

	bad := &advox.Error{Op: "send", Code: advox.CodeInvalidArgument, Err: errors.New("from: empty")}
	assert.Equal(t, bad.Error(), apiErrorOf(bad).Message, "errors that say what to fix say it")

	missing := &advox.Error{Op: "status", Code: advox.CodeNotFound, Err: errors.New("sqlstore: get: storage: not found")}
	assert.Equal(t, "not found", apiErrorOf(missing).Message, "the store behind is nobody's business")
}

// Retry-After tells when trying again can succeed: the quota's reset,
// the operator's hint, or a second.
func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 31, 23, 59, 0, 0, time.UTC)
	quota := &advox.Error{Op: "send", Code: advox.CodeQuotaExceeded,
		Err: &accounts.QuotaError{Quota: 10, Used: 10, Reset: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}}
	hinted := &advox.Error{Op: "send", Code: advox.CodeThrottled,
		Err: &transport.RetryAfterError{After: 2500 * time.Millisecond, Err: transport.ErrThrottled}}
	tests := []struct {
		name   string
		err    error
		want   time.Duration
		header string
		ok     bool
	}{
		{"quota resets next month", quota, time.Minute, "60", true},
		{"operator's hint", hinted, 2500 * time.Millisecond, "3", true},
		{"throttled without a hint", advox.ErrThrottled, time.Second, "1", true},
		{"unavailable", advox.ErrUnavailable, time.Second, "1", true},
		{"rejected is not worth retrying", advox.ErrRejected, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := retryAfter(tt.err, now)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, d)
			w := httptest.NewRecorder()
			writeError(w, tt.err, now)
			assert.Equal(t, tt.header, w.Header().Get("Retry-After"))
			assert.Equal(t, statusOf(tt.err), w.Code)
		})
	}
	w := httptest.NewRecorder()
	writeError(w, advox.ErrAuthFailed, now)
	require.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, `Basic realm="advox", charset="UTF-8"`, w.Header().Get("WWW-Authenticate"))
	assert.JSONEq(t, `{"error":{"code":"authentication_failed","message":"authentication failed"}}`, w.Body.String())
}
