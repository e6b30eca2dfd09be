package keyring_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/azenna/advox"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/storage/sqlstore/sqlite"
	"github.com/azenna/advox/transport/memtransport"
)

// Recipient numbers are sealed under a per-account data key, which the KEK
// wraps; the wrapped keys live apart from the traffic (for SQLite, in
// FILE.keys). Traffic outlives a restart only under the same KEK, and the
// blind index finds numbers again only under the same IndexKey: both come
// from configuration or a KMS, never from the code. Under another KEK the
// records cannot be opened: that is what makes destroying an account's key
// (EraseAccountTraffic) erase every copy.
func ExampleNewStaticKEK() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "advox-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "traffic.db")
	kek, indexKey := make([]byte, 32), make([]byte, 32) // from configuration in real life
	rand.Read(kek)
	rand.Read(indexKey)

	// open starts a Client on the database, as a process would.
	open := func(kekBytes []byte) *advox.Client {
		k, err := keyring.NewStaticKEK(kekBytes)
		if err != nil {
			log.Fatal(err)
		}
		store, err := sqlite.Open(ctx, path, nil)
		if err != nil {
			log.Fatal(err)
		}
		tr := memtransport.New(nil)
		client, err := advox.NewClient(tr, store, &advox.Options{
			Region: "SE", KEK: k, IndexKey: indexKey, Logger: slog.New(slog.DiscardHandler),
		})
		if err != nil { // the Client did not take them over: close them
			log.Fatal(errors.Join(err, tr.Close(), store.Close()))
		}
		return client
	}

	client := open(kek)
	rcpt, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "070-123 45 67", Text: "hi"})
	if err != nil {
		log.Fatal(err)
	}
	if err := client.Close(); err != nil { // closes the store too
		log.Fatal(err)
	}

	// After a restart, under the same KEK and index key.
	client = open(kek)
	rec, err := client.Status(ctx, advox.PurposeTroubleshoot, rcpt.ID)
	fmt.Println("same KEK:", rec.To.Masked(), err)
	found := 0
	for _, err := range client.FindByRecipient(ctx, advox.PurposeTroubleshoot, "acme", "+46701234567", rec.CreatedAt, rec.CreatedAt.Add(1)) {
		if err != nil {
			log.Fatal(err)
		}
		found++
	}
	fmt.Println("found by number:", found)
	if err := client.Close(); err != nil {
		log.Fatal(err)
	}

	// Under another KEK, nothing sealed can be opened.
	other := make([]byte, 32)
	rand.Read(other)
	client = open(other)
	defer client.Close()
	_, err = client.Status(ctx, advox.PurposeTroubleshoot, rcpt.ID)
	fmt.Println("other KEK:", err)
	// Output:
	// same KEK: +4670*****67 <nil>
	// found by number: 1
	// other KEK: advox: status: unknown: unwrap data key: advox: sealed data is malformed or was tampered with
}

// FromEnv loads the KEK and the blind-index key in one call, for
// advox.Options.
func ExampleFromEnv() {
	// In production the environment comes from the service manager or a
	// secret store; here the keys are set for the example.
	os.Setenv(keyring.EnvKEK, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	os.Setenv(keyring.EnvIndexKey, "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100")
	defer os.Unsetenv(keyring.EnvKEK)
	defer os.Unsetenv(keyring.EnvIndexKey)

	keys, err := keyring.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	opts := &advox.Options{Region: "SE", KEK: keys.KEK, IndexKey: keys.IndexKey}
	fmt.Println(keys, len(opts.IndexKey))

	os.Unsetenv(keyring.EnvKEK)
	_, err = keyring.FromEnv()
	fmt.Println(err)
	// Output:
	// keyring.Keys{redacted} 32
	// advox: load keys: invalid argument: ADVOX_KEK (environment) is missing or not 32 bytes in hex (openssl rand -hex 32)
}
