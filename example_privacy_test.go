package advox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// EraseAccountTraffic destroys the account's data key first, so every copy
// of its traffic is unreadable at once, then deletes the records, keeping
// only aggregate usage for billing.
func ExampleClient_EraseAccountTraffic() {
	ctx := context.Background()
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	for range 3 {
		if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}); err != nil {
			log.Fatal(err)
		}
	}
	rep, err := client.EraseAccountTraffic(ctx, "acme", advox.EraseOnRequest)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("keys destroyed:", rep.KeysDestroyed, "records deleted:", rep.Records)

	n := 0
	for range client.Records(ctx, advox.PurposeTroubleshoot, storage.Query{Account: "acme"}) {
		n++
	}
	u, _ := client.Usage(ctx, advox.PurposeBill, "acme", time.Time{}, time.Time{})
	fmt.Println("records left:", n, "messages still billed:", u.Messages)
	// Output:
	// keys destroyed: 1 records deleted: 3
	// records left: 0 messages still billed: 3
}

// FindByRecipient lets support find a customer's messages to a number
// without the number ever being stored in the clear: the lookup goes
// through a keyed blind index, and every read states its purpose.
func ExampleClient_FindByRecipient() {
	ctx := audit.WithActor(context.Background(), "support-agent-7")
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{Region: "SE"})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	for _, to := range []string{"+46701234567", "+46709876543", "070-123 45 67"} {
		if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: to, Text: "hi"}); err != nil {
			log.Fatal(err)
		}
	}
	for rec, err := range client.FindByRecipient(ctx, advox.PurposeTroubleshoot, "acme", "0701234567", time.Time{}, time.Time{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.To.Masked(), rec.Status)
	}
	// Output:
	// +4670*****67 accepted
	// +4670*****67 accepted
}

// An invoice that is still unpaid when its records reach their five-month
// deadline holds them until it is settled — and only them.
func ExampleClient_CreateInvoice() {
	ctx := context.Background()
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}); err != nil {
		log.Fatal(err)
	}
	month := time.Now().UTC()
	inv, linked, err := client.CreateInvoice(ctx, advox.InvoiceRequest{
		ID: "INV-1", Account: "acme", PeriodStart: month.AddDate(0, -1, 0), PeriodEnd: month.Add(time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.State, linked, "record(s) held until settled")
	inv, err = client.SetInvoiceState(ctx, "INV-1", storage.InvoicePaid)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.State, inv.State.Final())
	// Output:
	// open 1 record(s) held until settled
	// paid true
}

// ExportTraffic gives a customer its own traffic, for a stated purpose:
// every record still kept, its recipient number opened, and the usage of
// the period. The export is audited like every read.
func ExampleClient_ExportTraffic() {
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(&memstore.Options{Now: clock}), &advox.Options{Now: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}); err != nil {
		log.Fatal(err)
	}
	b, err := client.ExportTraffic(ctx, advox.PurposeTroubleshoot, "acme", time.Time{}, time.Time{})
	if err != nil {
		log.Fatal(err)
	}
	var doc struct {
		Format  string
		Records []struct{ To, Status string }
		Usage   struct{ Messages int }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.Format, doc.Records[0].To, doc.Records[0].Status, doc.Usage.Messages)
	// Output:
	// advox-traffic-export/1 +46701234567 accepted 1
}
