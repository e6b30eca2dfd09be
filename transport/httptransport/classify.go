package httptransport

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Class is the classification of an operator's answer to a submit.
type Class int

// The classes. Only Throttled and NotSent are safe to retry.
const (
	// Accepted: the operator took the message.
	Accepted Class = iota + 1
	// Throttled: refused for load or rate; nothing accepted.
	Throttled
	// NotSent: the operator says it did not accept the message and the
	// caller may try again ("temporary failure, not queued").
	NotSent
	// OutcomeUnknown: the answer does not say whether the message was
	// taken (a proxy's 5xx, a malformed 2xx). Never retried blindly.
	OutcomeUnknown
	// Rejected: refused for good (bad number, bad credentials, no route).
	Rejected
)

var classNames = [...]string{
	Accepted:       "accepted",
	Throttled:      "throttled",
	NotSent:        "not sent",
	OutcomeUnknown: "outcome unknown",
	Rejected:       "rejected",
}

// String returns the class name.
func (c Class) String() string {
	if c > 0 && int(c) < len(classNames) {
		return classNames[c]
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// Reply is the operator's answer as a Classifier sees it. Body is at most
// the transport's response limit.
type Reply struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Classifier maps an operator's answer to a Class. A profile's classifier
// usually recognises its operator's own signals and defers the rest to
// DefaultClassifier.
type Classifier func(r Reply) Class

// DefaultClassifier is the classification of plain HTTP semantics: 2xx is
// accepted, 429 throttled, 408 not sent (the server never got the whole
// request), any other 3xx or 4xx rejected, and 5xx or anything else
// outcome-unknown, because a 5xx often comes from a proxy that may have
// forwarded the request.
func DefaultClassifier(r Reply) Class {
	switch c := r.StatusCode; {
	case c >= 200 && c < 300:
		return Accepted
	case c == http.StatusTooManyRequests:
		return Throttled
	case c == http.StatusRequestTimeout:
		return NotSent
	case c >= 300 && c < 500:
		return Rejected
	}
	return OutcomeUnknown
}

// ParseRetryAfter reads a Retry-After value, in seconds or as an HTTP-date,
// relative to now. It returns false for a missing, malformed or past value.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		const maxSeconds = int64(24 * time.Hour / time.Second)
		if n <= 0 {
			return 0, false
		}
		return time.Duration(min(n, maxSeconds)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d <= 0 {
		return 0, false
	}
	return min(d, 24*time.Hour), true
}
