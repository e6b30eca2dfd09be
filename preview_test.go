package advox_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/internal/errs/errstest"
	"github.com/azenna/advox/transport"
)

// partUnits measures a part independently of the implementation: septets
// from gsm7.Len, UTF-16 units from utf16.Encode.
func partUnits(t *testing.T, enc transport.Encoding, p string) int {
	t.Helper()
	if enc == transport.GSM7 {
		n := gsm7.Len(p)
		require.GreaterOrEqual(t, n, 0, "GSM-7 part has unencodable characters")
		return n
	}
	return len(utf16.Encode([]rune(p)))
}

// checkSegmentation asserts the invariants every successful advox.Preview keeps.
func checkSegmentation(t *testing.T, text string, opts *advox.SegmentOptions, seg advox.Segmentation) {
	t.Helper()
	assert.Equal(t, text, strings.Join(seg.Parts, ""), "parts do not join to the text")
	assert.Equal(t, len(seg.Parts), seg.Segments())
	concat16 := opts != nil && opts.Concat == transport.Concat16
	limit := map[transport.Encoding]int{transport.GSM7: 160, transport.UCS2: 70}[seg.Encoding]
	if len(seg.Parts) > 1 {
		limit = map[bool]map[transport.Encoding]int{
			false: {transport.GSM7: 153, transport.UCS2: 67},
			true:  {transport.GSM7: 152, transport.UCS2: 66},
		}[concat16][seg.Encoding]
	}
	total := 0
	for i, p := range seg.Parts {
		assert.True(t, utf8.ValidString(p), "part %d is not valid UTF-8", i)
		assert.NotEmpty(t, p, "part %d is empty", i)
		u := partUnits(t, seg.Encoding, p)
		assert.LessOrEqual(t, u, limit, "part %d over the limit", i)
		total += u
	}
	assert.Equal(t, total, seg.Units)
}

