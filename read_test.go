package advox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/phone"
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

// AccountStatus reads the account's own message like Status, and treats
// another account's message exactly like a missing one: not found, not
// opened, not audited as a read.
func TestAccountStatus(t *testing.T) {
	trail := &testkit.AuditLog{}
	c, _ := newClient(t, memtransport.New(nil), &advox.Options{Auditor: trail})
	ctx := context.Background()
	mine := send(t, c, "acct-a", to, "a")
	theirs := send(t, c, "acct-b", to, "b")
	reads := func() int {
		n := 0
		for _, a := range trail.Actions() {
			if a == "read" {
				n++
			}
		}
		return n
	}

	r, err := c.AccountStatus(ctx, advox.PurposeTroubleshoot, "acct-a", mine.ID)
	require.NoError(t, err)
	assert.Equal(t, mine.ID, r.ID)
	assert.Equal(t, phone.Number(to), r.To)
	assert.Equal(t, 1, reads())

	tests := []struct {
		name, account, id string
		code              advox.Code
	}{
		{"another account's message", "acct-a", theirs.ID, advox.CodeNotFound},
		{"a missing message", "acct-a", "no-such-id", advox.CodeNotFound},
		{"no account", "", mine.ID, advox.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.AccountStatus(ctx, advox.PurposeTroubleshoot, tt.account, tt.id)
			assert.Equal(t, tt.code, advox.CodeOf(err))
			assert.Equal(t, 1, reads(), "nothing read")
		})
	}
	_, err = c.AccountStatus(ctx, "", "acct-a", mine.ID)
	assert.Error(t, err, "a purpose is required")
}

func TestReadsRequireAPurpose(t *testing.T) {
	c, _ := newClient(t, memtransport.New(nil), nil)
	rcpt := send(t, c, "acct-1", to, "hi")
	for _, p := range []advox.Purpose{"", "marketing", "Transmit"} {
		_, err := c.Status(context.Background(), p, rcpt.ID)
		assert.ErrorIs(t, err, advox.ErrInvalidArgument, "purpose %q", p)
		for _, err := range c.Records(context.Background(), p, storage.Query{Account: "acct-1"}) {
			assert.ErrorIs(t, err, advox.ErrInvalidArgument)
		}
		_, err = c.Usage(context.Background(), p, "acct-1", time.Time{}, time.Time{})
		assert.ErrorIs(t, err, advox.ErrInvalidArgument)
	}
}

func TestFindByRecipient(t *testing.T) {
	c, _ := newClient(t, memtransport.New(nil), &advox.Options{Region: "SE"})
	a := send(t, c, "acct-1", "+46701234567", "one")
	send(t, c, "acct-1", "+46709876543", "two")
	b := send(t, c, "acct-1", "070-123 45 67", "three")
	send(t, c, "acct-2", "+46701234567", "other account")
	var got []string
	for r, err := range c.FindByRecipient(context.Background(), advox.PurposeTroubleshoot, "acct-1", "0701234567", time.Time{}, time.Time{}) {
		require.NoError(t, err)
		got = append(got, r.ID)
		assert.Equal(t, phone.Number("+46701234567"), r.To)
	}
	assert.Equal(t, []string{a.ID, b.ID}, got)
}

