package advox

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
