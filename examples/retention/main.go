// Command retention walks advox's retention and erase rules through a
// simulated year: it sends traffic for two accounts at simulated dates,
// bills one month on an invoice that stays unpaid past the five-month
// deadline, runs the retention enforcer as the months pass, settles the
// invoice, erases one account on request, and prints what remains after
// every step.
//
//	go run ./examples/retention
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// clock is the simulated time every part of the example reads.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run walks through the year, printing each step to out.
func run(ctx context.Context, out io.Writer) (err error) {
	clk := &clock{now: date(2026, 1, 31)}
	quiet := slog.New(slog.DiscardHandler)
	store := memstore.New(&memstore.Options{Now: clk.Now})
	tr := memtransport.New(&memtransport.Options{Name: "operator"})
	// The KEK comes from configuration or a KMS in real life, and must be
	// kept: traffic sealed under it is unreadable without it. The
	// blind-index key goes with it (NewClient refuses a KEK alone), or
	// lookups by number would miss the records from before a restart.
	// Here the store lives in memory and ends with the process, so random
	// keys that end with it too will do (never fixed ones such as zeros).
	raw, indexKey := make([]byte, 32), make([]byte, keyring.MinIndexKeyLen)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	if _, err := rand.Read(indexKey); err != nil {
		return err
	}
	kek, err := keyring.NewStaticKEK(raw)
	if err != nil {
		return err
	}
	client, err := advox.NewClient(tr, store, &advox.Options{Now: clk.Now, KEK: kek, IndexKey: indexKey, Logger: quiet})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, client.Close()) }()
	enforcer := advox.NewRetention(store, &advox.RetentionOptions{Now: clk.Now, Logger: quiet})

	send := func(account, to string) error {
		_, err := client.Send(ctx, advox.Message{Account: account, From: "Advox", To: to, Text: "simulated traffic"})
		return err
	}
	// show prints a step's heading, its notes, and what each account has
	// left.
	show := func(step string, notes ...string) error {
		fmt.Fprintf(out, "\n== %s (%s)\n", step, clk.Now().Format("2006-01-02"))
		for _, n := range notes {
			fmt.Fprintln(out, n)
		}
		for _, account := range []string{"acme", "globex"} {
			n := 0
			var held []string
			for rec, err := range client.Records(ctx, advox.PurposeBill, storage.Query{Account: account}) {
				if err != nil {
					return err
				}
				n++
				if !clk.Now().Before(rec.Deadline) {
					held = append(held, rec.CreatedAt.Format("Jan 2"))
				}
			}
			u, err := client.Usage(ctx, advox.PurposeBill, account, time.Time{}, time.Time{})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%-6s %d record(s) readable", account, n)
			if len(held) > 0 {
				fmt.Fprintf(out, ", of which past their deadline but held by an unpaid invoice: %v", held)
			}
			fmt.Fprintf(out, "; usage on record: %d message(s)\n", u.Messages)
		}
		return nil
	}
	// purge runs the enforcer and says what it did.
	purge := func() (string, error) {
		rep, err := enforcer.PurgeNow(ctx)
		if err != nil {
			return "", err
		}
		oldest := "none"
		if !rep.OldestDeadline.IsZero() {
			oldest = rep.OldestDeadline.Format("2006-01-02")
		}
		return fmt.Sprintf("purge: %d record(s) deleted; oldest remaining deadline: %s", rep.Deleted, oldest), nil
	}

	// January 31 and February 10: traffic for both accounts.
	for _, to := range []string{"+46701234567", "+46701234568"} {
		if err := send("acme", to); err != nil {
			return err
		}
	}
	if err := send("globex", "+46709876543"); err != nil {
		return err
	}
	clk.Set(date(2026, 2, 10))
	if err := send("acme", "+46701234569"); err != nil {
		return err
	}
	if err := show("traffic sent on 31 January and 10 February"); err != nil {
		return err
	}
	fmt.Fprintln(out, "deadlines: 31 January + 5 months = 30 June (clamped to the month's end); 10 February + 5 months = 10 July")

	// Acme's January is invoiced; the invoice stays unpaid for a long time.
	clk.Set(date(2026, 2, 11))
	_, linked, err := client.CreateInvoice(ctx, advox.InvoiceRequest{
		ID: "INV-ACME-2026-01", Account: "acme", PeriodStart: date(2026, 1, 1), PeriodEnd: date(2026, 2, 1),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\ninvoice INV-ACME-2026-01 issued for acme's January: %d record(s) linked\n", linked)

	for _, d := range []time.Time{date(2026, 5, 1), date(2026, 7, 1), date(2026, 8, 1)} {
		clk.Set(d)
		did, err := purge()
		if err != nil {
			return err
		}
		if err := show("the enforcer ran", did); err != nil {
			return err
		}
	}

	clk.Set(date(2026, 8, 15))
	if _, err := client.SetInvoiceState(ctx, "INV-ACME-2026-01", storage.InvoicePartiallyPaid); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nacme pays part of the invoice: a partial payment ends nothing")
	if err := show("after the partial payment"); err != nil {
		return err
	}
	clk.Set(date(2026, 9, 1))
	if _, err := client.SetInvoiceState(ctx, "INV-ACME-2026-01", storage.InvoicePaid); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nacme pays the rest: the hold ends at once")
	did, err := purge()
	if err != nil {
		return err
	}
	if err := show("after settlement", did); err != nil {
		return err
	}

	// New traffic, then globex asks for its traffic to be erased.
	clk.Set(date(2026, 9, 2))
	for _, a := range []string{"acme", "globex", "globex"} {
		if err := send(a, "+46701112233"); err != nil {
			return err
		}
	}
	if err := show("new traffic in September"); err != nil {
		return err
	}
	rep, err := client.EraseAccountTraffic(ctx, "globex", advox.EraseOnRequest)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\n(erase keeps per-month aggregates, so globex's usage survives for billing; purged traffic leaves none)")
	fmt.Fprintf(out, "globex asked for erasure: %d data key(s) destroyed after %s, %d record(s) deleted\n",
		rep.KeysDestroyed, rep.UnreadableAfter.Round(time.Microsecond), rep.Records)
	if err := show("after the erase"); err != nil {
		return err
	}
	n := 0
	for _, err := range client.FindByRecipient(ctx, advox.PurposeTroubleshoot, "globex", "+46701112233", time.Time{}, time.Time{}) {
		if err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(out, "support looking up globex's recipient: %d record(s) found\n", n)
	return nil
}
