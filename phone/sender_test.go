package phone

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/internal/errs/errstest"
	"github.com/azenna/advox/transport"
)

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
			fe := errstest.RequireField(t, err, "from")
			assert.Equal(t, tt.reason, fe.Reason)
			var e *errs.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, "parse sender", e.Op)
		})
	}
}

// ---- Benchmarks ----

func FuzzParseSender(f *testing.F) {
	for _, s := range []string{"Advox", "Shop 24", "12345", "46701234567", "+46 70-123 45 67", "+123", "Pay€", " x", "Ad\xffvox"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSender(s)
		if err != nil {
			errstest.RequireField(t, err, "from")
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
