package advox_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
)

// ctxT is a context for one test, ended with it (or after ten seconds).
func ctxT(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// customer is a valid account's customer data, without contacts or users.
func customer(account string) storage.Customer {
	return storage.Customer{Account: account, Organisation: "Exempelbolaget AB", OrgNumber: "556016-0680"}
}

func newAccounts(t *testing.T, limits storage.ContractLimits) *accounts.Accounts {
	t.Helper()
	accts, err := accounts.New(memstore.NewAccounts(), nil)
	require.NoError(t, err)
	_, err = accts.Create(context.Background(), storage.Customer{Account: "acme", Organisation: "Acme AB", Limits: limits})
	require.NoError(t, err)
	return accts
}

const to = "+46701234567"

func fastBackoff(int, time.Duration) time.Duration { return time.Millisecond }

func newClient(t *testing.T, tr transport.Transport, opts *advox.Options) (*advox.Client, *memstore.Store) {
	t.Helper()
	if opts == nil {
		opts = &advox.Options{}
	}
	if opts.Backoff == nil {
		opts.Backoff = fastBackoff
	}
	st := memstore.New(nil)
	c, err := advox.NewClient(tr, st, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c, st
}

func msg(text string) advox.Message {
	return advox.Message{Account: "acct-1", From: "Advox", To: to, Text: text}
}

// indexKey is the blind-index key that goes with kek: a KEK is refused
// without one.
var indexKey = bytes.Repeat([]byte{9}, keyring.MinIndexKeyLen)

func kek(t *testing.T) *keyring.StaticKEK {
	k, err := keyring.NewStaticKEK(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	return k
}

func send(t *testing.T, c *advox.Client, account, number, text string) advox.Receipt {
	t.Helper()
	r, err := c.Send(context.Background(), advox.Message{Account: account, From: "Advox", To: number, Text: text})
	require.NoError(t, err)
	return r
}

// remote hides memtransport's Local method: a transport that reaches a
// third party, as far as the Client can tell.
type remote struct {
	transport.Transport
}

var agreedOn = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// newClockedClient is a Client whose clock, and its memstore's, is clk.
func newClockedClient(t *testing.T, tr transport.Transport, clk *testkit.Clock, opts *advox.Options) *advox.Client {
	t.Helper()
	opts.Now = clk.Now
	c, err := advox.NewClient(tr, memstore.New(&memstore.Options{Now: clk.Now}), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}
