package advox_test

import (
	"fmt"
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
