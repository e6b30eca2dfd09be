package gsm7_test

import (
	"fmt"

	"github.com/azenna/advox/gsm7"
)

// Len counts what a text costs in septets — two for a character of the
// extension table, such as € — and Encode refuses, by byte offset, a
// character GSM-7 cannot carry instead of sending it garbled.
func ExampleEncode() {
	b, err := gsm7.Encode("Pris: 10€")
	fmt.Println(len(b), gsm7.Len("Pris: 10€"), err)
	fmt.Println(gsm7.Septets('a'), gsm7.Septets('€'), gsm7.Septets('🦐'))

	s, err := gsm7.Decode(b)
	fmt.Println(s, err)

	_, err = gsm7.Encode("Hej 🦐")
	fmt.Println(gsm7.Encodable("Hej 🦐"), gsm7.Len("Hej 🦐"), err)
	// Output:
	// 10 10 <nil>
	// 1 2 0
	// Pris: 10€ <nil>
	// false -1 gsm7: character at byte 4 is not in the GSM 03.38 alphabet
}
