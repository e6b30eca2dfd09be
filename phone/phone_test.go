package phone

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/internal/errs/errstest"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in, region, want string
	}{
		{"070-123 45 67", "SE", "+46701234567"},
		{"0701234567", "SE", "+46701234567"},
		{"070 123 45 67", "se", "+46701234567"},
		{"(070) 123-45-67", "SE", "+46701234567"},
		{"  070.123.45.67  ", "SE", "+46701234567"},
		{"070/123 45 67", "SE", "+46701234567"},
		{"+46 70 123 45 67", "", "+46701234567"},
		{"+46 (0)70-123 45 67", "", "+46701234567"},
		{"+46701234567", "SE", "+46701234567"},
		{"+46701234567", "US", "+46701234567"},
		{"0046 70 123 45 67", "SE", "+46701234567"},
		{"+44 7911 123456", "", "+447911123456"},
		{"07911 123456", "GB", "+447911123456"},
		{"+1 (202) 555-0123", "", "+12025550123"},
		{"202.555.0123", "US", "+12025550123"},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.region, func(t *testing.T) {
			n, err := ParseNumber(tt.in, tt.region)
			require.NoError(t, err)
			assert.Equal(t, Number(tt.want), n)
			assert.Equal(t, tt.want, n.String())
		})
	}
}

// longDigitRun finds runs of three or more digits: no error may carry one.
var longDigitRun = regexp.MustCompile(`[0-9]{3,}`)

func TestParseNumberRefuses(t *testing.T) {
	tests := []struct {
		name, in, region, field, reason string
	}{
		{"empty", "", "SE", "number", "empty"},
		{"blank", "   ", "SE", "number", "empty"},
		{"too long", strings.Repeat("1", 65), "SE", "number", "too long"},
		{"letters", "070-CALL-ME", "SE", "number", "not a number: only digits, a leading '+' and separators are allowed"},
		{"extension", "+46 70 123 45 67 ext 12", "", "number", "not a number: only digits, a leading '+' and separators are allowed"},
		{"non-ASCII digits", "+４６７０１２３４５６７", "", "number", "not a number: only digits, a leading '+' and separators are allowed"},
		{"plus inside", "46+701234567", "SE", "number", "not a number: only digits, a leading '+' and separators are allowed"},
		{"no digits", "+ ()", "", "number", "not a phone number"},
		{"national without region", "070 123 45 67", "", "number", "not in international form (+…)"},
		{"unknown region", "070 123 45 67", "XX", "region", "unknown region code"},
		{"too short", "12", "SE", "number", "not a possible number"},
		{"too short to be possible", "+46 70 12", "", "number", "not a possible number"},
		{"invalid Swedish", "+4670123456", "", "number", "not a valid number"},
		{"invalid UK drama number", "+447700900123", "", "number", "not a valid number"},
		{"unknown country code", "+999 123 456 789", "", "number", "not a phone number"},
		{"Swedish fixed line", "08-123 456 78", "SE", "number", "not a mobile number"},
		{"Swedish toll free", "+46 20 123 456", "", "number", "not a mobile number"},
		{"Swedish premium rate", "+46 900 123 456", "", "number", "not a mobile number"},
		{"UK personal number", "+44 70 1234 5678", "", "number", "not a mobile number"},
		{"UK fixed line", "+44 20 7946 0958", "", "number", "not a mobile number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNumber(tt.in, tt.region)
			assert.Empty(t, n)
			fe := errstest.RequireField(t, err, tt.field)
			assert.Equal(t, tt.reason, fe.Reason)
			var e *errs.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, "parse number", e.Op)
			assert.False(t, longDigitRun.MatchString(err.Error()), "error carries digits: %q", err.Error())
		})
	}
}

// Regression: a "+" and a national number ("+046…") was passed on as a
// "+0…" number. No country calling code starts with 0: a "+" followed by the national
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
			errstest.RequireField(t, err, "number")
			n, err = ValidateRecipient("to", in, "SE")
			assert.Empty(t, n)
			errstest.RequireField(t, err, "to")
		})
	}
}

func TestValidateRecipientNamesTheField(t *testing.T) {
	_, err := ValidateRecipient("to", "08-123 456 78", "SE")
	errstest.RequireField(t, err, "to")
	assert.Equal(t, "advox: parse number: invalid argument: to: not a mobile number", err.Error())

	n, err := ValidateRecipient("to", "070-123 45 67", "SE")
	require.NoError(t, err)
	assert.Equal(t, Number("+46701234567"), n)
}

func BenchmarkParseNumber(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseNumber("070-123 45 67", "SE"); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range [][2]string{
		{"070-123 45 67", "SE"}, {"+46 (0)70-123 45 67", ""}, {"0046701234567", "SE"},
		{"+44 7911 123456", ""}, {"(202) 555-0123", "US"}, {"08-123 456 78", "SE"},
		{"+999123456789", ""}, {"070-CALL-ME", "SE"}, {"++46", ""}, {"", "XX"},
		{"+1234567890123456789", "se"}, {"0701234567", "zz"}, {"+046701234567", ""}, {"+012025550123", "US"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		n, err := ParseNumber(s, region)
		if err == nil {
			require.Regexp(t, e164Shape, n.String())
		} else {
			errstest.RequireField(t, err, map[bool]string{true: "region", false: "number"}[strings.Contains(err.Error(), "region:")])
			if countDigits(s) >= 6 {
				require.NotContains(t, err.Error(), s)
				require.NotContains(t, err.Error(), keepDigits(s))
			}
		}
		m := Mask(s)
		require.LessOrEqual(t, countDigits(m), 3+4, "mask keeps too much")
		require.NotRegexp(t, `[0-9]{6}`, m, "mask shows a long run of digits")
	})
}

var e164Shape = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

func TestNormalise(t *testing.T) {
	tests := []struct {
		in, region, want string
	}{
		{"08-123 456 78", "SE", "+46812345678"},     // a landline: any valid type
		{"070-123 45 67", "SE", "+46701234567"},     // a mobile
		{"+44 20 7946 0958", "SE", "+442079460958"}, // international input ignores the region
		{"0046 8 123 456 78", "SE", "+46812345678"}, // "00" international prefix
		{"08-123 456 78", "", ""},                   // national without a region
		{"12", "SE", ""},                            // not a valid number
		{"070 ring mig", "SE", "+46707464644"},      // letters read off a keypad, as phonenumbers does
		{"no number", "SE", ""},
		{strings.Repeat("1", maxInput+1), "SE", ""}, // overlong, refused before parsing
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Normalise(tt.in, tt.region)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want != "", ok)
		})
	}
}
