package advox

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzFastPathAgreesWithPhonenumbers feeds ValidateRecipient outside
// input and checks that every number it accepts — by the fast path or not —
// is accepted by phonenumbers' own API as the same E.164 number.
func FuzzFastPathAgreesWithPhonenumbers(f *testing.F) {
	for _, s := range [][2]string{
		{"+46701234567", ""}, {"070-123 45 67", "SE"}, {"+447911123456", ""}, {"07911 123456", "GB"},
		{"+12025550123", ""}, {"(202) 555-0123", "US"}, {"1 202 555 0123", "US"}, {"+79123456789", ""},
		{"8 912 345-67-89", "RU"}, {"+77012345678", ""}, {"+4915123456789", ""}, {"0151 23456789", "DE"},
		{"+35312345678", ""}, {"+881612345678", ""}, {"+870301234567", ""}, {"+8823421234", ""},
		{"+46 (0)70-123 45 67", ""}, {"0046701234567", "SE"}, {"+1 1 202 555 0123", ""}, {"04 12 34 56 78", "AU"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		n, err := ValidateRecipient("to", s, region)
		if err != nil {
			return
		}
		slow, err := slowValidate("parse number", "to", s, strings.ToUpper(region))
		require.NoError(t, err, "accepted %q in %q, phonenumbers refuses", s, region)
		require.Equal(t, slow, n, "input %q region %q", s, region)
	})
}
