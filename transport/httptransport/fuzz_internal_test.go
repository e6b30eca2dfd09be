package httptransport

import (
	"strings"
	"testing"
	"unicode/utf8"
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
