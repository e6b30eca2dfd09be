package accounttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// Stores is what RunWithClient needs of a store: customer data and the
// traffic a Client records, as an application would wire them (often one
// database for both). Traffic must also be a storage.KeyStore, or the
// Client would need keys of its own.
type Stores struct {
	// Accounts keeps customer data.
	Accounts storage.AccountStore
	// Traffic keeps traffic records; the Client closes it.
	Traffic storage.TrafficStore
}

type clientCase struct {
	name string
	run  func(t *testing.T, s Stores, f Features)
}

var clientCases = []clientCase{
	{"DeleteErasesTrafficEverywhere", testDeleteErasesTraffic},
	{"DeleteRacesSends", testDeleteRacesSends},
	{"ReusedIDInheritsNothing", testReusedID},
	{"ExportTraffic", testExportTraffic},
}

// RunWithClient runs the cases that drive the stores through the real
// accounts.Accounts and advox.Client: deleting a customer erases its traffic
// on every Client that uses the Accounts and leaves no record even with
// sends racing the delete; a deleted customer's id, with the usage its
// erased traffic left, never passes to a new customer; the customer's
// traffic export. newStores must return fresh, empty stores each time;
// the suite closes them.
func RunWithClient(t *testing.T, newStores func(t *testing.T) Stores, f Features) {
	t.Helper()
	if f.Concurrency <= 0 {
		f.Concurrency = 16
	}
	for _, c := range clientCases {
		t.Run(c.name, func(t *testing.T) {
			s := newStores(t)
			require.NotNil(t, s.Accounts, "newStores returned no account store")
			require.NotNil(t, s.Traffic, "newStores returned no traffic store")
			t.Cleanup(func() { _ = s.Accounts.Close() })
			c.run(t, s, f)
		})
	}
}

