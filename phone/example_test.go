package phone_test

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/azenna/advox/phone"
)

// ParseNumber reads national numbers in a default region and refuses
// numbers that cannot take an SMS, without echoing them.
func ExampleParseNumber() {
	n, err := phone.ParseNumber("070-123 45 67", "SE")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n)

	_, err = phone.ParseNumber("08-123 456 78", "SE") // a Stockholm landline
	fmt.Println(err)
	// Output:
	// +46701234567
	// advox: parse number: invalid argument: number: not a mobile number
}

// Numbers are masked in logs: slog uses Number.LogValue.
func ExampleNumber_Masked() {
	n, _ := phone.ParseNumber("+46 70 123 45 67", "")
	fmt.Println(n.Masked())
	fmt.Println(phone.Mask("070-123 45 67")) // unparsed input

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
		from, err := phone.ParseSender(s)
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

// Normalise reads any valid number, landlines too, into E.164: the form a
// customer's own phone is kept in.
func ExampleNormalise() {
	fmt.Println(phone.Normalise("08-123 456 78", "SE"))
	fmt.Println(phone.Normalise("+46 8 123 456 78", ""))
	fmt.Println(phone.Normalise("12", "SE"))
	// Output:
	// +46812345678 true
	// +46812345678 true
	//  false
}
