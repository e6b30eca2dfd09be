package sqlstore

import (
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStringListCodec(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []string
		text string
	}{
		{"nil", nil, "[]"},
		{"empty", []string{}, "[]"},
		{"lines", []string{"Box 123", "c/o Åsa \"Ö\""}, `["Box 123","c/o Åsa \"Ö\""]`},
		{"empty string kept", []string{""}, `[""]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := encodeStrings(tc.in)
			assert.Equal(t, tc.text, text)
			out, err := decodeStrings(text)
			require.NoError(t, err)
			if len(tc.in) == 0 {
				assert.Nil(t, out)
			} else {
				assert.Equal(t, tc.in, out)
			}
		})
	}
	for _, bad := range []string{"", "{", `"x"`, "[1]", `["a",]`} {
		_, err := decodeStrings(bad)
		assert.ErrorIs(t, err, errBadList, "%q", bad)
	}
}

func TestPrefixCodec(t *testing.T) {
	for _, p := range []netip.Prefix{
		{},
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("192.0.2.7/24"), // host bits kept, as given
		netip.MustParsePrefix("2001:db8::/48"),
		netip.MustParsePrefix("::ffff:198.51.100.1/128"),
	} {
		got, err := decodePrefix(encodePrefix(p))
		require.NoError(t, err, p)
		assert.Equal(t, p, got)
	}
	_, err := decodePrefix("10.0.0.0/33")
	assert.ErrorIs(t, err, errBadPrefix)
	assert.NotContains(t, err.Error(), "10.0.0.0")
}

// FuzzStoredAccountText decodes stored text as the account store reads it
// back from a database anyone with access could have edited: it never
// panics, errors never quote the input, and what decodes re-encodes to
// something that decodes the same.
func FuzzStoredAccountText(f *testing.F) {
	for _, s := range []string{"[]", `["PO 4711","Cost centre 12"]`, "null", "{", `[""]`,
		"192.0.2.0/24", "2001:db8::/48", "", "::ffff:1.2.3.4/120", "1.2.3.4/99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if list, err := decodeStrings(s); err == nil {
			again, err := decodeStrings(encodeStrings(list))
			require.NoError(t, err)
			assert.Equal(t, list, again)
		} else if len(s) > 8 {
			assert.NotContains(t, err.Error(), s)
		}
		if p, err := decodePrefix(s); err == nil {
			again, err := decodePrefix(encodePrefix(p))
			require.NoError(t, err)
			assert.Equal(t, p, again)
		} else if len(s) > 8 {
			assert.NotContains(t, err.Error(), s)
		}
	})
}

// FuzzStringListRoundTrip: any list of valid UTF-8 strings (the only text
// PostgreSQL stores) survives encodeStrings and decodeStrings exactly.
func FuzzStringListRoundTrip(f *testing.F) {
	f.Add("PO 4711\x00Cost centre 12")
	f.Add("")
	f.Add("\x00")
	f.Add("Åsa \"Ö\" <b>&\\u2028\u2028")
	f.Fuzz(func(t *testing.T, joined string) {
		if !utf8.ValidString(joined) {
			t.Skip("not UTF-8")
		}
		in := strings.Split(joined, "\x00")
		out, err := decodeStrings(encodeStrings(in))
		require.NoError(t, err)
		assert.Equal(t, in, out)
	})
}
