package advox

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
)

func FuzzPreview(f *testing.F) {
	for _, s := range []string{
		"a", "Hej! Din kod är 4711.", strings.Repeat("a", 161), strings.Repeat("a", 152) + "€b",
		strings.Repeat("ж", 66) + "😀ж", strings.Repeat("€", 81), "\f^{}\\[~]|€", "😀", "abc\xff", "",
	} {
		f.Add(s, false, uint8(0), uint8(0))
		f.Add(s, true, uint8(16), uint8(3))
	}
	f.Fuzz(func(t *testing.T, text string, force bool, concat, maxSegments uint8) {
		opts := &SegmentOptions{ForceUCS2: force, MaxSegments: int(maxSegments)}
		if concat%2 == 1 {
			opts.Concat = transport.Concat16
		}
		seg, err := Preview(text, opts)
		if err != nil {
			requireFieldError(t, err, "text")
			return
		}
		require.Equal(t, text, strings.Join(seg.Parts, ""))
		require.Equal(t, len(seg.Parts), seg.Segments())
		max := int(maxSegments)
		if max == 0 {
			max = DefaultMaxSegments
		}
		require.LessOrEqual(t, seg.Segments(), max)
		if force {
			require.Equal(t, transport.UCS2, seg.Encoding)
		}
		checkSegmentation(t, text, opts, seg)
	})
}

var e164Shape = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

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
			requireFieldError(t, err, map[bool]string{true: "region", false: "number"}[strings.Contains(err.Error(), "region:")])
			if countDigits(s) >= 6 {
				require.NotContains(t, err.Error(), s)
				require.NotContains(t, err.Error(), keepDigits(s))
			}
		}
		m := MaskNumber(s)
		require.LessOrEqual(t, countDigits(m), 3+4, "mask keeps too much")
		require.NotRegexp(t, `[0-9]{6}`, m, "mask shows a long run of digits")
	})
}

func FuzzParseSender(f *testing.F) {
	for _, s := range []string{"Advox", "Shop 24", "12345", "46701234567", "+46 70-123 45 67", "+123", "Pay€", " x", "Ad\xffvox"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSender(s)
		if err != nil {
			requireFieldError(t, err, "from")
			require.Zero(t, got)
			return
		}
		switch got.Kind {
		case transport.SenderInternational:
			require.Regexp(t, e164Shape, got.Value)
		case transport.SenderShortCode:
			require.Regexp(t, `^[0-9]{3,8}$`, got.Value)
		case transport.SenderAlphanumeric:
			require.Equal(t, s, got.Value)
			require.LessOrEqual(t, len([]rune(s)), 11)
		default:
			t.Fatalf("unknown kind %q", got.Kind)
		}
	})
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