// clientOn returns Accounts over s.Accounts and a Client recording into
// s.Traffic through an in-memory transport, closed when the test ends.
func clientOn(t *testing.T, s Stores) (*accounts.Accounts, *advox.Client) {
	t.Helper()
	accts, err := accounts.New(s.Accounts, nil)
	require.NoError(t, err)
	c, err := advox.NewClient(memtransport.New(nil), s.Traffic, &advox.Options{Accounts: accts, KeysInTrafficDatabase: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return accts, c
}

// customer is a minimal valid account for the Client cases.
func customer(account string) storage.Customer {
	return storage.Customer{Account: account, Organisation: "Exempelbolaget AB"}
}

func send(ctx context.Context, c *advox.Client, account string) error {
	_, err := c.Send(ctx, advox.Message{Account: account, From: "Exempel", To: "+46701234567", Text: "hej"})
	return err
}

// recordsOf counts the account's records in the store, read directly.
func recordsOf(t *testing.T, s storage.TrafficStore, account string) int {
	t.Helper()
	n := 0
	for _, err := range s.Query(ctx(t), storage.Query{Account: account}) {
		require.NoError(t, err)
		n++
	}
	return n
}

func testDeleteErasesTraffic(t *testing.T, s Stores, _ Features) {
	accts, c := clientOn(t, s)
	// A second Client using the same Accounts, recording elsewhere.
	other := memstore.New(nil)
	c2, err := advox.NewClient(memtransport.New(nil), other, &advox.Options{Accounts: accts})
	require.NoError(t, err)
	defer func() { assert.NoError(t, c2.Close()) }()
	_, err = accts.Create(ctx(t), customer("acct-del"))
	require.NoError(t, err)
	_, err = accts.Create(ctx(t), customer("acct-keep"))
	require.NoError(t, err)
	for range 3 {
		require.NoError(t, send(ctx(t), c, "acct-del"))
		require.NoError(t, send(ctx(t), c2, "acct-del"))
		require.NoError(t, send(ctx(t), c, "acct-keep"))
	}

	require.NoError(t, accts.Delete(ctx(t), "acct-del"))
	assert.Zero(t, recordsOf(t, s.Traffic, "acct-del"), "erased in the store under test")
	assert.Zero(t, recordsOf(t, other, "acct-del"), "erased in every Client's store")
	assert.Equal(t, 3, recordsOf(t, s.Traffic, "acct-keep"), "other accounts stay")
	u, err := c.Usage(ctx(t), advox.PurposeBill, "acct-del", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 3, u.Messages, "billing survives as aggregates")
	assert.ErrorIs(t, send(ctx(t), c, "acct-del"), advox.ErrNotFound)
	assert.ErrorIs(t, send(ctx(t), c2, "acct-del"), advox.ErrNotFound)
}

// testDeleteRacesSends deletes customers while sends to them run: every
// send either fails as not found or is erased with the rest, so that no
// record survives, and the usage kept for billing counts exactly the
// sends that went out.
func testDeleteRacesSends(t *testing.T, s Stores, f Features) {
	accts, c := clientOn(t, s)
	total := 0
	for round := range 8 {
		account := fmt.Sprintf("acct-race-%d", round)
		_, err := accts.Create(ctx(t), customer(account))
		require.NoError(t, err)
		var sent, started atomic.Int64
		var wg sync.WaitGroup
		for range f.Concurrency {
			wg.Go(func() {
				for {
					started.Add(1)
					err := send(ctx(t), c, account)
					if err == nil {
						sent.Add(1)
						continue
					}
					assert.ErrorIs(t, err, advox.ErrNotFound)
					return
				}
			})
		}
		for started.Load() < int64(2*f.Concurrency) {
			time.Sleep(time.Millisecond)
		}
		require.NoError(t, accts.Delete(ctx(t), account))
		wg.Wait()

		assert.Zero(t, recordsOf(t, s.Traffic, account), "round %d: a record survived the delete", round)
		u, err := c.Usage(ctx(t), advox.PurposeBill, account, time.Time{}, time.Time{})
		require.NoError(t, err)
		assert.Equal(t, int(sent.Load()), u.Messages, "round %d: every send that went out is billed once", round)
		total += int(sent.Load())
	}
	assert.Positive(t, total, "sends went out while the deletes ran")
}

// testReusedID: a deleted customer's id is never given to a new one, so
// the usage its erased traffic left cannot attach to someone else.
func testReusedID(t *testing.T, s Stores, _ Features) {
	accts, c := clientOn(t, s)
	_, err := accts.Create(ctx(t), customer("acct-old"))
	require.NoError(t, err)
	for range 3 {
		require.NoError(t, send(ctx(t), c, "acct-old"))
	}
	require.NoError(t, accts.Delete(ctx(t), "acct-old"))
	_, err = accts.Create(ctx(t), customer("acct-old"))
	require.Error(t, err, "the id is retired")
	assert.True(t, errors.Is(err, advox.ErrInvalidArgument), "%v", err)
	_, err = accts.Get(ctx(t), "acct-old")
	assert.ErrorIs(t, err, advox.ErrNotFound)
}

// testExportTraffic: the customer's traffic, exported for a stated
// purpose, holds its records and nothing of other accounts.
func testExportTraffic(t *testing.T, s Stores, _ Features) {
	accts, c := clientOn(t, s)
	for _, a := range []string{"acct-x", "acct-y"} {
		_, err := accts.Create(ctx(t), customer(a))
		require.NoError(t, err)
	}
	require.NoError(t, send(ctx(t), c, "acct-x"))
	require.NoError(t, send(ctx(t), c, "acct-x"))
	require.NoError(t, send(ctx(t), c, "acct-y"))
	doc, err := c.ExportTraffic(ctx(t), advox.PurposeTroubleshoot, "acct-x", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Contains(t, string(doc), `"account": "acct-x"`)
	assert.NotContains(t, string(doc), "acct-y")
	assert.Contains(t, string(doc), "+46701234567", "the customer's own traffic, numbers included")
}
