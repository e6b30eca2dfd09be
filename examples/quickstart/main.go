// Command quickstart runs advox's main job end to end on embedded defaults:
// an in-process SMSC simulator reached over SMPP on loopback, traffic kept
// in SQLite (a file in a temporary directory unless -db names one), a demo
// customer account (and a personal identity number being refused), a few
// messages with their segments and encodings, delivery reports arriving,
// and the traffic records as stored, read back from the database, numbers
// masked.
//
//	go run ./examples/quickstart
//
// With -db the traffic outlives the run, so the keys that seal it must
// too: -db needs a key-encryption key and a blind-index key, 32 random
// bytes each in hex, from the environment (from configuration or a KMS in
// real life). Without -db both are random keys that end with the process,
// like the temporary database.
//
//	export ADVOX_KEK=$(openssl rand -hex 32) ADVOX_INDEX_KEY=$(openssl rand -hex 32)
//	go run ./examples/quickstart -db traffic.db
//
// Ctrl-C stops the run, closes the connections and removes the temporary
// directory.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/storage/sqlstore/sqlite"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

func main() {
	db := flag.String("db", "", "SQLite file for the traffic records, kept after the run (needs "+keyring.EnvKEK+" and "+keyring.EnvIndexKey+"; default: a file in a new temporary directory)")
	flag.Parse()
	// The first Ctrl-C cancels the run, which then closes everything and
	// removes its temporary directory; a second one kills the process.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	context.AfterFunc(ctx, stop)
	err := run(ctx, *db)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dbPath string) (err error) {
	var kek keyring.KEK
	var indexKey []byte
	if dbPath != "" {
		if kek, indexKey, err = keysFromEnv(); err != nil {
			return err
		}
	} else {
		dir, mkErr := os.MkdirTemp("", "advox-quickstart-")
		if mkErr != nil {
			return mkErr
		}
		defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
		dbPath = filepath.Join(dir, "traffic.db")
		// The database ends with the run, so its keys may too: random
		// ones, made here and never written anywhere.
		if kek, indexKey, err = runKeys(); err != nil {
			return err
		}
		fmt.Println("== keys: random for this run (the database is deleted at exit; -db keeps both)")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	// An SMSC simulator in this process, answering over real SMPP on
	// loopback and sending a delivery receipt for every part.
	smsc, err := smsctest.NewServer(&smsctest.Options{ReceiptDelay: 50 * time.Millisecond})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, smsc.Close()) }()
	fmt.Println("== SMSC simulator listening on", smsc.Addr())

	accts, err := demoAccount(ctx)
	if err != nil {
		return err
	}

	store, err := sqlite.Open(ctx, dbPath, nil)
	if err != nil {
		return err
	}
	// smpptransport.New starts binding in the background: from here on,
	// every path closes the transport (through the Client once it has one).
	tr, err := smpptransport.New(smpptransport.Config{
		Name: "smsc-sim", Addr: smsc.Addr(),
		SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
	})
	if err != nil {
		return errors.Join(err, store.Close())
	}
	// Data goes only to declared sub-processors: the operator behind the
	// transport is registered with its country and agreement date.
	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		return errors.Join(err, tr.Close(), store.Close())
	}
	fmt.Println("== traffic stored in SQLite at", dbPath)
	// The quickstart shows only warnings (audit events go to the logger
	// at debug level by default).
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	client, err := advox.NewClient(tr, store, &advox.Options{
		Region: "SE", Processors: procs, Accounts: accts, Logger: logger,
		KEK: kek, IndexKey: indexKey,
	})
	if err != nil {
		return errors.Join(err, tr.Close(), store.Close())
	}
	// Close closes the transport and the store too; its error (the last
	// writes to SQLite) is the run's.
	defer func() { err = errors.Join(err, client.Close()) }()

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
		num, err := phone.ParseNumber(m.To, "SE")
		if err != nil {
			return err
		}
		ids = append(ids, rcpt.ID)
		fmt.Printf("sent %s to %s: %d segment(s), %s (%d units), status %s\n",
			rcpt.ID, num.Masked(), rcpt.Segments, rcpt.Encoding, p.Units, rcpt.Status)
	}

	fmt.Println("== waiting for delivery reports")
	for _, id := range ids {
		if err := awaitFinal(ctx, client, id); err != nil {
			return err
		}
	}
	fmt.Printf("(the SMSC sent %d delivery receipts)\n", smsc.Stats().Delivers)

	fmt.Println("== traffic records read back from SQLite (numbers masked, no message text)")
	for rec, err := range client.Records(ctx, advox.PurposeTroubleshoot, storage.Query{Account: "demo"}) {
		if err != nil {
			return err
		}
		fmt.Printf("%s account=%s from=%s to=%s transport=%s segments=%d encoding=%s status=%s parts=%d kept-until=%s\n",
			rec.ID, rec.Account, rec.From, rec.To.Masked(), rec.Transport, rec.Segments, rec.Encoding,
			rec.Status, len(rec.Parts), rec.Deadline.Format("2006-01-02"))
	}
	now := time.Now()
	u, err := client.Usage(ctx, advox.PurposeBill, "demo", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		return err
	}
	used, err := accts.SegmentsUsed(ctx, "demo", now)
	if err != nil {
		return err
	}
	fmt.Printf("== usage: %d messages, %d segments (%d of the monthly quota), %d delivered, %d failed\n",
		u.Messages, u.Segments, used, u.Delivered, u.Failed)
	return nil
}

