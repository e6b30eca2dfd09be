package advox

import (
	"bytes"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
)

// requireFieldError checks that err is an invalid-argument *Error whose
// *FieldError names field, and returns the FieldError.
func requireFieldError(t *testing.T, err error, field string) *FieldError {
	t.Helper()
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrInvalidArgument), "not ErrInvalidArgument: %v", err)
	assert.Equal(t, CodeInvalidArgument, CodeOf(err))
	var fe *FieldError
	require.True(t, errors.As(err, &fe), "no *FieldError in %v", err)
	assert.Equal(t, field, fe.Field)
	return fe
}

// ---- Segmentation ----

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

// checkSegmentation asserts the invariants every successful Preview keeps.
func checkSegmentation(t *testing.T, text string, opts *SegmentOptions, seg Segmentation) {
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
		opts      *SegmentOptions
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
		{"concat16 gsm7 161", a(161), &SegmentOptions{Concat: transport.Concat16}, transport.GSM7, 161, []int{152, 9}},
		{"concat16 gsm7 304", a(304), &SegmentOptions{Concat: transport.Concat16}, transport.GSM7, 304, []int{152, 152}},
		{"concat16 gsm7 305", a(305), &SegmentOptions{Concat: transport.Concat16}, transport.GSM7, 305, []int{152, 152, 1}},
		{"concat16 escape on boundary", a(151) + "€", &SegmentOptions{Concat: transport.Concat16}, transport.GSM7, 153, []int{153}},
		{"concat16 ucs2 132", zh(132), &SegmentOptions{Concat: transport.Concat16}, transport.UCS2, 132, []int{66, 66}},
		{"concat16 ucs2 133", zh(133), &SegmentOptions{Concat: transport.Concat16}, transport.UCS2, 133, []int{66, 66, 1}},
		{"concat16 surrogate on boundary", zh(65) + "😀" + zh(5), &SegmentOptions{Concat: transport.Concat16}, transport.UCS2, 72, []int{65, 7}},
		{"force ucs2", "hello", &SegmentOptions{ForceUCS2: true}, transport.UCS2, 5, []int{5}},
		{"force ucs2 counts units", a(71), &SegmentOptions{ForceUCS2: true}, transport.UCS2, 71, []int{67, 4}},
		{"force ucs2 extension char is one unit", strings.Repeat("€", 70), &SegmentOptions{ForceUCS2: true}, transport.UCS2, 70, []int{70}},
		{"max segments exactly reached", a(153 * 3), &SegmentOptions{MaxSegments: 3}, transport.GSM7, 459, []int{153, 153, 153}},
		{"default max segments exactly reached", a(1530), nil, transport.GSM7, 1530, []int{153, 153, 153, 153, 153, 153, 153, 153, 153, 153}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := Preview(tt.text, tt.opts)
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
	seg, err := Preview(strings.Repeat("a", 152)+"€b", nil)
	require.NoError(t, err)
	require.Len(t, seg.Parts, 1, "154 septets fit one SMS")

	text := strings.Repeat("a", 152) + "€" + strings.Repeat("b", 10)
	seg, err = Preview(text, nil)
	require.NoError(t, err)
	require.Len(t, seg.Parts, 2)
	assert.Equal(t, strings.Repeat("a", 152), seg.Parts[0])
	assert.True(t, strings.HasPrefix(seg.Parts[1], "€"))

	text = strings.Repeat("ж", 66) + "😀" + strings.Repeat("ж", 10)
	seg, err = Preview(text, nil)
	require.NoError(t, err)
	require.Len(t, seg.Parts, 2)
	assert.True(t, strings.HasPrefix(seg.Parts[1], "😀"))
}

func TestPreviewRefuses(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		opts   *SegmentOptions
		field  string
		reason string
	}{
		{"empty text", "", nil, "text", "empty"},
		{"invalid utf-8", "abc\xff", nil, "text", "not valid UTF-8"},
		{"lone surrogate bytes", "\xed\xa0\x80", nil, "text", "not valid UTF-8"},
		{"default max segments exceeded", strings.Repeat("a", 1531), nil, "text", "needs 11 segments, maximum is 10"},
		{"max segments exceeded", strings.Repeat("a", 307), &SegmentOptions{MaxSegments: 2}, "text", "needs 3 segments, maximum is 2"},
		{"max segments ucs2", strings.Repeat("ж", 135), &SegmentOptions{MaxSegments: 2}, "text", "needs 3 segments, maximum is 2"},
		{"bad concat", "hi", &SegmentOptions{Concat: 7}, "concat", "must be 8 or 16"},
		{"negative max segments", "hi", &SegmentOptions{MaxSegments: -1}, "max segments", "must be between 1 and 255"},
		{"max segments over 255", "hi", &SegmentOptions{MaxSegments: 256}, "max segments", "must be between 1 and 255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := Preview(tt.text, tt.opts)
			fe := requireFieldError(t, err, tt.field)
			assert.Equal(t, tt.reason, fe.Reason)
			assert.Zero(t, seg.Segments())
			assert.Equal(t, "advox: preview: invalid argument: "+tt.field+": "+tt.reason, err.Error())
		})
	}
}

