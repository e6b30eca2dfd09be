package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/sqlstore"
	"github.com/azenna/advox/storage/sqlstore/sqlite"
	"github.com/azenna/advox/transport"
)

// march14 is when the examples' messages are sent.
var march14 = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// message is a one-part message of account sent at sent, kept five
// months. The Client seals the recipient under the account's data key and
// adds a keyed blind index of the number; the store only ever sees those.
func message(id, account, keyID string, sent time.Time) storage.Record {
	return storage.Record{
		ID: id, Account: account, Transport: "smpp:operator-a", From: "Acme",
		Recipient:      storage.Sealed{KeyID: keyID, Data: []byte("ciphertext of the number")},
		RecipientIndex: []byte("hmac of the number"),
		Encoding:       transport.GSM7, Segments: 1,
		Parts:     []storage.Part{{OperatorID: "op-" + id, Status: transport.StatusAccepted, UpdatedAt: sent}},
		Status:    transport.StatusAccepted,
		CreatedAt: sent, UpdatedAt: sent,
		Deadline: sent.AddDate(0, 5, 0),
	}
}

// openExample opens a store in a temporary directory whose clock reads
// *now; done removes it.
func openExample(now *time.Time) (s *sqlstore.Store, done func()) {
	dir, err := os.MkdirTemp("", "advox-example")
	if err != nil {
		log.Fatal(err)
	}
	s, err = sqlite.Open(context.Background(), filepath.Join(dir, "traffic.db"), &sqlstore.Options{
		Now: func() time.Time { return *now },
	})
	if err != nil {
		log.Fatal(err)
	}
	return s, func() { s.Close(); os.RemoveAll(dir) }
}