// runKeys makes a random key-encryption key and blind-index key for a
// run whose database is deleted at exit.
func runKeys() (keyring.KEK, []byte, error) {
	b := make([]byte, 32+keyring.MinIndexKeyLen)
	if _, err := rand.Read(b); err != nil {
		return nil, nil, err
	}
	kek, err := keyring.NewStaticKEK(b[:32])
	if err != nil {
		return nil, nil, err
	}
	return kek, b[32:], nil
}

// keysFromEnv reads the key-encryption key and the blind-index key that
// traffic kept in a -db file is sealed and indexed under.
func keysFromEnv() (keyring.KEK, []byte, error) {
	keys, err := keyring.FromEnv()
	if err != nil {
		return nil, nil, fmt.Errorf("%w; -db keeps traffic past this run, so the keys that seal it must outlive the run too: "+
			"export %s=$(openssl rand -hex 32) %s=$(openssl rand -hex 32), and keep them: without them the file cannot be read",
			err, keyring.EnvKEK, keyring.EnvIndexKey)
	}
	return keys.KEK, keys.IndexKey, nil
}

// demoAccount registers the demo customer, and shows that a personal
// identity number is refused wherever it is offered.
func demoAccount(ctx context.Context) (*accounts.Accounts, error) {
	accts, err := accounts.New(memstore.NewAccounts(), nil)
	if err != nil {
		return nil, err
	}
	customer := storage.Customer{
		Account: "demo", Organisation: "Demo AB", OrgNumber: "556016-0680", Email: "sms@example.se",
		Limits: storage.ContractLimits{Rate: 20, Burst: 10, MonthlySegments: 1000},
	}
	withPNR := customer
	withPNR.Contacts = []storage.Contact{{Name: "Anna, 811218-9876", Email: "anna@example.se", Role: "support"}}
	_, err = accts.Create(ctx, withPNR)
	if !errors.Is(err, advox.ErrPersonalNumber) {
		return nil, fmt.Errorf("a personnummer was not refused: %v", err)
	}
	fmt.Println("== refused, as it must be:", err)
	if _, err := accts.Create(ctx, customer); err != nil {
		return nil, err
	}
	fmt.Println("== account demo created (Demo AB, contract: 20 msg/s, 1000 segments a month)")
	return accts, nil
}

// awaitFinal polls a message's record until a delivery report settles it.
func awaitFinal(ctx context.Context, client *advox.Client, id string) error {
	for {
		rec, err := client.Status(ctx, advox.PurposeTransmit, id)
		if err != nil {
			return err
		}
		if rec.Status.Final() {
			fmt.Printf("%s: %s (%d part(s) reported)\n", id, rec.Status, len(rec.Parts))
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no delivery report for %s: %w", id, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}