func TestPreview(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	zh := func(n int) string { return strings.Repeat("ж", n) } // not GSM-7, one UTF-16 unit
	tests := []struct {
		name      string
		text      string
		opts      *advox.SegmentOptions
		enc       transport.Encoding
		units     int
		partUnits []int
	}{
		{"gsm7 one char", "a", nil, transport.GSM7, 1, []int{1}},
		{"gsm7 160", a(160), nil, transport.GSM7, 160, []int{160}},
		{"gsm7 161", a(161), nil, transport.GSM7, 161, []int{153, 8}},
		{"gsm7 306", a(306), nil, transport.GSM7, 306, []int{153, 153}},
		{"gsm7 307", a(307), nil, transport.GSM7, 307, []int{153, 153, 1}},
		{"gsm7 national letters", strings.Repeat("åäö", 50), nil, transport.GSM7, 150, []int{150}},
		{"extension chars count two", strings.Repeat("€", 80), nil, transport.GSM7, 160, []int{160}},
		{"extension chars over one part", strings.Repeat("€", 81), nil, transport.GSM7, 162, []int{152, 10}},
		{"escape pair on the boundary moves whole", a(152) + "€" + a(10), nil, transport.GSM7, 164, []int{152, 12}},
		{"escape pair just fits", a(151) + "{" + a(10), nil, transport.GSM7, 163, []int{153, 10}},
		{"form feed is an extension char", a(159) + "\f", nil, transport.GSM7, 161, []int{153, 8}},
		{"ucs2 70", zh(70), nil, transport.UCS2, 70, []int{70}},
		{"ucs2 71", zh(71), nil, transport.UCS2, 71, []int{67, 4}},
		{"ucs2 134", zh(134), nil, transport.UCS2, 134, []int{67, 67}},
		{"ucs2 135", zh(135), nil, transport.UCS2, 135, []int{67, 67, 1}},
		{"one non-GSM char makes it ucs2", a(69) + "ç", nil, transport.UCS2, 70, []int{70}},
		{"emoji counts two", strings.Repeat("😀", 35), nil, transport.UCS2, 70, []int{70}},
		{"surrogate pair straddling 67 moves whole", zh(66) + "😀" + zh(10), nil, transport.UCS2, 78, []int{66, 12}},
		{"surrogate pair just fits", zh(65) + "😀" + zh(10), nil, transport.UCS2, 77, []int{67, 10}},
		{"concat16 gsm7 161", a(161), &advox.SegmentOptions{Concat: transport.Concat16}, transport.GSM7, 161, []int{152, 9}},
		{"concat16 gsm7 304", a(304), &advox.SegmentOptions{Concat: transport.Concat16}, transport.GSM7, 304, []int{152, 152}},
		{"concat16 gsm7 305", a(305), &advox.SegmentOptions{Concat: transport.Concat16}, transport.GSM7, 305, []int{152, 152, 1}},
		{"concat16 escape on boundary", a(151) + "€", &advox.SegmentOptions{Concat: transport.Concat16}, transport.GSM7, 153, []int{153}},
		{"concat16 ucs2 132", zh(132), &advox.SegmentOptions{Concat: transport.Concat16}, transport.UCS2, 132, []int{66, 66}},
		{"concat16 ucs2 133", zh(133), &advox.SegmentOptions{Concat: transport.Concat16}, transport.UCS2, 133, []int{66, 66, 1}},
		{"concat16 surrogate on boundary", zh(65) + "😀" + zh(5), &advox.SegmentOptions{Concat: transport.Concat16}, transport.UCS2, 72, []int{65, 7}},
		{"force ucs2", "hello", &advox.SegmentOptions{ForceUCS2: true}, transport.UCS2, 5, []int{5}},
		{"force ucs2 counts units", a(71), &advox.SegmentOptions{ForceUCS2: true}, transport.UCS2, 71, []int{67, 4}},
		{"force ucs2 extension char is one unit", strings.Repeat("€", 70), &advox.SegmentOptions{ForceUCS2: true}, transport.UCS2, 70, []int{70}},
		{"max segments exactly reached", a(153 * 3), &advox.SegmentOptions{MaxSegments: 3}, transport.GSM7, 459, []int{153, 153, 153}},
		{"default max segments exactly reached", a(1530), nil, transport.GSM7, 1530, []int{153, 153, 153, 153, 153, 153, 153, 153, 153, 153}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := advox.Preview(tt.text, tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.enc, seg.Encoding)
			assert.Equal(t, tt.units, seg.Units)
			got := make([]int, len(seg.Parts))
			for i, p := range seg.Parts {
				got[i] = partUnits(t, seg.Encoding, p)
			}
			assert.Equal(t, tt.partUnits, got)
			assert.Equal(t, len(tt.partUnits), seg.Segments())
			checkSegmentation(t, tt.text, tt.opts, seg)
		})
	}
}

func TestPreviewBoundaryPartsStartWithTheMovedChar(t *testing.T) {
	seg, err := advox.Preview(strings.Repeat("a", 152)+"€b", nil)
	require.NoError(t, err)
	require.Len(t, seg.Parts, 1, "154 septets fit one SMS")

	text := strings.Repeat("a", 152) + "€" + strings.Repeat("b", 10)
	seg, err = advox.Preview(text, nil)
	require.NoError(t, err)
	require.Len(t, seg.Parts, 2)
	assert.Equal(t, strings.Repeat("a", 152), seg.Parts[0])
	assert.True(t, strings.HasPrefix(seg.Parts[1], "€"))

	text = strings.Repeat("ж", 66) + "😀" + strings.Repeat("ж", 10)
	seg, err = advox.Preview(text, nil)
	require.NoError(t, err)
	require.Len(t, seg.Parts, 2)
	assert.True(t, strings.HasPrefix(seg.Parts[1], "😀"))
}