func TestPreviewErrorNeverHoldsText(t *testing.T) {
	secret := strings.Repeat("hemlig kod 4711 ", 200)
	_, err := Preview(secret, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hemlig")
	assert.NotContains(t, err.Error(), "4711")
}

// ---- Numbers ----

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
			fe := requireFieldError(t, err, tt.field)
			assert.Equal(t, tt.reason, fe.Reason)
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, "parse number", e.Op)
			assert.False(t, longDigitRun.MatchString(err.Error()), "error carries digits: %q", err.Error())
		})
	}
}

func TestValidateRecipientNamesTheField(t *testing.T) {
	_, err := ValidateRecipient("to", "08-123 456 78", "SE")
	requireFieldError(t, err, "to")
	assert.Equal(t, "advox: parse number: invalid argument: to: not a mobile number", err.Error())

	n, err := ValidateRecipient("to", "070-123 45 67", "SE")
	require.NoError(t, err)
	assert.Equal(t, Number("+46701234567"), n)
}

func TestMaskNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+46701234567", "+4670*****67"},
		{"+447911123456", "+4479******56"},
		{"+12025550123", "+120******23"},
		{"+35312345678", "+35312****78"},
		{" +46 70-123 45 67 ", "+4670*****67"},
		{"070-123 45 67", "07******67"},
		{"+4612345", "+4612***"},
		{"+461234567", "+4612****7"},
		{"+9991234567", "+99******67"}, // unknown country code: no code kept
		{"1234", "1***"},
		{"123", "***"},
		{"12", "**"},
		{"", "***"},
		{"+", "***"},
		{"hello", "***"},
		{"070 ring mig", "***"},
		{"+46701234567\x00", "***"},
		{"\xff\xfe", "***"},
		{strings.Repeat("1", 65), "***"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, MaskNumber(tt.in))
		})
	}
}

func TestMaskNeverRevealsMuch(t *testing.T) {
	for _, s := range []string{
		"+46701234567", "+447911123456", "+12025550123", "+35312345678", "+4612345",
		"+461", "+46", "+1", "1", "123456789012345", "+123456789012345", "0701234567",
	} {
		m := MaskNumber(s)
		in, kept, hidden := countDigits(s), countDigits(m), strings.Count(m, "*")
		assert.Equal(t, in, kept+hidden, "%q: every digit is kept or masked: %q", s, m)
		assert.LessOrEqual(t, kept, 3+4, "%q keeps too much: %q", s, m)
		assert.GreaterOrEqual(t, hidden, min(3, in-3), "%q hides too little: %q", s, m)
	}
}

// countDigits counts the ASCII digits of s.
func countDigits(s string) int { return len(keepDigits(s)) }

func TestNumberMaskedAndLogValue(t *testing.T) {
	n, err := ParseNumber("070-123 45 67", "SE")
	require.NoError(t, err)
	assert.Equal(t, "+4670*****67", n.Masked())
	assert.Equal(t, MaskNumber(n.String()), n.Masked())
	assert.Equal(t, slog.KindString, n.LogValue().Kind())

	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("sent", "to", n)
	assert.Contains(t, buf.String(), "to=+4670*****67")
	assert.NotContains(t, buf.String(), "+46701234567")
}

