package advox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
)

var personalNumberSeeds = []string{
	"811218-9876", "8112189876", "19811218-9876", "121212+1212", "000229-1235", "000229+1235",
	"701063-2391", "SE811218987601", "556016-0680", "16556016-0680", "0701234567", "+46 70 123 45 69",
	"070 123 45 67 811218-9876", "８１１２１８－９８７６", "811218\u200b9876", "Storgatan 1, 411 01 Göteborg", "",
}

// FuzzContainsPersonalNumber checks that the scanner never panics, that a
// number found stays found when embedded in text, and that the guard built
// on it never echoes the input.
func FuzzContainsPersonalNumber(f *testing.F) {
	for _, s := range personalNumberSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		found := advox.ContainsPersonalNumber(s)
		if found {
			assert.True(t, advox.ContainsPersonalNumber("Kund: "+s+". Tack!"), "embedding must not hide a number")
		}
		if err := advox.ValidateOrgNumber(s); err == nil {
			assert.False(t, found, "an accepted organisation number is never a personal identity number")
		}
	})
}

// FuzzValidateOrgNumber checks that an accepted number has the shape the
// rules demand and that errors never contain the number.
func FuzzValidateOrgNumber(f *testing.F) {
	for _, s := range personalNumberSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := advox.ValidateOrgNumber(s)
		if err != nil {
			require.Error(t, err)
			if len(s) >= 6 {
				assert.NotContains(t, err.Error(), s)
			}
			assertNoDigitsOf(t, s, err.Error())
			return
		}
		assert.False(t, advox.ContainsPersonalNumber(s))
		vat := "SE" + s + "01"
		if len(s) == 10 || len(s) == 11 {
			_ = advox.ValidateVATNumber(vat) // must not panic
		}
	})
}
