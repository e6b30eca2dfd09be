package advox

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The non-geographic calling codes (+800, +870, +881, +882, +883, …) all
// share the region id "001" in phonenumbers' metadata. A lookup of the
// fast path's metadata by id must therefore never answer for one of them
// with another's patterns: that would accept or normalise a number by the
// rules of a different calling code.
func TestFastPathMetadataBelongsToTheCallingCode(t *testing.T) {
	checked := 0
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		for _, r := range phonenumbers.GetRegionCodesForCountryCode(cc) {
			rm := regionFor(r)
			if rm == nil {
				continue
			}
			checked++
			assert.Equal(t, int32(cc), rm.md.GetCountryCode(),
				"calling code %d looked up as region %s gets the metadata of calling code %d", cc, r, rm.md.GetCountryCode())
		}
	}
	require.Greater(t, checked, 200)
}

// Mobile numbers under non-geographic calling codes (satellite and
// international networks) are accepted as phonenumbers accepts them, by
// whichever path.
func TestNonGeographicMobileNumbers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+881 6 1234 5678", "+881612345678"}, // Iridium
		{"+870 301 234 567", "+870301234567"}, // Inmarsat
		{"+882 342 1234", "+8823421234"},      // international networks
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := ParseNumber(tt.in, "")
			require.NoError(t, err)
			assert.Equal(t, Number(tt.want), n)
		})
	}
	for _, in := range []string{"+800 1234 5678", "+979 123 456 789", "+883 5100 12345"} { // toll free, premium, VoIP
		_, err := ParseNumber(in, "")
		fe := requireFieldError(t, err, "number")
		assert.Equal(t, "not a mobile number", fe.Reason, in)
	}
}
