package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/sqlstore"
	"github.com/azenna/advox/transport"
)

// Open a SQLite file, record a two-part message, apply delivery reports
// the way the Client does (found by operator id), and read it back.
func ExampleOpenSQLite() {
	dir, err := os.MkdirTemp("", "advox-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := sqlstore.OpenSQLite(filepath.Join(dir, "traffic.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	sent := time.Now()
	err = s.Record(ctx, storage.Record{
		ID: "msg-1", Account: "acme", Transport: "smpp:operator-a",
		From: "Acme", To: "+46701234567", Encoding: transport.GSM7, Segments: 2,
		Parts: []storage.Part{
			{OperatorID: "a1", Status: transport.StatusAccepted, UpdatedAt: sent},
			{OperatorID: "a2", Status: transport.StatusAccepted, UpdatedAt: sent},
		},
		Status:    transport.StatusAccepted,
		CreatedAt: sent, UpdatedAt: sent,
		Deadline: sent.AddDate(0, 5, 0),
	})
	if err != nil {
		log.Fatal(err)
	}

	for _, opID := range []string{"a2", "a1"} {
		rec, part, err := s.FindByOperatorID(ctx, "smpp:operator-a", opID)
		if err != nil {
			log.Fatal(err)
		}
		rec, err = s.UpdateStatus(ctx, storage.StatusUpdate{
			ID: rec.ID, Part: part, Status: transport.StatusDelivered, At: sent.Add(time.Minute),
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("part %d delivered, message %s\n", part, rec.Status)
	}

	u, err := s.Usage(ctx, "acme", sent.AddDate(0, 0, -1), sent.AddDate(0, 1, 0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("acme: %d message(s), %d segment(s), %d delivered\n", u.Messages, u.Segments, u.Delivered)
	// Output:
	// part 1 delivered, message accepted
	// part 0 delivered, message delivered
	// acme: 1 message(s), 2 segment(s), 1 delivered
}

// Connect to PostgreSQL, for many application instances sharing one
// database. The schema is created (or upgraded) on open.
func ExampleOpenPostgres() {
	ctx := context.Background()
	s, err := sqlstore.OpenPostgres(ctx, "postgres://advox@db.internal:5432/advox", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	n, err := s.Purge(ctx, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("purged", n)
}

// Retention: purge what has passed its deadline, and erase an account on
// the customer's request.
func ExampleStore_Purge() {
	dir, err := os.MkdirTemp("", "advox-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := sqlstore.OpenSQLite(filepath.Join(dir, "traffic.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	now := time.Now()
	var recs []storage.Record
	for i, acct := range []string{"globex", "acme", "acme"} {
		created := now.AddDate(0, -3*i, -1) // 1 day, 3 and 6 months old
		recs = append(recs, storage.Record{
			ID: fmt.Sprintf("msg-%d", i), Account: acct, Transport: "http:operator-b",
			Encoding: transport.GSM7, Segments: 1, Status: transport.StatusAccepted,
			Parts:     []storage.Part{{Status: transport.StatusAccepted, UpdatedAt: created}},
			CreatedAt: created, UpdatedAt: created, Deadline: created.AddDate(0, 5, 0),
		})
	}
	if err := s.Record(ctx, recs...); err != nil {
		log.Fatal(err)
	}

	purged, err := s.Purge(ctx, now)
	if err != nil {
		log.Fatal(err)
	}
	erased, err := s.EraseAccount(ctx, "globex")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("purged", purged, "erased", erased)
	// Output:
	// purged 1 erased 1
}
