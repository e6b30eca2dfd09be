package audit_test

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// trail is an Auditor that keeps the events in memory; a real one writes
// them to an append-only log. It must be safe for concurrent use.
type trail struct {
	mu     sync.Mutex
	events []audit.Event
}

func (t *trail) Audit(_ context.Context, e audit.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events = append(t.events, e)
}

// Every read of traffic data states its purpose, and every read, purge and
// erase reaches the Auditor with opaque ids, the actor set with WithActor
// and counts — never a number or a text. An actor holding a personal
// identity number is replaced by RedactedActor.
func ExampleAuditor() {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	events := &trail{}
	store := memstore.New(&memstore.Options{Now: clock})
	client, err := advox.NewClient(memtransport.New(nil), store, &advox.Options{Now: clock, Auditor: events})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx := audit.WithActor(context.Background(), "support-7")
	rcpt, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Status(ctx, advox.PurposeTroubleshoot, rcpt.ID); err != nil {
		log.Fatal(err)
	}
	for _, err := range client.FindByRecipient(ctx, advox.PurposeTroubleshoot, "acme", "+46701234567", time.Time{}, time.Time{}) {
		if err != nil {
			log.Fatal(err)
		}
	}
	if _, err := client.Usage(ctx, advox.PurposeBill, "acme", time.Time{}, time.Time{}); err != nil {
		log.Fatal(err)
	}
	if _, err := advox.NewRetention(store, &advox.RetentionOptions{Now: clock, Auditor: events}).PurgeNow(ctx); err != nil {
		log.Fatal(err)
	}
	// A BankID login yields a personal identity number: never collected.
	bankID := audit.WithActor(context.Background(), "198112189876")
	if _, err := client.EraseAccountTraffic(bankID, "acme", advox.EraseOnRequest); err != nil {
		log.Fatal(err)
	}

	for _, e := range events.events {
		fmt.Printf("%s %q purpose=%q actor=%s account=%s message=%t count=%d\n",
			e.Time.Format(time.DateOnly), e.Action, e.Purpose, e.Actor, e.Account, e.MessageID != "", e.Count)
	}
	// Output:
	// 2026-03-14 "read" purpose="troubleshoot" actor=support-7 account=acme message=true count=1
	// 2026-03-14 "find by recipient" purpose="troubleshoot" actor=support-7 account=acme message=false count=1
	// 2026-03-14 "usage" purpose="bill" actor=support-7 account=acme message=false count=1
	// 2026-03-14 "purge" purpose="" actor=support-7 account= message=false count=0
	// 2026-03-14 "erase:customer-request" purpose="" actor=redacted:personal-number account=acme message=false count=1
}
