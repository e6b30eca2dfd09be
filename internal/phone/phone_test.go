package phone

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The masking rules are tested in full through advox.MaskNumber
// (message_test.go); these pin what the transports rely on.
func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+46701234567", "+4670*****67"},
		{"46701234567", "46*******67"},
		{"070-123 45 67", "07******67"},
		{"12345", "12***"},
		{"", "***"},
		{"not a number", "***"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Mask(tt.in), tt.in)
	}
}

func TestIsSeparator(t *testing.T) {
	for _, c := range []byte(" -().,/+0a") {
		want := c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/'
		assert.Equal(t, want, IsSeparator(c), string(c))
	}
}
