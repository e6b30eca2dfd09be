package accounts_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

func TestDeleteErasesTrafficThenCustomerData(t *testing.T) {
	traffic := memstore.New(nil)
	t.Cleanup(func() { _ = traffic.Close() })
	var order []string
	f := newAcctFixture(t, &accounts.Options{EraseTraffic: func(ctx context.Context, account string) error {
		order = append(order, "erase "+account)
		_, err := traffic.EraseAccount(ctx, account)
		return err
	}})
	ctx := ctxT(t)
	_, err := f.acc.Create(ctx, demoCustomer("acme"))
	require.NoError(t, err)
	rec := storage.Record{
		ID: "m1", Account: "acme", Transport: "mem", From: "Advox", Encoding: transport.GSM7,
		Segments: 1, Parts: []storage.Part{{OperatorID: "op1", Status: transport.StatusDelivered, UpdatedAt: acctEpoch}},
		Status: transport.StatusDelivered, CreatedAt: acctEpoch, UpdatedAt: acctEpoch, Deadline: time.Now().AddDate(1, 0, 0),
	}
	require.NoError(t, traffic.Record(ctx, rec))

	require.NoError(t, f.acc.Delete(ctx, "acme"))
	assert.Equal(t, []string{"erase acme"}, order)
	_, err = traffic.Get(ctx, "m1")
	assert.ErrorIs(t, err, storage.ErrNotFound, "traffic erased")
	_, err = f.acc.Get(ctx, "acme")
	assert.ErrorIs(t, err, advox.ErrNotFound, "customer data deleted")
	_, err = f.store.FindUser(ctx, "acme-api")
	assert.ErrorIs(t, err, storage.ErrNotFound, "users deleted")
	assert.ErrorIs(t, f.acc.Delete(ctx, "acme"), advox.ErrNotFound)
	assert.Contains(t, f.audit.Actions(), "delete account")
}

func TestDeleteKeepsDataWhenEraseFails(t *testing.T) {
	boom := errors.New("traffic store down")
	f := newAcctFixture(t, &accounts.Options{EraseTraffic: func(context.Context, string) error { return boom }})
	_, err := f.acc.Create(ctxT(t), demoCustomer("acme"))
	require.NoError(t, err)
	assert.ErrorIs(t, f.acc.Delete(ctxT(t), "acme"), boom)
	_, err = f.acc.Get(ctxT(t), "acme")
	assert.NoError(t, err, "kept, so Delete can be retried")
}

// TestDeleteWithClientNeedsNoWiring: Accounts used by a Client erase the
// account's traffic in its store on Delete; nothing is wired by hand.
// Broke: without the EraseTraffic option, Delete left every record.
func TestDeleteWithClientNeedsNoWiring(t *testing.T) {
	f := newAcctFixture(t, nil)
	traffic := memstore.New(nil)
	c, err := advox.NewClient(memtransport.New(nil), traffic, &advox.Options{Accounts: f.acc, Auditor: f.audit})
	require.NoError(t, err)
	defer c.Close()
	ctx := ctxT(t)
	_, err = f.acc.Create(ctx, demoCustomer("acme"))
	require.NoError(t, err)
	rcpt, err := c.Send(ctx, advox.Message{Account: "acme", From: "Advox", To: "+46701234567", Text: "hej"})
	require.NoError(t, err)

	require.NoError(t, f.acc.Delete(ctx, "acme"))
	_, err = traffic.Get(ctx, rcpt.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "traffic erased")
	assert.Subset(t, f.audit.Actions(), []string{"erase:account-closed", "delete account"})
	_, err = c.Send(ctx, advox.Message{Account: "acme", From: "Advox", To: "+46701234567", Text: "hej"})
	assert.ErrorIs(t, err, advox.ErrNotFound, "closed to sends")
}

// TestDeleteRefusesWithNowhereToErase: with no Client using the Accounts
// (none yet, or all closed) and no EraseTraffic, Delete refuses rather
// than leave the customer's traffic behind.
func TestDeleteRefusesWithNowhereToErase(t *testing.T) {
	f := newAcctFixture(t, nil)
	ctx := ctxT(t)
	_, err := f.acc.Create(ctx, demoCustomer("acme"))
	require.NoError(t, err)
	assert.ErrorIs(t, f.acc.Delete(ctx, "acme"), advox.ErrUnavailable)

	c, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{Accounts: f.acc})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	assert.ErrorIs(t, f.acc.Delete(ctx, "acme"), advox.ErrUnavailable, "a closed Client erases nothing")
	_, err = f.acc.Get(ctx, "acme")
	assert.NoError(t, err, "nothing deleted")
	_, err = c.Send(ctx, advox.Message{Account: "acme", From: "Advox", To: "+46701234567", Text: "hej"})
	assert.ErrorIs(t, err, advox.ErrClosed)
}
