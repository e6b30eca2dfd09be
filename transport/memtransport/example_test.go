package memtransport_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// In an application's tests, memtransport stands in for the operator: it
// records what it was handed, answers with operator ids, sends delivery
// reports, and fails on demand. It is Local (it hands data to no third
// party), so the Client needs no sub-processor for it.
func ExampleNew() {
	ctx := context.Background()
	tr := memtransport.New(&memtransport.Options{Name: "fake-operator", ReportStatus: transport.StatusDelivered})
	client, err := advox.NewClient(tr, memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close() // closes tr too

	rcpt, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "Your code is 4711"})
	if err != nil {
		log.Fatal(err)
	}
	// The report arrives on its own goroutine: wait for it.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		rec, err := client.Status(ctx, advox.PurposeTransmit, rcpt.ID)
		if err != nil {
			log.Fatal(err)
		}
		if rec.Status.Final() || time.Now().After(deadline) {
			fmt.Println(rcpt.OperatorIDs, rec.Status)
			break
		}
	}

	tr.Inject(memtransport.Reject) // the next submit is refused for good
	_, err = client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "again"})
	fmt.Println(advox.CodeOf(err))

	for _, s := range tr.Sent() {
		fmt.Println(s.Message.From.Value, s.Message.Encoding, s.Message.Parts, s.OperatorIDs)
	}
	// Output:
	// [mem-1] delivered
	// rejected
	// Acme gsm7 [Your code is 4711] [mem-1]
}

// A transport.PartSubmitter sends the rest of a message whose later part
// failed, under the reference the accepted parts carry; the Client does
// this itself for parts that were not received (see
// advox.IncompleteError).
func ExampleTransport_SubmitParts() {
	ctx := context.Background()
	tr := memtransport.New(nil)
	defer tr.Close()
	tr.InjectPart(2, memtransport.Throttle)
	m := &transport.Message{ID: "m-1", To: "+46701234567", Encoding: transport.GSM7, Parts: []string{"one ", "two ", "three"}}

	_, err := tr.Submit(ctx, m)
	var pe *transport.PartialError
	if !errors.As(err, &pe) || !pe.Resumable {
		log.Fatal(err)
	}
	fmt.Println("accepted:", pe.Accepted, "then:", errors.Is(err, transport.ErrThrottled))

	res, err := tr.SubmitParts(ctx, m, transport.Parts{Ref: pe.Ref, Indices: []int{1, 2}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("the rest:", res.OperatorIDs)
	for _, s := range tr.Sent() {
		fmt.Println(s.Parts, s.Ref == pe.Ref)
	}
	for _, m := range tr.Joined() { // as the handset shows it
		fmt.Println(m.Text())
	}
	// Output:
	// accepted: [mem-1] then: true
	// the rest: [mem-2 mem-3]
	// [1] true
	// [2 3] true
	// one two three
}

// Receive stands in for a handset: the part reaches the inbound handler
// (the Client's, in an application) as an operator would deliver it, and
// the handler's error is what the operator would answer by delivering the
// part again. Split cuts a long text into the parts of one message.
func ExampleTransport_Receive() {
	ctx := context.Background()
	tr := memtransport.New(nil)
	defer tr.Close()
	var parts []transport.Inbound
	tr.SetInboundHandler(func(_ context.Context, m transport.Inbound) error {
		parts = append(parts, m) // an application's handler would store it durably first
		return nil
	})

	sms := transport.Inbound{From: "+46701234567", To: "+46766860000", Coding: transport.CodingUCS2,
		Text: "Hej! Jag kommer på tisdag 😀"}
	for _, p := range memtransport.Split(sms, 2, 42) {
		if err := tr.Receive(ctx, p); err != nil {
			log.Fatal(err)
		}
	}
	text, err := transport.JoinText(parts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(parts), "parts:", text)
	// Output: 2 parts: Hej! Jag kommer på tisdag 😀
}
