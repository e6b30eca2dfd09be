package advox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox"
)

// TestContainsPersonalNumberThroughMarks: invisible combining characters
// (variation selectors, the combining grapheme joiner) and the keycap
// digits of emoji ("8️⃣1️⃣…", a digit, U+FE0F and U+20E3) still show the
// number, so they do not smuggle it past the guard; nor do they make a
// number out of separate ones.
func TestContainsPersonalNumberThroughMarks(t *testing.T) {
	keycaps := func(s string) string {
		out := ""
		for _, r := range s {
			out += string(r) + "\ufe0f\u20e3"
		}
		return out
	}
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"keycap digits", keycaps("8112189876"), true},
		{"keycap digits with a dash", keycaps("811218") + "-" + keycaps("9876"), true},
		{"variation selector inside", "811218\ufe0f9876", true},
		{"variation selector before the dash", "811218\ufe0e-9876", true},
		{"combining grapheme joiner", "81121\u034f8-9876", true},
		{"combining accent on a digit", "8\u03011121898\u030176", true},
		{"keycaps of a wrong check digit", keycaps("8112189877"), false},
		{"a mark on letters between numbers keeps them apart", "811218a\u0301-9876", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, advox.ContainsPersonalNumber(tt.in), "%q", tt.in)
		})
	}
}
