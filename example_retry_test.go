package advox_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// The Client retries a submit only when the transport guarantees the
// operator never received it (throttled, not sent); the RetryPolicy can
// restrict those retries, never add one. A submit whose outcome is unknown
// is never retried: the operator may have the message, and resending it
// would send the SMS twice.
func ExampleRetryPolicy() {
	ctx := context.Background()
	noWait := func(int, time.Duration) time.Duration { return 0 } // the default backs off exponentially
	msg := advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}

	tr := memtransport.New(nil)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{Backoff: noWait})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	tr.Inject(memtransport.Throttle, memtransport.NotSent) // two safe failures, then accepted
	rcpt, err := client.Send(ctx, msg)
	fmt.Println("throttled, not sent, accepted:", rcpt.Attempts, "attempts,", rcpt.Status, err)

	tr.Inject(memtransport.OutcomeUnknown) // the operator may have it
	rcpt, err = client.Send(ctx, msg)
	fmt.Println("outcome unknown:", rcpt.Attempts, "attempt,", advox.CodeOf(err))

	// A policy that never retries turns the throttle into the caller's error.
	tr2 := memtransport.New(nil)
	strict, err := advox.NewClient(tr2, memstore.New(nil), &advox.Options{RetryPolicy: advox.NoRetry})
	if err != nil {
		log.Fatal(err)
	}
	defer strict.Close()
	tr2.Inject(memtransport.Throttle)
	_, err = strict.Send(ctx, msg)
	fmt.Println("NoRetry:", advox.CodeOf(err), "-", len(tr2.Sent()), "received")
	fmt.Println("first operator received", len(tr.Sent()), "messages")
	// Output:
	// throttled, not sent, accepted: 3 attempts, accepted <nil>
	// outcome unknown: 1 attempt, outcome unknown
	// NoRetry: throttled - 0 received
	// first operator received 2 messages
}
