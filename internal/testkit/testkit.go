// Package testkit holds what the tests of several of the library's
// packages share: a settable clock, an Auditor that keeps its events, a
// reader of JSON log lines, and the TestMain that scans everything a test
// binary logged or audited for phone numbers and checks for leaked
// goroutines. Not for users.
package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/storage/storagetest"
)

// Clock is a settable clock that a Client, its stores and Accounts can
// share: the storage suite's clock, which can also be advanced.
type Clock struct{ storagetest.Clock }

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock {
	c := &Clock{}
	c.Set(t)
	return c
}

// Advance moves the clock on by d. Tests advance it from one goroutine, so
// reading and setting need not be one step.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// AuditLog is an Auditor that keeps the events it receives.
type AuditLog struct {
	mu     sync.Mutex
	events []audit.Event
}

// Audit implements audit.Auditor.
func (a *AuditLog) Audit(_ context.Context, e audit.Event) {
	a.mu.Lock()
	a.events = append(a.events, e)
	a.mu.Unlock()
}

// Events returns the events received so far.
func (a *AuditLog) Events() []audit.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]audit.Event(nil), a.events...)
}

// Reset forgets the events received so far.
func (a *AuditLog) Reset() {
	a.mu.Lock()
	a.events = nil
	a.mu.Unlock()
}

// Actions returns the actions of the events received so far.
func (a *AuditLog) Actions() []string {
	var out []string
	for _, e := range a.Events() {
		out = append(out, e.Action)
	}
	return out
}

// JSONLines decodes every JSON log line in b, keeping duplicated keys
// visible: each line is decoded key by key, and each key maps to every
// value it had.
func JSONLines(t testing.TB, b *bytes.Buffer) []map[string][]any {
	t.Helper()
	var out []map[string][]any
	for line := range strings.Lines(b.String()) {
		dec := json.NewDecoder(strings.NewReader(line))
		_, err := dec.Token() // {
		require.NoError(t, err)
		m := map[string][]any{}
		for dec.More() {
			k, err := dec.Token()
			require.NoError(t, err)
			var v any
			require.NoError(t, dec.Decode(&v))
			m[k.(string)] = append(m[k.(string)], v)
		}
		out = append(out, m)
	}
	return out
}

// Buffer is a bytes.Buffer safe for concurrent use: a log handler's
// output written from several goroutines.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// PhoneNumber matches an international number, or a Swedish national
// mobile number, written out in full.
var PhoneNumber = regexp.MustCompile(`\+\d{7,15}|\b07\d{8}\b|\b07\d-\d{3} \d{2} \d{2}\b`)

// Main runs a package's tests with the default logger (and so the default
// auditor) writing into a capture, then scans everything logged or
// audited by the whole run for phone numbers, and fails if it finds one;
// goroutines must not outlive the tests either. Call it from TestMain.
func Main(m *testing.M) {
	var captured Buffer
	slog.SetDefault(slog.New(slog.NewJSONHandler(&captured, &slog.HandlerOptions{Level: slog.LevelDebug})))
	// The capture must work before anything relies on it; checking it up
	// front rather than by what the tests logged lets a -run subset or a
	// fuzz target that logs nothing pass.
	slog.Info("advox: test log capture")
	if captured.String() == "" {
		fmt.Fprintln(os.Stderr, "FAIL: the log scan captured nothing: the default logger is not in use")
		os.Exit(1)
	}
	code := m.Run()
	out := captured.String()
	if code == 0 {
		if found := PhoneNumber.FindAllString(out, 5); len(found) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: %d phone number(s) in logs or audit events, e.g. %q\n", len(found), found)
			code = 1
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: leaked goroutines:", err)
			code = 1
		}
	}
	os.Exit(code)
}
