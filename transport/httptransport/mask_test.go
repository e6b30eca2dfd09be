package httptransport

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// FuzzRedact checks that whatever an operator answers, a quoted message
// has no secret and no run of five digits, and stays short and valid.
func FuzzRedact(f *testing.F) {
	f.Add("Invalid to number: +46701234567")
	f.Add("auth s3cret-pass failed for 19121212-1212")
	f.Add("1 2 3 4 5 6 7 8 9")
	f.Add("ååå\x00\n12345")
	r := redactor{secrets: []string{"s3cret-pass"}, numbers: []string{"+46701234567"}}
	f.Fuzz(func(t *testing.T, in string) {
		out := r.clean(in)
		if strings.Contains(out, "s3cret-pass") {
			t.Fatalf("%q → %q keeps the secret", in, out)
		}
		run := 0
		for i := 0; i < len(out); i++ {
			if out[i] >= '0' && out[i] <= '9' {
				run++
				if run >= 5 {
					t.Fatalf("%q → %q keeps a digit run", in, out)
				}
			} else {
				run = 0
			}
		}
		if len(out) > maxQuoted+len("…") {
			t.Fatalf("%q → %d bytes", in, len(out))
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("%q → invalid UTF-8 %q", in, out)
		}
	})
}

func TestMaskNumber(t *testing.T) {
	cases := map[string]string{
		"+46701234567": "+4670*****67",
		"46701234567":  "46*******67",
		"0701234567":   "07******67",
		"12345":        "12***",
		"":             "***",
		"not a number": "***",
	}
	for in, want := range cases {
		assert.Equal(t, want, MaskNumber(in), in)
	}
}

func TestRedactor(t *testing.T) {
	r := redactor{secrets: []string{"s3cret-pass", "hello world text"}, numbers: []string{"+46701234567", "46701234567"}}
	cases := []struct{ in, want string }{
		{"Invalid to number: +46701234567", "Invalid to number: +4670*****67"},
		{"bad number 46701234567", "bad number 46*******67"},
		{"auth s3cret-pass failed", "auth [redacted] failed"},
		{"message 'hello world text' too long", "message '[redacted]' too long"},
		{"call 0701234567 or 19121212-1212", "call ********67 or ********-**12"},
		{"line one\nline two", "line one"},
		{"tab\there\x00", "tabhere"},
		{"code 1234 ok", "code 1234 ok"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, r.clean(c.in), c.in)
	}
	long := r.clean(string(make([]rune, 500)) + "ååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååå")
	assert.LessOrEqual(t, len(long), maxQuoted+len("…"))
}
