package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
)

// A Store keeps traffic records in memory, behind the same contract as
// sqlstore: a record past its deadline is gone from reads at once, before
// any purge; Purge deletes it; EraseAccount keeps only monthly usage. Its
// clock is injectable. Applications hand it to advox.NewClient, which
// seals the recipient before the store sees it.
func ExampleNew() {
	ctx := context.Background()
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	s := memstore.New(&memstore.Options{Now: func() time.Time { return now }})
	defer s.Close()

	rec := storage.Record{
		ID: "m1", Account: "acme", Transport: "mem", From: "Acme",
		Recipient: storage.Sealed{KeyID: "k1", Data: []byte("sealed number")}, Encoding: transport.GSM7, Segments: 1,
		Parts:  []storage.Part{{OperatorID: "op-1", Status: transport.StatusAccepted, UpdatedAt: now}},
		Status: transport.StatusAccepted, CreatedAt: now, UpdatedAt: now,
		Deadline: now.AddDate(0, 5, 0),
	}
	if err := s.Record(ctx, rec); err != nil {
		log.Fatal(err)
	}
	got, err := s.UpdateStatus(ctx, storage.StatusUpdate{ID: "m1", Part: 0, Status: transport.StatusDelivered, At: now})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Status)

	now = rec.Deadline // five months later
	_, err = s.Get(ctx, "m1")
	fmt.Println("past the deadline:", errors.Is(err, storage.ErrNotFound))
	res, err := s.Purge(ctx, now)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("purged:", res.Deleted)
	// Output:
	// delivered
	// past the deadline: true
	// purged: 1
}
