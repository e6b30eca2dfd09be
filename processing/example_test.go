package processing_test

import (
	"fmt"
	"time"

	"github.com/azenna/advox/processing"
)

// The Client refuses transports that are not registered sub-processors;
// the record of processing is generated from the same register.
func ExampleRegister_Check() {
	procs, err := processing.NewRegister(processing.Processor{
		Name: "mem-operator", Role: "SMS operator", Country: "SE",
		AgreementDate: time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC),
		Categories:    []processing.DataCategory{processing.CategoryRecipients, processing.CategorySenders, processing.CategoryMessageText},
	}, processing.Processor{
		Name: "us-operator", Role: "SMS operator", Country: "US",
		AgreementDate: time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC),
		Categories:    []processing.DataCategory{processing.CategoryRecipients},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(procs.Check("mem-operator"))
	fmt.Println(procs.Check("us-operator"))
	fmt.Println(procs.Check("smpp-elsewhere"))

	rec := processing.NewRecord(processing.Config{Processors: procs}, time.Now())
	fmt.Println(rec.Retention[0].Data+":", rec.Retention[0].Deadline[:32])
	// Output:
	// <nil>
	// advox: check processor: invalid argument: "us-operator" processes data in US, outside the EU/EEA, without a declared safeguard
	// advox: check processor: invalid argument: "smpp-elsewhere" is not a registered sub-processor
	// traffic records: 5 calendar months after sending
}
