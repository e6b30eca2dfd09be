package smpptransport_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/doccheck"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// A Transport used on its own, against the in-process SMSC simulator: one
// submit_sm, its id, and the delivery receipt that follows.
func ExampleNew() {
	smsc, err := smsctest.NewServer(nil)
	if err != nil {
		panic(err)
	}
	defer smsc.Close()

	tr, err := smpptransport.New(smpptransport.Config{
		Addr:     smsc.Addr(),
		SystemID: smsctest.DefaultSystemID,
		Password: smsctest.DefaultPassword,
	})
	if err != nil {
		panic(err)
	}
	reports := make(chan transport.Report, 1)
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error { reports <- r; return nil })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := tr.Submit(ctx, &transport.Message{
		From:            transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
		To:              "+46701234567",
		Encoding:        transport.GSM7,
		Parts:           []string{"Hello from advox"},
		ReportRequested: true,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("operator ids:", res.OperatorIDs)
	r := <-reports
	fmt.Println("report:", r.OperatorID, r.Status)
	_ = tr.Close()
	for _, m := range smsc.Messages() {
		fmt.Println("the SMSC got:", m.From, m.To, m.Encoding, m.Parts)
	}
	// Output:
	// operator ids: [2684354561]
	// report: 2684354561 delivered
	// the SMSC got: Advox +46701234567 gsm7 [Hello from advox]
}

// newClient is the package comment's code: a Client sending through SMPP
// to the operator at addr, declared as a sub-processor, recording into
// store. When it fails, store stays open for the caller to close.
func newClient(addr, systemID, password string, store storage.TrafficStore) (*advox.Client, error) {
	tr, err := smpptransport.New(smpptransport.Config{
		Addr: addr, SystemID: systemID, Password: password,
		Sessions: 2, Window: 64, MaxRate: 100,
	})
	if err != nil {
		return nil, err
	}
	// Data goes only to declared sub-processors: register the operator.
	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		return nil, errors.Join(err, tr.Close())
	}
	client, err := advox.NewClient(tr, store, &advox.Options{Processors: procs})
	if err != nil {
		return nil, errors.Join(err, tr.Close())
	}
	return client, nil
}

// Regression: the package comment showed advox.NewClient(tr, store, nil),
// which fails for every transport that reaches an operator. Its code is
// now newClient's body, which Example_client runs.
func TestPackageDocIsTheExample(t *testing.T) {
	doccheck.Snippet(t, "doc.go", "example_test.go", "newClient")
}

// The usual wiring: a Client sending through SMPP, with delivery reports
// settling the traffic record.
func Example_client() {
	smsc, err := smsctest.NewServer(nil)
	if err != nil {
		panic(err)
	}
	defer smsc.Close()
	client, err := newClient(smsc.Addr(), smsctest.DefaultSystemID, smsctest.DefaultPassword, memstore.New(nil))
	if err != nil {
		panic(err)
	}
	defer client.Close() // closes the transport and the store too

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rcpt, err := client.Send(ctx, advox.Message{
		Account: "acme", From: "Advox", To: "+46701234567",
		Text: "Your order has shipped and will arrive on Thursday. This text is longer than " +
			"the 160 characters of one SMS, so the Client splits it and the transport sends two " +
			"submit_sm with a concatenation header.",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(rcpt.Segments, "segments,", rcpt.Encoding, rcpt.OperatorIDs)
	for {
		rec, err := client.Status(ctx, advox.PurposeTransmit, rcpt.ID)
		if err != nil {
			panic(err)
		}
		if rec.Status.Final() {
			fmt.Println("status:", rec.Status)
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Output:
	// 2 segments, gsm7 [2684354561 2684354562]
	// status: delivered
}
