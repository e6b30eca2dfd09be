package advox_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// logCapture collects every log line and audit event written through
// slog's default logger while the package's tests run.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

var captured logCapture

// phoneNumber matches an international number, or a Swedish national
// mobile number, written out in full.
var phoneNumber = regexp.MustCompile(`\+\d{7,15}|\b07\d{8}\b|\b07\d-\d{3} \d{2} \d{2}\b`)

// TestMain runs the tests with the default logger (and so the default
// auditor) writing into a capture, then scans everything logged or
// audited by the whole run for phone numbers, and fails if it finds one;
// goroutines must not outlive the tests either.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewJSONHandler(&captured, &slog.HandlerOptions{Level: slog.LevelDebug})))
	// The capture must work before anything relies on it; checking it up
	// front rather than by what the tests logged lets a -run subset or a
	// fuzz target that logs nothing pass.
	slog.Info("advox: test log capture")
	if captured.buf.Len() == 0 {
		fmt.Fprintln(os.Stderr, "FAIL: the log scan captured nothing: the default logger is not in use")
		os.Exit(1)
	}
	code := m.Run()
	captured.mu.Lock()
	out := captured.buf.String()
	captured.mu.Unlock()
	if code == 0 {
		if found := phoneNumber.FindAllString(out, 5); len(found) > 0 {
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
