package advox

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// No country calling code starts with 0: a "+" followed by the national
// trunk prefix and a national number is refused, never passed on as a
// "+0…" number no operator can route.
func TestParseNumberRefusesZeroAfterPlus(t *testing.T) {
	for _, in := range []string{
		"+046701234567",     // "+" and the Swedish national form
		"+046 70-123 45 67", // the same, formatted
		"+0447911123456",    // "+0" and the UK number
		"+012025550123",     // "+0" and a US number
	} {
		t.Run(in, func(t *testing.T) {
			n, err := ParseNumber(in, "")
			assert.Empty(t, n)
			requireFieldError(t, err, "number")
			n, err = ValidateRecipient("to", in, "SE")
			assert.Empty(t, n)
			requireFieldError(t, err, "to")
		})
	}
}