// Record a two-part message in a SQLite file, apply delivery reports the
// way the Client does (found by operator id), and read it back.
func ExampleStore() {
	now := march14
	s, done := openExample(&now)
	defer done()
	ctx := context.Background()

	rec := message("msg-1", "acme", "", march14)
	rec.Segments = 2
	rec.Parts = []storage.Part{
		{OperatorID: "a1", Status: transport.StatusAccepted, UpdatedAt: march14},
		{OperatorID: "a2", Status: transport.StatusAccepted, UpdatedAt: march14},
	}
	if err := s.Record(ctx, rec); err != nil {
		log.Fatal(err)
	}
	for _, opID := range []string{"a2", "a1"} {
		got, part, err := s.FindByOperatorID(ctx, "smpp:operator-a", opID)
		if err != nil {
			log.Fatal(err)
		}
		got, err = s.UpdateStatus(ctx, storage.StatusUpdate{
			ID: got.ID, Part: part, Status: transport.StatusDelivered, At: march14.Add(time.Minute),
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("part %d delivered, message %s\n", part, got.Status)
	}

	u, err := s.Usage(ctx, "acme", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("acme in March: %d message(s), %d segment(s), %d delivered\n", u.Messages, u.Segments, u.Delivered)
	// Output:
	// part 1 delivered, message accepted
	// part 0 delivered, message delivered
	// acme in March: 1 message(s), 2 segment(s), 1 delivered
}

// Retention: records go at their deadline, unless an invoice that is not
// yet settled bills them; then they stay until it is settled. Reads hide
// an expired record even before Purge deletes it.
func ExampleStore_Purge() {
	now := march14
	s, done := openExample(&now)
	defer done()
	ctx := context.Background()

	billed := message("billed", "acme", "", march14)
	unbilled := message("unbilled", "acme", "", march14.AddDate(0, 1, 0)) // April: not on the invoice
	if err := s.Record(ctx, billed, unbilled); err != nil {
		log.Fatal(err)
	}
	linked, err := s.CreateInvoice(ctx, storage.Invoice{
		ID: "inv-2026-03", Account: "acme",
		PeriodStart: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		PeriodEnd:   time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		IssuedAt:    time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC),
		TimeBar:     time.Date(2029, 4, 2, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("invoice bills", linked, "record(s)")

	show := func(when string) {
		res, err := s.Purge(ctx, now)
		if err != nil {
			log.Fatal(err)
		}
		var left []string
		for r, err := range s.Query(ctx, storage.Query{Account: "acme"}) {
			if err != nil {
				log.Fatal(err)
			}
			left = append(left, r.ID)
		}
		fmt.Printf("%s: purged %d, left %v\n", when, res.Deleted, left)
	}
	now = billed.Deadline.Add(time.Hour)
	show("August 14, invoice open")
	if _, err := s.SetInvoiceState(ctx, "inv-2026-03", storage.InvoicePartiallyPaid, now); err != nil {
		log.Fatal(err)
	}
	now = unbilled.Deadline.Add(time.Hour)
	show("September 14, partly paid")
	if _, err := s.SetInvoiceState(ctx, "inv-2026-03", storage.InvoicePaid, now); err != nil {
		log.Fatal(err)
	}
	show("September 14, paid")
	// Output:
	// invoice bills 1 record(s)
	// August 14, invoice open: purged 0, left [billed unbilled]
	// September 14, partly paid: purged 1, left [billed]
	// September 14, paid: purged 1, left []
}

// Erase on request, the way the Client does it: destroy the account's data
// key first (crypto-shredding: whatever was sealed under it is unreadable
// from then on, in every copy), then delete its records, keeping only
// their usage per month for billing.
func ExampleStore_EraseAccount() {
	now := march14
	s, done := openExample(&now)
	defer done()
	ctx := context.Background()

	key, err := s.EnsureKey(ctx, storage.DataKey{
		ID: "key-1", Account: "acme", Wrapped: []byte("data key wrapped by the KEK"), CreatedAt: march14})
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range []string{"m1", "m2", "m3"} {
		if err := s.Record(ctx, message(id, "acme", key.ID, march14)); err != nil {
			log.Fatal(err)
		}
	}

	destroyed, err := s.DestroyKeys(ctx, "acme")
	if err != nil {
		log.Fatal(err)
	}
	late := s.Record(ctx, message("m4", "acme", key.ID, march14))
	erased, err := s.EraseAccount(ctx, "acme")
	if err != nil {
		log.Fatal(err)
	}
	u, err := s.Usage(ctx, "acme", time.Time{}, time.Time{})
	if err != nil {
		log.Fatal(err)
	}
	_, err = s.Get(ctx, "m1")
	fmt.Println("keys destroyed:", destroyed)
	fmt.Println("late record refused:", errors.Is(late, storage.ErrErased))
	fmt.Println("records erased:", erased, "- found afterwards:", !errors.Is(err, storage.ErrNotFound))
	fmt.Println("usage kept:", u.Messages, "message(s)")
	// Output:
	// keys destroyed: 1
	// late record refused: true
	// records erased: 3 - found afterwards: false
	// usage kept: 3 message(s)
}

// The data keys live in a file of their own, so a backup of the traffic
// file holds none: once an account is erased, its records in a backup
// taken before are unreadable, even restored beside the live keyring.
func ExampleOptions_keysPath() {
	dir, err := os.MkdirTemp("", "advox-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	traffic, backup := filepath.Join(dir, "traffic.db"), filepath.Join(dir, "backup.db")
	opts := &sqlstore.Options{KeysPath: filepath.Join(dir, "keyring.db"), Now: func() time.Time { return march14 }}

	s, err := sqlite.Open(ctx, traffic, opts)
	if err != nil {
		log.Fatal(err)
	}
	key, err := s.EnsureKey(ctx, storage.DataKey{ID: "key-acme-1", Account: "acme", Wrapped: []byte("wrapped by the KEK"), CreatedAt: march14})
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Record(ctx, message("msg-1", "acme", key.ID, march14)); err != nil {
		log.Fatal(err)
	}
	s.Close() // closed, the traffic is all in traffic.db: copy it as a backup
	data, err := os.ReadFile(traffic)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(backup, data, 0o600); err != nil {
		log.Fatal(err)
	}

	s, err = sqlite.Open(ctx, traffic, opts)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.DestroyKeys(ctx, "acme"); err != nil { // what Client.EraseAccountTraffic does first
		log.Fatal(err)
	}
	if _, err := s.EraseAccount(ctx, "acme"); err != nil {
		log.Fatal(err)
	}
	s.Close()

	old, err := sqlite.Open(ctx, backup, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer old.Close()
	rec, err := old.Get(ctx, "msg-1")
	fmt.Println("the backup still holds msg-1:", err == nil)
	_, err = old.Key(ctx, rec.Recipient.KeyID)
	fmt.Println("the key to read it is gone:", errors.Is(err, storage.ErrErased))
	// Output:
	// the backup still holds msg-1: true
	// the key to read it is gone: true
}

// Keep customer data next to the traffic in one SQLite file: the account
// store comes from the traffic store, shares its database and closes
// with it. The same call works on a PostgreSQL store.
func ExampleStore_Accounts() {
	dir, err := os.MkdirTemp("", "advox-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	traffic, err := sqlite.Open(ctx, filepath.Join(dir, "advox.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer traffic.Close()
	accounts := traffic.Accounts()

	now := time.Now()
	err = accounts.CreateAccount(ctx, storage.Customer{
		Account:      "acme",
		Organisation: "Acme AB",
		OrgNumber:    "556016-0680",
		Users: []storage.User{{
			ID:      "ops@acme.example",
			Allowed: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")},
		}},
		Limits:    storage.ContractLimits{MonthlySegments: 5},
		CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		log.Fatal(err)
	}

	c, err := accounts.FindUser(ctx, "ops@acme.example")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("login belongs to", c.Organisation)

	month := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{3, 3, 2} {
		used, ok, err := accounts.ReserveSegments(ctx, "acme", month, n, c.Limits.MonthlySegments)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("reserve %d: granted %v, used %d of %d\n", n, ok, used, c.Limits.MonthlySegments)
	}
	// Output:
	// login belongs to Acme AB
	// reserve 3: granted true, used 3 of 5
	// reserve 3: granted false, used 3 of 5
	// reserve 2: granted true, used 5 of 5
}
