package advox_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"golang.org/x/time/rate"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// Each account sends at its own rate: Send waits for the account's limiter
// before submitting, and a wait that would outlast the caller's deadline
// fails at once with that deadline's error, before anything is sent. Other
// accounts are not slowed down.
func ExampleLimit() {
	tr := memtransport.New(nil)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{
		AccountLimit:  advox.Limit{Rate: 100, Burst: 10},                                       // every account by default
		AccountLimits: map[string]advox.Limit{"acme": {Rate: rate.Every(time.Hour), Burst: 2}}, // acme: a burst of 2, then one an hour
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, account := range []string{"acme", "acme", "acme", "globex"} {
		_, err := client.Send(ctx, advox.Message{Account: account, From: "Acme", To: "+46701234567", Text: "hi"})
		fmt.Println(account, err, errors.Is(err, context.DeadlineExceeded))
	}
	fmt.Println("submitted:", len(tr.Sent()))
	// Output:
	// acme <nil> false
	// acme <nil> false
	// acme context deadline exceeded true
	// globex <nil> false
	// submitted: 3
}
