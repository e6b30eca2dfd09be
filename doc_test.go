package advox_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/doccheck"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/sqlstore"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// sendFirst is the package comment's code: a deployment's wiring (an SMPP
// operator declared as a sub-processor, SQLite) and a first SMS.
func sendFirst(ctx context.Context, addr, systemID, password, dbPath string) (rcpt advox.Receipt, err error) {
	tr, err := smpptransport.New(smpptransport.Config{Addr: addr, SystemID: systemID, Password: password})
	if err != nil {
		return rcpt, err
	}
	// Data goes only to declared sub-processors: register the operator.
	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		return rcpt, errors.Join(err, tr.Close())
	}
	store, err := sqlstore.OpenSQLite(dbPath, nil)
	if err != nil {
		return rcpt, errors.Join(err, tr.Close())
	}
	client, err := advox.NewClient(tr, store, &advox.Options{Region: "SE", Processors: procs})
	if err != nil {
		return rcpt, errors.Join(err, tr.Close(), store.Close())
	}
	defer func() { err = errors.Join(err, client.Close()) }() // closes the transport and the store too
	return client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "070-123 45 67", Text: "Your code is 4711"})
}

// The package comment's code, run against the SMSC simulator.
func Example() {
	smsc, err := smsctest.NewServer(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer smsc.Close()
	dir, err := os.MkdirTemp("", "advox-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	rcpt, err := sendFirst(ctx, smsc.Addr(), smsctest.DefaultSystemID, smsctest.DefaultPassword, filepath.Join(dir, "traffic.db"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rcpt.Segments, rcpt.Encoding, rcpt.Status)
	fmt.Println("the SMSC got:", smsc.Messages()[0].To, smsc.Messages()[0].Parts)
	// Output:
	// 1 gsm7 accepted
	// the SMSC got: +46701234567 [Your code is 4711]
}

// Regression: the package comment showed advox.NewClient(tr, store, nil),
// which fails for every transport that reaches an operator. Its code is
// now sendFirst's body, which Example runs.
func TestPackageDocIsTheExample(t *testing.T) {
	doccheck.Snippet(t, "doc.go", "doc_test.go", "sendFirst")
}