func TestPreviewRefuses(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		opts   *advox.SegmentOptions
		field  string
		reason string
	}{
		{"empty text", "", nil, "text", "empty"},
		{"invalid utf-8", "abc\xff", nil, "text", "not valid UTF-8"},
		{"lone surrogate bytes", "\xed\xa0\x80", nil, "text", "not valid UTF-8"},
		{"default max segments exceeded", strings.Repeat("a", 1531), nil, "text", "needs 11 segments, maximum is 10"},
		{"max segments exceeded", strings.Repeat("a", 307), &advox.SegmentOptions{MaxSegments: 2}, "text", "needs 3 segments, maximum is 2"},
		{"max segments ucs2", strings.Repeat("ж", 135), &advox.SegmentOptions{MaxSegments: 2}, "text", "needs 3 segments, maximum is 2"},
		{"bad concat", "hi", &advox.SegmentOptions{Concat: 7}, "concat", "must be 8 or 16"},
		{"negative max segments", "hi", &advox.SegmentOptions{MaxSegments: -1}, "max segments", "must be between 1 and 255"},
		{"max segments over 255", "hi", &advox.SegmentOptions{MaxSegments: 256}, "max segments", "must be between 1 and 255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := advox.Preview(tt.text, tt.opts)
			fe := errstest.RequireField(t, err, tt.field)
			assert.Equal(t, tt.reason, fe.Reason)
			assert.Zero(t, seg.Segments())
			assert.Equal(t, "advox: preview: invalid argument: "+tt.field+": "+tt.reason, err.Error())
		})
	}
}

func TestPreviewErrorNeverHoldsText(t *testing.T) {
	secret := strings.Repeat("hemlig kod 4711 ", 200)
	_, err := advox.Preview(secret, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hemlig")
	assert.NotContains(t, err.Error(), "4711")
}

// ---- Numbers ----

func BenchmarkPreview(b *testing.B) {
	for _, bc := range []struct{ name, text string }{
		{"gsm7-1part", strings.Repeat("Hej då! ", 20)},
		{"gsm7-4parts", strings.Repeat("Pris 10€ ", 60)},
		{"ucs2-3parts", strings.Repeat("Привет 😀 ", 20)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := advox.Preview(bc.text, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func FuzzPreview(f *testing.F) {
	for _, s := range []string{
		"a", "Hej! Din kod är 4711.", strings.Repeat("a", 161), strings.Repeat("a", 152) + "€b",
		strings.Repeat("ж", 66) + "😀ж", strings.Repeat("€", 81), "\f^{}\\[~]|€", "😀", "abc\xff", "",
	} {
		f.Add(s, false, uint8(0), uint8(0))
		f.Add(s, true, uint8(16), uint8(3))
	}
	f.Fuzz(func(t *testing.T, text string, force bool, concat, maxSegments uint8) {
		opts := &advox.SegmentOptions{ForceUCS2: force, MaxSegments: int(maxSegments)}
		if concat%2 == 1 {
			opts.Concat = transport.Concat16
		}
		seg, err := advox.Preview(text, opts)
		if err != nil {
			errstest.RequireField(t, err, "text")
			return
		}
		require.Equal(t, text, strings.Join(seg.Parts, ""))
		require.Equal(t, len(seg.Parts), seg.Segments())
		max := int(maxSegments)
		if max == 0 {
			max = advox.DefaultMaxSegments
		}
		require.LessOrEqual(t, seg.Segments(), max)
		if force {
			require.Equal(t, transport.UCS2, seg.Encoding)
		}
		checkSegmentation(t, text, opts, seg)
	})
}

// advox.Preview shows what a text costs before it is sent: the encoding the
// Client will choose and the parts it will send.
func ExamplePreview() {
	seg, err := advox.Preview("Your code is 4711. Pris: 10€", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(seg.Encoding, seg.Segments(), "part(s),", seg.Units, "septets")

	// One character outside GSM-7 switches the whole text to UCS-2, where
	// a part holds 67 UTF-16 units instead of 153 septets.
	seg, _ = advox.Preview(strings.Repeat("Hej 👋 ", 15), nil)
	fmt.Println(seg.Encoding, seg.Segments(), "part(s),", seg.Units, "units")

	_, err = advox.Preview(strings.Repeat("a", 2000), nil)
	fmt.Println(err)
	// Output:
	// gsm7 1 part(s), 29 septets
	// ucs2 2 part(s), 105 units
	// advox: preview: invalid argument: text: needs 14 segments, maximum is 10
}
