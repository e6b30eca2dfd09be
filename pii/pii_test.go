package pii_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/pii"
)

// checkDigit computes the Luhn check digit of the first nine digits, the
// way Skatteverket describes it: multiply alternately by 2 and 1, add the
// digits of the products, and take what is missing to the next ten.
func checkDigit(nine string) byte {
	sum := 0
	for i := range 9 {
		p := int(nine[i]-'0') * (2 - i%2)
		sum += p/10 + p%10
	}
	return byte('0' + (10-sum%10)%10)
}

// pnr builds a 10-digit personnummer "YYMMDD-NNNC" (sep "-" or "+") for a
// birth date, with day+60 when coordination is set.
func pnr(y int, m time.Month, d, serial int, coordination bool, sep string) string {
	if coordination {
		d += 60
	}
	nine := fmt.Sprintf("%02d%02d%02d%03d", y%100, int(m), d, serial)
	return nine[:6] + sep + nine[6:] + string(checkDigit(nine))
}

// wrongCheck returns s with its last digit changed.
func wrongCheck(s string) string {
	last := s[len(s)-1]
	return s[:len(s)-1] + string('0'+(last-'0'+1)%10)
}

func TestContainsPersonalNumberVectors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"10 digits with dash", "811218-9876", true},
		{"10 digits bare", "8112189876", true},
		{"12 digits", "198112189876", true},
		{"12 digits with dash", "19811218-9876", true},
		{"spaces inside", "81 12 18 98 76", true},
		{"wrong check digit", "811218-9877", false},
		{"Tolvan Tolvansson", "121212-1212", true},
		{"centenarian +", "121212+1212", true},
		{"centenarian 12 digits", "19121212-1212", true},
		{"leap day 2000", "000229-1235", true},
		{"leap day 2000, 12 digits", "20000229-1235", true},
		{"29 Feb 1900 is no date", "19000229-1235", false},
		{"+ means 1900 or 1800: no 29 Feb 00", "000229+1235", false},
		{"leap day 2004", "040229-1231", true},
		{"no 29 Feb 2003", "030229-1232", false},
		{"samordningsnummer day 63", "701063-2391", true},
		{"samordningsnummer 12 digits", "19701063-2391", true},
		{"samordningsnummer 1 Jan", "700161-2345", true},
		{"day 32 does not exist", "700132-2345", false},
		{"month 13 does not exist", "701301-2345", false},
		{"12 digits in 1700s", "17811218-9876", false},
		{"embedded in text", "Ring Åsa, pnr:811218-9876, tack", true},
		{"glued to letters", "abc811218-9876xyz", true},
		{"after a phone number", "070 123 45 67 811218-9876", true},
		{"VAT number of a sole trader", "SE811218987601", true},
		{"VAT number with spaces", "SE 8112189876 01", true},
		{"VAT number of a company", "SE556016068001", false},
		{"organisation number", "556016-0680", false},
		{"municipality", "212000-1421", false},
		{"mobile number, national", "0701234567", false},
		{"mobile number, international", "+46 70 123 45 69", false},
		{"13-digit run", "1811218-98761", false},
		{"11-digit run", "811218-98761", false},
		{"fullwidth digits and hyphen", "８１１２１８－９８７６", true},
		{"Arabic-Indic digits", "٨١١٢١٨-٩٨٧٦", true},
		{"en dash", "811218–9876", true},
		{"zero-width space", "811218\u200b9876", true},
		{"no-break space", "811218\u00a09876", true},
		// Broke: "/", "." and "_" hid the number.
		{"slash", "811218/9876", true},
		{"dots", "81.12.18.9876", true},
		{"dot before the number", "811218.9876", true},
		{"underscore", "811218_9876", true},
		{"fullwidth slash", "811218\uff0f9876", true},
		{"an IP address is no number", "192.168.100.101", false},
		{"written as a decimal, still a number", "8112.189876", true},
		{"empty", "", false},
		{"plain text", "Storgatan 1, 411 01 Göteborg", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, pii.ContainsPersonalNumber(tc.in), "%q", tc.in)
		})
	}
}

// A national-format mobile number that happens to pass the date and Luhn
// checks is refused: the documented trade-off. Written internationally it
// passes.
func TestPhoneNumberTradeOff(t *testing.T) {
	national := "070-123 45 69" // 2007-01-23, Luhn valid
	require.True(t, pii.ContainsPersonalNumber(national))
	assert.False(t, pii.ContainsPersonalNumber("+46 70 123 45 69"))
	assert.False(t, pii.ContainsPersonalNumber("+46701234569"))
}

// Every valid personnummer and samordningsnummer, in every written form, is
// found, and the same with a wrong check digit is not.
func TestContainsPersonalNumberGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		born := time.Date(1900+rng.IntN(125), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(365))
		y, m, d := born.Date()
		coord := rng.IntN(4) == 0
		serial := rng.IntN(1000)
		ten := pnr(y, m, d, serial, coord, "-")
		forms := []string{ten, strings.ReplaceAll(ten, "-", ""), fmt.Sprintf("%d%s", y/100, ten),
			"Kund " + ten + ".", ten[:2] + " " + ten[2:4] + " " + ten[4:]}
		for _, f := range forms {
			require.True(t, pii.ContainsPersonalNumber(f), "%q (born %s)", f, born.Format(time.DateOnly))
		}
		require.False(t, pii.ContainsPersonalNumber(wrongCheck(ten)), "%q", wrongCheck(ten))
	}
}

func BenchmarkContainsPersonalNumber(b *testing.B) {
	text := strings.Repeat("Storgatan 12, 411 01 Göteborg, ref PO-4711 070 123 45 67 ", 8)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if pii.ContainsPersonalNumber(text) {
			b.Fatal("false positive")
		}
	}
}

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
		found := pii.ContainsPersonalNumber(s)
		if found {
			assert.True(t, pii.ContainsPersonalNumber("Kund: "+s+". Tack!"), "embedding must not hide a number")
		}
		if err := pii.ValidateOrgNumber(s); err == nil {
			assert.False(t, found, "an accepted organisation number is never a personal identity number")
		}
	})
}

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
			assert.Equal(t, tt.want, pii.ContainsPersonalNumber(tt.in), "%q", tt.in)
		})
	}
}

// The fullwidth and small plus signs are typography for "+" like the
// fullwidth hyphen is for "-": they do not hide a number.
func TestContainsPersonalNumberTypographicPlus(t *testing.T) {
	for _, s := range []string{"121212\uff0b1212", "１２１２１２＋１２１２", "811218\ufe629876"} {
		assert.True(t, pii.ContainsPersonalNumber(s), "%q", s)
	}
	assert.False(t, pii.ContainsPersonalNumber("000229\uff0b1235"), "+ still means 100 or older")
}

func TestSplitPersonalNumber(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    []string
		i, j  int
		found bool
	}{
		{"date ends one, digits start another", []string{"Åsa 811218-", "9876"}, 0, 1, true},
		{"12-digit date", []string{"x", "9876 Göteborg", "Åsa 19811218"}, 2, 1, true},
		{"plus written after the date", []string{"121212+", "1212"}, 0, 1, true},
		{"wrong check digit", []string{"811218-", "9877"}, 0, 0, false},
		{"one string alone is not split", []string{"811218-9876"}, 0, 0, false},
		{"unrelated digits", []string{"PO 4711", "411 01"}, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i, j, found := pii.SplitPersonalNumber(tc.in)
			assert.Equal(t, tc.found, found)
			if tc.found {
				assert.Equal(t, [2]int{tc.i, tc.j}, [2]int{i, j})
			}
		})
	}
}
