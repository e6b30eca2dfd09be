package phone

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/internal/errs/errstest"
)

// TestFastPathAgreesWithPhonenumbers checks that whenever the fast path
// accepts a number, phonenumbers' own API accepts it too, as the same
// E.164 number — over every region's example numbers of every type and
// random variations of them.
func TestFastPathAgreesWithPhonenumbers(t *testing.T) {
	var regions []string
	for r := range phonenumbers.GetSupportedRegions() {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	types := []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.VOIP, phonenumbers.PAGER, phonenumbers.FIXED_LINE_OR_MOBILE}
	rng := rand.New(rand.NewPCG(1, 2))
	checked, accepted, mobiles, mobileFast := 0, 0, 0, 0
	check := func(input, region string) bool {
		digits, intl := digitsOf(input)
		fast := fastMobile(digits, intl, region)
		slow, err := slowValidate("parse number", "to", input, region)
		checked++
		if fast == "" {
			return false
		}
		accepted++
		if assert.NoError(t, err, "fast path accepted %s in %s, phonenumbers refuses", input, region) {
			assert.Equal(t, string(slow), fast, "input %s region %s", input, region)
		}
		return true
	}
	for _, r := range regions {
		for _, typ := range types {
			ex := phonenumbers.GetExampleNumberForType(r, typ)
			if ex == nil {
				continue
			}
			e164 := phonenumbers.Format(ex, phonenumbers.E164)
			national := phonenumbers.Format(ex, phonenumbers.NATIONAL)
			ok := check(e164, "")
			check(national, r)
			check(phonenumbers.Format(ex, phonenumbers.INTERNATIONAL), "")
			if typ == phonenumbers.MOBILE {
				mobiles++
				if ok {
					mobileFast++
				}
			}
			for range 3 { // random variations of the tail
				b := []byte(e164)
				for k := 0; k < 3; k++ {
					i := len(b) - 1 - rng.IntN(min(6, len(b)-4))
					b[i] = byte('0' + rng.IntN(10))
				}
				if rng.IntN(4) == 0 {
					b = append(b, byte('0'+rng.IntN(10)))
				}
				check(string(b), "")
			}
		}
	}
	for range 1500 { // random digit strings behind random country codes
		cc := []int{1, 7, 20, 27, 30, 33, 34, 39, 44, 45, 46, 47, 48, 49, 52, 55, 61, 81, 86, 91, 234, 254, 358, 372, 880, 971}[rng.IntN(26)]
		n := "+" + strconv.Itoa(cc)
		for range 6 + rng.IntN(8) {
			n += strconv.Itoa(rng.IntN(10))
		}
		check(n, "")
	}
	t.Logf("checked %d inputs, fast path accepted %d; %d of %d example mobile numbers took the fast path", checked, accepted, mobileFast, mobiles)
	require.Greater(t, mobileFast, mobiles*9/10, "the fast path must serve the common case")
}

func BenchmarkValidateRecipient(b *testing.B) {
	for _, tc := range []struct{ name, in, region string }{
		{"e164", "+46701234567", ""},
		{"national", "070-123 45 67", "SE"},
		{"us", "+12015550123", ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ValidateRecipient("to", tc.in, tc.region); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

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
		fe := errstest.RequireField(t, err, "number")
		assert.Equal(t, "not a mobile number", fe.Reason, in)
	}
}
