package advox_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"sync"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// A record's deadline is five calendar months after it was made, clamped
// to the end of the target month: never time.AddDate's overflow into the
// month after.
func ExampleRetentionPolicy_Deadline() {
	p := advox.DefaultRetentionPolicy()
	for _, made := range []time.Time{
		time.Date(2026, 10, 31, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 9, 30, 9, 0, 0, 0, time.UTC),
		time.Date(2027, 9, 30, 9, 0, 0, 0, time.UTC), // leap year
	} {
		fmt.Println(made.Format("2006-01-02"), "->", p.Deadline(made).Format("2006-01-02"),
			"(AddDate:", made.AddDate(0, 5, 0).Format("2006-01-02")+")")
	}
	fmt.Println(advox.RetentionPolicy{Months: 6}.Validate())
	// Output:
	// 2026-10-31 -> 2027-03-31 (AddDate: 2027-03-31)
	// 2026-09-30 -> 2027-02-28 (AddDate: 2027-03-02)
	// 2027-09-30 -> 2028-02-29 (AddDate: 2028-03-01)
	// advox: retention: invalid argument: 6 months exceeds the policy's 5; set AllowBeyondPolicy to do so deliberately
}

// The retention enforcer deletes records past their deadline; reads hide
// them even before it runs. Its clock is injectable, so the months can
// pass at once. (A Client runs one itself with Options.PurgeEvery; Run
// purges at an interval until its context ends.)
func ExampleNewRetention() {
	ctx := context.Background()
	var mu sync.Mutex // the Client reads its clock on goroutines of its own
	now := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	quiet := slog.New(slog.DiscardHandler)

	store := memstore.New(&memstore.Options{Now: clock})
	client, err := advox.NewClient(memtransport.New(nil), store, &advox.Options{Now: clock, Logger: quiet})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}); err != nil {
		log.Fatal(err)
	}
	enforcer := advox.NewRetention(store, &advox.RetentionOptions{Now: clock, Logger: quiet})

	count := func() int {
		n := 0
		for _, err := range client.Records(ctx, advox.PurposeBill, storage.Query{Account: "acme"}) {
			if err != nil {
				log.Fatal(err)
			}
			n++
		}
		return n
	}
	for _, at := range []time.Time{
		time.Date(2026, 6, 30, 11, 59, 0, 0, time.UTC), // a minute before the deadline
		time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC),  // 31 January + 5 months, clamped to 30 June
	} {
		mu.Lock()
		now = at
		mu.Unlock()
		readable := count()
		rep, err := enforcer.PurgeNow(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(at.Format(time.DateTime), "readable:", readable, "purged:", rep.Deleted)
	}
	// Output:
	// 2026-06-30 11:59:00 readable: 1 purged: 0
	// 2026-06-30 12:00:00 readable: 0 purged: 1
}
