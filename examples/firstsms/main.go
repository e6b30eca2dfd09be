// Command firstsms sends one SMS over SMPP and keeps its traffic record in
// SQLite: the README's first program. The SMSC's address and credentials
// come from SMSC_ADDR, SMSC_USER and SMSC_PASSWORD; the keys that seal the
// record from ADVOX_KEK and ADVOX_INDEX_KEY (openssl rand -hex 32 each;
// see package keyring).
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/storage/sqlstore/sqlite"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport"
)

// The operator behind the SMSC, declared: data goes only to declared
// sub-processors, and the Client registers this one.
var operator = transport.Operator{Name: "Operator AB", Country: "SE", AgreementDate: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}

func main() {
	keys, err := keyring.FromEnv() // the KEK and the blind-index key, kept apart from the data
	check(err)
	store, err := sqlite.Open(context.Background(), "traffic.db", nil)
	check(err)
	tr, err := smpptransport.New(smpptransport.Config{Addr: os.Getenv("SMSC_ADDR"), SystemID: os.Getenv("SMSC_USER"), Password: os.Getenv("SMSC_PASSWORD"), Operator: operator})
	check(err)
	client, err := advox.NewClient(tr, store, &advox.Options{Region: "SE", KEK: keys.KEK, IndexKey: keys.IndexKey})
	check(err)
	defer func() { check(client.Close()) }() // closes the transport and the store too
	rcpt, err := client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "070-123 45 67", Text: "Your code is 4711"})
	check(err)
	fmt.Println("sent:", rcpt.Status)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
