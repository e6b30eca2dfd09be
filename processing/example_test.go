package processing_test

import (
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
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

// The record of processing is generated from what the live Client and
// accounts describe of themselves: the operator their transport declares,
// the retention policy, the disclosure policy and the login measures.
func ExampleNewRecord() {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	accts, err := accounts.New(memstore.NewAccounts(), nil)
	if err != nil {
		log.Fatal(err)
	}
	tr := operated{memtransport.New(&memtransport.Options{Name: "smpp:operator-ab"})}
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{Accounts: accts, Retention: advox.RetentionPolicy{Months: 3}})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	rec := processing.NewRecord(processing.Config{
		Controller: "Advox AB", ControllerContact: "privacy@advox.example",
		Traffic: client.Processing(), Customers: accts.Processing(),
	}, at)
	for _, r := range rec.Recipients {
		fmt.Println(strings.TrimSpace(r.Name + " — " + r.Role + " " + r.Country))
	}
	fmt.Println(rec.Retention[0].Deadline[:31])
	// Output:
	// smpp:operator-ab — sub-processor: SMS operator: Operator AB SE
	// parties with the customer's consent — reseller-reinvoicing
	// parties with the customer's consent — technical-support
	// 3 calendar months after sending
}

// operated stands for an SMPP transport whose configuration declares its
// operator (smpptransport.Config.Operator).
type operated struct{ *memtransport.Transport }

func (o operated) Local() bool { return false }

func (o operated) Operators() map[string]transport.Operator {
	return map[string]transport.Operator{o.Name(): {Name: "Operator AB", Country: "SE",
		AgreementDate: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}}
}
