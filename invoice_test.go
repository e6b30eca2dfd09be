package advox_test

import (
	"context"
	"fmt"
	"log"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

func TestInvoiceHoldThroughClient(t *testing.T) {
	clk := testkit.NewClock(time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC))
	st := memstore.New(&memstore.Options{Now: clk.Now})
	c, err := advox.NewClient(memtransport.New(nil), st, &advox.Options{Now: clk.Now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	billed := send(t, c, "acct-i", to, "billed")
	clk.Set(time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC))
	unbilled := send(t, c, "acct-i", to, "next month")

	clk.Set(time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC))
	inv, n, err := c.CreateInvoice(context.Background(), advox.InvoiceRequest{
		ID: "INV-2026-01", Account: "acct-i",
		PeriodStart: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
	})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, 2036, inv.TimeBar.Year(), "business invoices: ten years")

	// 15 January + 5 months = 15 June: the billed record is held, the other
	// record of February keeps its own deadline of 3 July.
	clk.Set(time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC))
	_, err = c.Status(context.Background(), advox.PurposeBill, billed.ID)
	require.NoError(t, err, "held by the open invoice")
	_, err = c.SetInvoiceState(context.Background(), "INV-2026-01", storage.InvoicePartiallyPaid)
	require.NoError(t, err)
	_, err = c.Status(context.Background(), advox.PurposeBill, billed.ID)
	require.NoError(t, err, "a partial payment ends nothing")
	_, err = c.SetInvoiceState(context.Background(), "INV-2026-01", storage.InvoicePaid)
	require.NoError(t, err)
	_, err = c.Status(context.Background(), advox.PurposeBill, billed.ID)
	assert.ErrorIs(t, err, advox.ErrNotFound, "paid: gone")
	_, err = c.Status(context.Background(), advox.PurposeBill, unbilled.ID)
	assert.NoError(t, err)

	rep, err := advox.NewRetention(st, &advox.RetentionOptions{Now: clk.Now}).PurgeNow(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Deleted)
	assert.Equal(t, time.Date(2026, 7, 3, 9, 0, 0, 0, time.UTC), rep.OldestDeadline)
	_, err = c.SetInvoiceState(context.Background(), "INV-2026-01", storage.InvoiceCredited)
	assert.ErrorIs(t, err, advox.ErrInvalidArgument, "a final state never changes")

	_, u, err := c.Invoice(context.Background(), "INV-2026-01")
	require.NoError(t, err)
	assert.Zero(t, u.Messages, "purged records leave the invoice's usage")
}

// An invoice that is still unpaid when its records reach their five-month
// deadline holds them until it is settled — and only them.
func ExampleClient_CreateInvoice() {
	ctx := context.Background()
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}); err != nil {
		log.Fatal(err)
	}
	month := time.Now().UTC()
	inv, linked, err := client.CreateInvoice(ctx, advox.InvoiceRequest{
		ID: "INV-1", Account: "acme", PeriodStart: month.AddDate(0, -1, 0), PeriodEnd: month.Add(time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.State, linked, "record(s) held until settled")
	inv, err = client.SetInvoiceState(ctx, "INV-1", storage.InvoicePaid)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.State, inv.State.Final())
	// Output:
	// open 1 record(s) held until settled
	// paid true
}