func TestAuditEventsCarryNoPersonalData(t *testing.T) {
	trail := &testkit.AuditLog{}
	c, _ := newClient(t, memtransport.New(nil), &advox.Options{Auditor: trail, Region: "SE"})
	ctx := audit.WithActor(context.Background(), "support-7")
	r := send(t, c, "acct-a", to, "audited")
	_, err := c.Status(ctx, advox.PurposeTroubleshoot, r.ID)
	require.NoError(t, err)
	for range c.FindByRecipient(ctx, advox.PurposeTroubleshoot, "acct-a", to, time.Time{}, time.Time{}) {
	}
	_, err = c.Usage(ctx, advox.PurposeBill, "acct-a", time.Time{}, time.Time{})
	require.NoError(t, err)
	_, err = c.EraseAccountTraffic(ctx, "acct-a", advox.EraseOnRequest)
	require.NoError(t, err)

	require.GreaterOrEqual(t, len(trail.Events()), 4)
	for _, e := range trail.Events() {
		s := fmt.Sprintf("%+v", e)
		assert.False(t, testkit.PhoneNumber.MatchString(s), "audit event carries a number: %s", s)
		assert.False(t, strings.Contains(s, "1234567"), "audit event carries a number: %s", s)
		assert.Equal(t, "support-7", e.Actor)
		assert.Equal(t, "acct-a", e.Account)
	}
	assert.Equal(t, []string{"read", "find by recipient", "usage", "erase:customer-request"}, trail.Actions())
}

// With both keys from configuration, a Client started later on the same
// store finds the records of the one before it by number.
func TestFindByRecipientAcrossRestart(t *testing.T) {
	st := memstore.New(nil)
	opts := &advox.Options{Region: "SE", KEK: kek(t), IndexKey: indexKey, Logger: slog.New(slog.DiscardHandler)}
	first, err := advox.NewClient(memtransport.New(nil), noClose{st}, opts)
	require.NoError(t, err)
	send(t, first, "acct-1", "0701234567", "before the restart")
	require.NoError(t, first.Close())

	second, err := advox.NewClient(memtransport.New(nil), noClose{st}, opts)
	require.NoError(t, err)
	defer second.Close()
	n := 0
	for _, err := range second.FindByRecipient(context.Background(), advox.PurposeTroubleshoot, "acct-1", "+46701234567", time.Time{}, time.Time{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1, n)
}

// A customer-facing API reads a message for the account it acts for:
// another account's message is not found, exactly like a missing one.
func ExampleClient_AccountStatus() {
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	rcpt, err := client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"})
	if err != nil {
		log.Fatal(err)
	}
	rec, err := client.AccountStatus(context.Background(), advox.PurposeTroubleshoot, "acme", rcpt.ID)
	fmt.Println(rec.Status, err)
	_, err = client.AccountStatus(context.Background(), advox.PurposeTroubleshoot, "globex", rcpt.ID)
	fmt.Println(advox.CodeOf(err))
	// Output:
	// accepted <nil>
	// not found
}

// FindByRecipient lets support find a customer's messages to a number
// without the number ever being stored in the clear: the lookup goes
// through a keyed blind index, and every read states its purpose.
func ExampleClient_FindByRecipient() {
	ctx := audit.WithActor(context.Background(), "support-agent-7")
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{Region: "SE"})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	for _, to := range []string{"+46701234567", "+46709876543", "070-123 45 67"} {
		if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: to, Text: "hi"}); err != nil {
			log.Fatal(err)
		}
	}
	for rec, err := range client.FindByRecipient(ctx, advox.PurposeTroubleshoot, "acme", "0701234567", time.Time{}, time.Time{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.To.Masked(), rec.Status)
	}
	// Output:
	// +4670*****67 accepted
	// +4670*****67 accepted
}

// ExportTraffic gives a customer its own traffic, for a stated purpose:
// every record still kept, its recipient number opened, and the usage of
// the period. The export is audited like every read.
func ExampleClient_ExportTraffic() {
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(&memstore.Options{Now: clock}), &advox.Options{Now: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}); err != nil {
		log.Fatal(err)
	}
	b, err := client.ExportTraffic(ctx, advox.PurposeTroubleshoot, "acme", time.Time{}, time.Time{})
	if err != nil {
		log.Fatal(err)
	}
	var doc struct {
		Format  string
		Records []struct{ To, Status string }
		Usage   struct{ Messages int }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.Format, doc.Records[0].To, doc.Records[0].Status, doc.Usage.Messages)
	// Output:
	// advox-traffic-export/1 +46701234567 accepted 1
}
