package advox_test

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/azenna/advox"
)

// Preview shows what a text costs before it is sent: the encoding the
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

// ParseNumber reads national numbers in a default region and refuses
// numbers that cannot take an SMS, without echoing them.
func ExampleParseNumber() {
	n, err := advox.ParseNumber("070-123 45 67", "SE")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n)

	_, err = advox.ParseNumber("08-123 456 78", "SE") // a Stockholm landline
	fmt.Println(err)
	// Output:
	// +46701234567
	// advox: parse number: invalid argument: number: not a mobile number
}

// Numbers are masked in logs: slog uses Number.LogValue.
func ExampleNumber_Masked() {
	n, _ := advox.ParseNumber("+46 70 123 45 67", "")
	fmt.Println(n.Masked())
	fmt.Println(advox.MaskNumber("070-123 45 67")) // unparsed input

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("sent", "to", n)
	// Output:
	// +4670*****67
	// 07******67
	// level=INFO msg=sent to=+4670*****67
}

// ParseSender tells alphanumeric ids, short codes and numbers apart.
func ExampleParseSender() {
	for _, s := range []string{"Advox", "71234", "46701234567", "Pay€"} {
		from, err := advox.ParseSender(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(from.Kind, from.Value)
	}
	// Output:
	// alphanumeric Advox
	// shortcode 71234
	// international +46701234567
	// advox: parse sender: invalid argument: from: has a character outside the GSM-7 basic set
}