// ---- Sender ids ----

func TestParseSender(t *testing.T) {
	tests := []struct {
		in   string
		want transport.Sender
	}{
		{"Advox", transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric}},
		{"A", transport.Sender{Value: "A", Kind: transport.SenderAlphanumeric}},
		{"ABCDEFGHIJK", transport.Sender{Value: "ABCDEFGHIJK", Kind: transport.SenderAlphanumeric}},
		{"Shop 24", transport.Sender{Value: "Shop 24", Kind: transport.SenderAlphanumeric}},
		{"Gröna-Äpple", transport.Sender{Value: "Gröna-Äpple", Kind: transport.SenderAlphanumeric}},
		{"Café&Co", transport.Sender{Value: "Café&Co", Kind: transport.SenderAlphanumeric}},
		{"1a", transport.Sender{Value: "1a", Kind: transport.SenderAlphanumeric}},
		{"123", transport.Sender{Value: "123", Kind: transport.SenderShortCode}},
		{"71234", transport.Sender{Value: "71234", Kind: transport.SenderShortCode}},
		{"12345678", transport.Sender{Value: "12345678", Kind: transport.SenderShortCode}},
		{"+46701234567", transport.Sender{Value: "+46701234567", Kind: transport.SenderInternational}},
		{"+46812345678", transport.Sender{Value: "+46812345678", Kind: transport.SenderInternational}},
		{"+123456789012345", transport.Sender{Value: "+123456789012345", Kind: transport.SenderInternational}},
		{"+46 70-123 45 67", transport.Sender{Value: "+46701234567", Kind: transport.SenderInternational}},
		{"46701234567", transport.Sender{Value: "+46701234567", Kind: transport.SenderInternational}},
		{"447911123456", transport.Sender{Value: "+447911123456", Kind: transport.SenderInternational}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSender(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseSenderRefuses(t *testing.T) {
	tests := []struct{ name, in, reason string }{
		{"empty", "", "empty"},
		{"too long input", strings.Repeat("A", 65), "too long"},
		{"twelve characters", "ABCDEFGHIJKL", "longer than 11 characters"},
		{"two digits", "12", "too short for a short code"},
		{"nine digits not a number", "123456789", "not a valid international number"},
		{"leading space", " Advox", "starts or ends with a space"},
		{"trailing space", "Advox ", "starts or ends with a space"},
		{"line break", "Ad\nvox", "has a character outside the GSM-7 basic set"},
		{"extension char", "Pay€", "has a character outside the GSM-7 basic set"},
		{"brace", "Shop{1}", "has a character outside the GSM-7 basic set"},
		{"cyrillic", "Привет", "has a character outside the GSM-7 basic set"},
		{"emoji", "Hi😀", "has a character outside the GSM-7 basic set"},
		{"no letter", "1234-5678", "has no letter"},
		{"punctuation only", "...", "has no letter"},
		{"invalid utf-8", "Ad\xffvox", "not valid UTF-8"},
		{"plus too short", "+46", "not a valid international number"},
		{"plus zero", "+0123456789", "not a valid international number"},
		{"plus sixteen digits", "+1234567890123456", "not a valid international number"},
		{"plus letters", "+46 70 CALL", "not an international number"},
		{"plus invalid formatted", "+46 70 123", "not a valid international number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSender(tt.in)
			assert.Zero(t, got)
			fe := requireFieldError(t, err, "from")
			assert.Equal(t, tt.reason, fe.Reason)
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, "parse sender", e.Op)
		})
	}
}

// ---- Benchmarks ----

func BenchmarkPreview(b *testing.B) {
	for _, bc := range []struct{ name, text string }{
		{"gsm7-1part", strings.Repeat("Hej då! ", 20)},
		{"gsm7-4parts", strings.Repeat("Pris 10€ ", 60)},
		{"ucs2-3parts", strings.Repeat("Привет 😀 ", 20)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Preview(bc.text, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseNumber(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseNumber("070-123 45 67", "SE"); err != nil {
			b.Fatal(err)
		}
	}
}
