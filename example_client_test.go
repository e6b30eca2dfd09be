package advox_test

import (
	"context"
	"fmt"
	"log"

	"github.com/azenna/advox"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// A Client wires a transport and a store together; Send validates, encodes,
// segments, submits and records.
func ExampleNewClient() {
	tr := memtransport.New(nil) // in production: smpptransport.New(...) or httptransport.New(...)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{Region: "SE"})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	rcpt, err := client.Send(context.Background(), advox.Message{
		Account: "acme",
		From:    "Acme",
		To:      "070-123 45 67",
		Text:    "Your code is 4711. Välkommen!",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rcpt.Segments, rcpt.Encoding, rcpt.Status)
	fmt.Println(phone.Number(tr.Sent()[0].Message.To).Masked())
	// Output:
	// 1 gsm7 accepted
	// +4670*****67
}

// Errors carry a Code; match them with errors.Is against the sentinels.
func ExampleClient_Send_errors() {
	tr := memtransport.New(nil)
	tr.Inject(memtransport.OutcomeUnknown)
	client, err := advox.NewClient(tr, memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	_, err = client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"})
	fmt.Println(advox.CodeOf(err))

	_, err = client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "not a number", Text: "hi"})
	fmt.Println(advox.CodeOf(err))
	// Output:
	// outcome unknown
	// invalid argument
}

// Delivery reports from the transport update the traffic record; a message
// is delivered when every part is.
func ExampleClient_Status() {
	tr := memtransport.New(nil)
	client, err := advox.NewClient(tr, memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	rcpt, err := client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"})
	if err != nil {
		log.Fatal(err)
	}
	tr.Report(context.Background(), transport.Report{OperatorID: rcpt.OperatorIDs[0], Status: transport.StatusDelivered})
	rec, err := client.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Status)
	// Output: delivered
}

// A customer-facing API reads a message for the account it acts for:
// another account's message is not found, exactly like a missing one.
func ExampleClient_AccountStatus() {
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	rcpt, err := client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"})
	if err != nil {
		log.Fatal(err)
	}
	rec, err := client.AccountStatus(context.Background(), advox.PurposeTroubleshoot, "acme", rcpt.ID)
	fmt.Println(rec.Status, err)
	_, err = client.AccountStatus(context.Background(), advox.PurposeTroubleshoot, "globex", rcpt.ID)
	fmt.Println(advox.CodeOf(err))
	// Output:
	// accepted <nil>
	// not found
}
