// Command quickstart runs advox's main job end to end on embedded defaults:
// it sends a few messages, waits for their delivery reports and prints the
// traffic records as stored, with recipient numbers masked.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	tr := memtransport.New(&memtransport.Config{Name: "mem-operator", ReportStatus: transport.StatusDelivered, ReportDelay: 50 * time.Millisecond})
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{Region: "SE"})
	if err != nil {
		return err
	}
	defer client.Close()

	msgs := []advox.Message{
		{Account: "demo", From: "Advox", To: "070-123 45 67", Text: "Hello from advox! Your code is 4711."},
		{Account: "demo", From: "Advox", To: "+46 70 765 43 21", Text: "Räksmörgås 🦐 — emoji and em dash make this UCS-2."},
		{Account: "demo", From: "Advox", To: "+44 7911 123456", Text: strings.Repeat("A long message is split into parts by the library itself. ", 4)},
	}
	fmt.Println("== sending")
	var ids []string
	for _, m := range msgs {
		p, err := advox.Preview(m.Text, nil)
		if err != nil {
			return err
		}
		rcpt, err := client.Send(ctx, m)
		if err != nil {
			return err
		}
		num, err := advox.ParseNumber(m.To, "SE")
		if err != nil {
			return err
		}
		ids = append(ids, rcpt.ID)
		fmt.Printf("sent %s to %s: %d segment(s), %s (%d units), status %s\n",
			rcpt.ID, num.Masked(), rcpt.Segments, rcpt.Encoding, p.Units, rcpt.Status)
	}

	fmt.Println("== waiting for delivery reports")
	for _, id := range ids {
		for {
			rec, err := client.Status(ctx, id)
			if err != nil {
				return err
			}
			if rec.Status.Final() {
				fmt.Printf("%s: %s\n", id, rec.Status)
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("no delivery report for %s: %w", id, ctx.Err())
			case <-time.After(10 * time.Millisecond):
			}
		}
	}

	fmt.Println("== traffic records as stored (numbers masked)")
	for rec, err := range client.Records(ctx, storage.Query{Account: "demo"}) {
		if err != nil {
			return err
		}
		printRecord(rec)
	}
	now := time.Now()
	u, err := client.Usage(ctx, "demo", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		return err
	}
	fmt.Printf("== usage: %d messages, %d segments, %d delivered, %d failed\n", u.Messages, u.Segments, u.Delivered, u.Failed)
	return nil
}

func printRecord(r storage.Record) {
	fmt.Fprintf(os.Stdout, "%s account=%s from=%s to=%s transport=%s segments=%d encoding=%s status=%s parts=%d kept-until=%s\n",
		r.ID, r.Account, r.From, advox.MaskNumber(r.To), r.Transport, r.Segments, r.Encoding, r.Status, len(r.Parts),
		r.Deadline.Format("2006-01-02"))
}
