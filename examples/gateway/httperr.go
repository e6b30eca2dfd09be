package main

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/transport"
)

// errorBody is the JSON body of every error answer.
type errorBody struct {
	Error apiError `json:"error"`
}

// apiError says what went wrong: a stable code (the advox error code,
// snake_case) and a message.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// statusOf maps an error onto its HTTP status by its advox code.
func statusOf(err error) int {
	var re *requestError
	var ll *loginLimited
	switch {
	case errors.As(err, &re):
		return re.status
	case errors.As(err, &ll):
		return http.StatusTooManyRequests
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	case errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable
	}
	switch advox.CodeOf(err) {
	case advox.CodeInvalidArgument, advox.CodePersonalNumber:
		return http.StatusBadRequest
	case advox.CodeUnauthenticated:
		return http.StatusUnauthorized
	case advox.CodeNoConsent:
		return http.StatusForbidden
	case advox.CodeNotFound:
		return http.StatusNotFound
	case advox.CodeErased:
		return http.StatusGone
	case advox.CodeQuotaExceeded:
		return http.StatusTooManyRequests
	case advox.CodeThrottled, advox.CodeUnavailable, advox.CodeClosed:
		return http.StatusServiceUnavailable
	case advox.CodeRejected:
		return http.StatusUnprocessableEntity
	case advox.CodeOutcomeUnknown, advox.CodeIncomplete:
		// The operator may have it, or has part of it: sending it again
		// would duplicate what went, so never a status a client retries.
		return http.StatusAccepted
	case advox.CodeUnimplemented:
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError
}

// apiErrorOf describes err to the customer. Errors that say what to fix
// (a bad argument, an operator's refusal, the quota) carry advox's text,
// which never holds a number, a password or message text; the others say
// only their code, and server errors' details go to the log.
func apiErrorOf(err error) apiError {
	var re *requestError
	if errors.As(err, &re) {
		return apiError{Code: re.code, Message: re.msg}
	}
	c := advox.CodeOf(err)
	code := strings.ReplaceAll(c.String(), " ", "_")
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		code = "timeout"
	case errors.Is(err, context.Canceled):
		code = "canceled"
	}
	msg := strings.ReplaceAll(code, "_", " ")
	var ll *loginLimited
	if errors.As(err, &ll) {
		msg = "too many failed logins: try again after Retry-After"
	}
	switch c {
	case advox.CodeInvalidArgument, advox.CodePersonalNumber, advox.CodeRejected, advox.CodeQuotaExceeded:
		msg = err.Error()
	}
	return apiError{Code: code, Message: msg}
}

// retryAfter is how long the customer should wait before trying again
// after err: until the quota resets, or the operator's hint for
// throttling (1 s without one). ok is false for errors not worth retrying
// later.
func retryAfter(err error, now time.Time) (time.Duration, bool) {
	var q *accounts.QuotaError
	if errors.As(err, &q) {
		return max(q.Reset.Sub(now), time.Second), true
	}
	switch advox.CodeOf(err) {
	case advox.CodeThrottled:
		if d, ok := transport.RetryAfter(err); ok {
			return d, true
		}
		return time.Second, true
	case advox.CodeUnavailable, advox.CodeClosed:
		return time.Second, true
	}
	return 0, false
}

// setRetryAfter sets the Retry-After header in whole seconds, rounded up.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
}

// writeError answers err with its status, Retry-After when it applies and
// an errorBody.
func writeError(w http.ResponseWriter, err error, now time.Time) {
	status := statusOf(err)
	if d, ok := retryAfter(err, now); ok {
		setRetryAfter(w, d)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="advox", charset="UTF-8"`)
	}
	writeJSON(w, status, errorBody{Error: apiErrorOf(err)})
}
