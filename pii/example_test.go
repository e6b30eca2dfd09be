package pii_test

import (
	"errors"
	"fmt"

	"github.com/azenna/advox/pii"
)

func ExampleContainsPersonalNumber() {
	for _, s := range []string{
		"Ring Anna, 811218-9876",    // personnummer
		"samordningsnr 701063-2391", // samordningsnummer (day + 60)
		"Org.nr 556016-0680",        // organisationsnummer
		"+46 70 123 45 67",          // phone number
	} {
		fmt.Println(pii.ContainsPersonalNumber(s))
	}
	// Output:
	// true
	// true
	// false
	// false
}

func ExampleValidateOrgNumber() {
	fmt.Println(pii.ValidateOrgNumber("556016-0680"))
	fmt.Println(pii.ValidateOrgNumber("556016-0681"))
	fmt.Println(errors.Is(pii.ValidateOrgNumber("811218-9876"), pii.ErrSoleTraderNumber))
	// Output:
	// <nil>
	// advox: validate org number: invalid argument: the check digit of the organisation number is wrong
	// true
}

// Contact data of persons is found in text that should hold none: ids,
// audit actors, free text of customer data.
func ExampleContainsPersonContact() {
	fmt.Println(pii.ContainsContactData("ops@acme.example"))
	fmt.Println(pii.ContainsPersonContact("privat mobil 070-174 06 05"))
	fmt.Println(pii.ContainsPersonContact("Box 123, 111 22 Stockholm"))
	// Output:
	// true
	// true
	// false
}
