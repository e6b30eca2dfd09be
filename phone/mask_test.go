package phone

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsSeparator(t *testing.T) {
	for _, c := range []byte(" -().,/+0a") {
		want := c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/'
		assert.Equal(t, want, isSeparator(c), string(c))
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+46701234567", "+4670*****67"},
		{"46701234567", "46*******67"}, // the transports mask numbers without "+" too
		{"12345", "12***"},
		{"+447911123456", "+4479******56"},
		{"+12025550123", "+120******23"},
		{"+35312345678", "+35312****78"},
		{" +46 70-123 45 67 ", "+4670*****67"},
		{"070-123 45 67", "07******67"},
		{"+4612345", "+4612***"},
		{"+461234567", "+4612****7"},
		{"+9991234567", "+99******67"}, // unknown country code: no code kept
		{"1234", "1***"},
		{"123", "***"},
		{"12", "**"},
		{"", "***"},
		{"+", "***"},
		{"hello", "***"},
		{"070 ring mig", "***"},
		{"+46701234567\x00", "***"},
		{"\xff\xfe", "***"},
		{strings.Repeat("1", 65), "***"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, Mask(tt.in))
		})
	}
}

func TestMaskNeverRevealsMuch(t *testing.T) {
	for _, s := range []string{
		"+46701234567", "+447911123456", "+12025550123", "+35312345678", "+4612345",
		"+461", "+46", "+1", "1", "123456789012345", "+123456789012345", "0701234567",
	} {
		m := Mask(s)
		in, kept, hidden := countDigits(s), countDigits(m), strings.Count(m, "*")
		assert.Equal(t, in, kept+hidden, "%q: every digit is kept or masked: %q", s, m)
		assert.LessOrEqual(t, kept, 3+4, "%q keeps too much: %q", s, m)
		assert.GreaterOrEqual(t, hidden, min(3, in-3), "%q hides too little: %q", s, m)
	}
}

// countDigits counts the ASCII digits of s.
func countDigits(s string) int { return len(keepDigits(s)) }

func TestNumberMaskedAndLogValue(t *testing.T) {
	n, err := ParseNumber("070-123 45 67", "SE")
	require.NoError(t, err)
	assert.Equal(t, "+4670*****67", n.Masked())
	assert.Equal(t, Mask(n.String()), n.Masked())
	assert.Equal(t, slog.KindString, n.LogValue().Kind())

	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("sent", "to", n)
	assert.Contains(t, buf.String(), "to=+4670*****67")
	assert.NotContains(t, buf.String(), "+46701234567")
}

// keepDigits returns only the ASCII digits of s.
func keepDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
