package advox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/pii"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// readable reports whether the Client still returns message id through
// each of its reads: Status, Records and FindByRecipient.
func readable(t *testing.T, c *advox.Client, account, id string) (status, listed, found bool) {
	t.Helper()
	ctx := context.Background()
	_, err := c.Status(ctx, advox.PurposeTroubleshoot, id)
	if err != nil {
		require.ErrorIs(t, err, advox.ErrNotFound)
	}
	status = err == nil
	for r, err := range c.Records(ctx, advox.PurposeBill, storage.Query{Account: account}) {
		require.NoError(t, err)
		listed = listed || r.ID == id
	}
	for r, err := range c.FindByRecipient(ctx, advox.PurposeTroubleshoot, account, to, time.Time{}, time.Time{}) {
		require.NoError(t, err)
		found = found || r.ID == id
	}
	return status, listed, found
}

// TestReadsHonourTheClientsClock: the Client owns the retention policy, so
// its reads never return a record past its deadline by the Client's clock,
// even when the store's clock lags behind (or a store does not hide such
// records) and before any purge — except while an invoice not yet final
// holds it, until its time-bar.
func TestReadsHonourTheClientsClock(t *testing.T) {
	sent := time.Date(2025, 10, 31, 9, 0, 0, 0, time.UTC)
	deadline := time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC)
	billed := time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	tests := []struct {
		name     string
		billedAt time.Time            // zero: unbilled
		state    storage.InvoiceState // "" leaves the invoice open
		at       time.Time
		visible  bool
	}{
		{"unbilled, before the deadline", time.Time{}, "", deadline.Add(-time.Second), true},
		{"unbilled, at the deadline", time.Time{}, "", deadline, false},
		{"held by an open invoice", billed, "", deadline.Add(time.Hour), true},
		{"held through a partial payment", billed, storage.InvoicePartiallyPaid, deadline.Add(time.Hour), true},
		{"paid: the hold ends", billed, storage.InvoicePaid, deadline.Add(time.Hour), false},
		{"open past its time-bar", billed, "", time.Date(2035, 11, 5, 0, 0, 0, 0, time.UTC), false},
		// Unbilled at its deadline, the record kept the hard cap: an
		// invoice issued later (the lagging store still linked it) does
		// not bring it back.
		{"invoiced only after the deadline", deadline.Add(time.Hour), "", deadline.Add(2 * time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storeClk, clk := testkit.NewClock(sent), testkit.NewClock(sent)
			st := memstore.New(&memstore.Options{Now: storeClk.Now})
			c, err := advox.NewClient(memtransport.New(nil), st, &advox.Options{Now: clk.Now, Region: "SE"})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			r := send(t, c, "acct-clk", to, "hi")
			if !tt.billedAt.IsZero() {
				clk.Set(tt.billedAt)
				_, n, err := c.CreateInvoice(ctx, advox.InvoiceRequest{ID: "INV-clk", Account: "acct-clk",
					PeriodStart: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
				require.NoError(t, err)
				require.Equal(t, 1, n)
				if tt.state != "" {
					_, err = c.SetInvoiceState(ctx, "INV-clk", tt.state)
					require.NoError(t, err)
				}
			}
			clk.Set(tt.at) // the store's clock stays at the send
			status, listed, found := readable(t, c, "acct-clk", r.ID)
			assert.Equal(t, tt.visible, status, "Status")
			assert.Equal(t, tt.visible, listed, "Records")
			assert.Equal(t, tt.visible, found, "FindByRecipient")
		})
	}
}

// TestFailedAfterBillingKeepsTheHardCap: a record billed while pending
// whose message then fails is not billed after all; failed records keep
// the hard cap, so an open invoice does not make it readable past its
// deadline.
func TestFailedAfterBillingKeepsTheHardCap(t *testing.T) {
	sent := time.Date(2025, 10, 31, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	clk := testkit.NewClock(sent)
	st := memstore.New(&memstore.Options{Now: clk.Now})
	c, err := advox.NewClient(memtransport.New(nil), st, &advox.Options{Now: clk.Now, Region: "SE"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	failed, delivered := send(t, c, "acct-f", to, "fails later"), send(t, c, "acct-f", to, "delivered")
	clk.Set(time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC))
	_, n, err := c.CreateInvoice(ctx, advox.InvoiceRequest{ID: "INV-f", Account: "acct-f",
		PeriodStart: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.Equal(t, 2, n, "both pending at invoicing")
	for id, s := range map[string]transport.Status{failed.ID: transport.StatusUndeliverable, delivered.ID: transport.StatusDelivered} {
		_, err = st.UpdateStatus(ctx, storage.StatusUpdate{ID: id, Part: storage.AllParts, Status: s, At: clk.Now()})
		require.NoError(t, err)
	}

	clk.Set(time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)) // past the deadline, invoice open
	status, listed, found := readable(t, c, "acct-f", delivered.ID)
	assert.True(t, status && listed && found, "a delivered billed record is held")
	status, listed, found = readable(t, c, "acct-f", failed.ID)
	assert.False(t, status || listed || found, "a failed record keeps the hard cap (status %v, listed %v, found %v)", status, listed, found)
}

// TestReadsRefuseAnIdentityNumberAsAccount: the account of a read ends up
// in the audit trail, which never holds an identity number; a read naming
// one as the account is refused without echoing it and is not audited.
func TestReadsRefuseAnIdentityNumberAsAccount(t *testing.T) {
	trail := &testkit.AuditLog{}
	c, _ := newClient(t, memtransport.New(nil), &advox.Options{Auditor: trail, Region: "SE"})
	ctx := context.Background()
	const pnr = "811218-9876"
	var errs []error
	_, err := c.Usage(ctx, advox.PurposeBill, pnr, time.Time{}, time.Time{})
	errs = append(errs, err)
	for _, err := range c.Records(ctx, advox.PurposeBill, storage.Query{Account: pnr}) {
		errs = append(errs, err)
	}
	for _, err := range c.FindByRecipient(ctx, advox.PurposeTroubleshoot, pnr, to, time.Time{}, time.Time{}) {
		errs = append(errs, err)
	}
	_, err = c.AccountStatus(ctx, advox.PurposeTroubleshoot, pnr, "some-id")
	errs = append(errs, err)
	require.Len(t, errs, 4)
	for i, err := range errs {
		require.Error(t, err, "read %d", i)
		assert.ErrorIs(t, err, advox.ErrPersonalNumber, "read %d", i)
		assert.NotContains(t, err.Error(), "9876", "read %d echoes the number", i)
	}
	for _, e := range trail.Events() {
		assert.False(t, pii.ContainsPersonalNumber(e.Account), "audited account %q", e.Account)
	}
}

// TestKeptBodyGoneByTheClientsClock: a kept body past BodyRetention by the
// Client's clock is not returned, even when the store's clock lags.
func TestKeptBodyGoneByTheClientsClock(t *testing.T) {
	sent := time.Date(2025, 10, 31, 9, 0, 0, 0, time.UTC)
	storeClk, clk := testkit.NewClock(sent), testkit.NewClock(sent)
	st := memstore.New(&memstore.Options{Now: storeClk.Now})
	c, err := advox.NewClient(memtransport.New(nil), st, &advox.Options{Now: clk.Now, KeepBodies: true, BodyRetention: time.Hour})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	r := send(t, c, "acct-body", to, "kept for a while")
	got, err := c.Status(context.Background(), advox.PurposeTroubleshoot, r.ID)
	require.NoError(t, err)
	require.Equal(t, "kept for a while", got.Body)

	clk.Advance(time.Hour)
	got, err = c.Status(context.Background(), advox.PurposeTroubleshoot, r.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Body, "Status")
	for rec, err := range c.Records(context.Background(), advox.PurposeTroubleshoot, storage.Query{Account: "acct-body"}) {
		require.NoError(t, err)
		assert.Empty(t, rec.Body, "Records")
	}
}
