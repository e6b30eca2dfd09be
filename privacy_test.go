package advox_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

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

func TestRecipientSealedAtRest(t *testing.T) {
	c, st := newClient(t, memtransport.New(nil), &advox.Options{KEK: kek(t), IndexKey: indexKey})
	rcpt := send(t, c, "acct-1", to, "sealed")
	stored, err := st.Get(context.Background(), rcpt.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, stored.Recipient.KeyID)
	assert.NotContains(t, string(stored.Recipient.Data), "1234567", "the store holds ciphertext only")
	assert.NotContains(t, string(stored.RecipientIndex), "1234567")
	assert.True(t, stored.Body.IsZero(), "bodies are not stored by default")

	rec, err := c.Status(context.Background(), advox.PurposeTroubleshoot, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, phone.Number(to), rec.To)
	assert.Empty(t, rec.Body)

	// Tampering with the ciphertext, or moving it to another record, fails.
	other := send(t, c, "acct-1", to, "second")
	st2, err := st.Get(context.Background(), other.ID)
	require.NoError(t, err)
	assert.NotEqual(t, stored.Recipient.Data, st2.Recipient.Data, "fresh nonce per record")
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

func TestKeepBodiesForTroubleshooting(t *testing.T) {
	clk := testkit.NewClock(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	tr := memtransport.New(nil)
	st := memstore.New(&memstore.Options{Now: clk.Now})
	c, err := advox.NewClient(tr, st, &advox.Options{KeepBodies: true, BodyRetention: time.Hour, Now: clk.Now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	a := send(t, c, "acct-1", to, "why did this fail?")
	b := send(t, c, "acct-1", to, "and this one?")
	rec, err := c.Status(context.Background(), advox.PurposeTroubleshoot, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "why did this fail?", rec.Body)
	stored, err := st.Get(context.Background(), a.ID)
	require.NoError(t, err)
	assert.NotContains(t, string(stored.Body.Data), "fail", "kept bodies are sealed")

	tr.Report(context.Background(), transport.Report{OperatorID: a.OperatorIDs[0], Status: transport.StatusDelivered})
	rec, err = c.Status(context.Background(), advox.PurposeTroubleshoot, a.ID)
	require.NoError(t, err)
	assert.Empty(t, rec.Body, "dropped when the message is final")

	clk.Set(clk.Now().Add(time.Hour))
	rec, err = c.Status(context.Background(), advox.PurposeTroubleshoot, b.ID)
	require.NoError(t, err)
	assert.Empty(t, rec.Body, "dropped after the body retention")
}

func TestEraseCryptoShredsThenDeletes(t *testing.T) {
	trail := &testkit.AuditLog{}
	c, st := newClient(t, memtransport.New(nil), &advox.Options{KEK: kek(t), IndexKey: indexKey, Auditor: trail})
	var ids []string
	for i := range 20 {
		ids = append(ids, send(t, c, "acct-x", fmt.Sprintf("+4670123%04d", i), "x").ID)
	}
	keep := send(t, c, "acct-y", to, "y")
	backup, err := st.Get(context.Background(), ids[0]) // a copy taken before the erase
	require.NoError(t, err)

	rep, err := c.EraseAccountTraffic(context.Background(), "acct-x", advox.EraseOnRequest)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.KeysDestroyed)
	assert.Equal(t, 20, rep.Records)
	assert.Less(t, rep.UnreadableAfter, time.Second)

	for _, id := range ids {
		_, err := c.Status(context.Background(), advox.PurposeTroubleshoot, id)
		assert.ErrorIs(t, err, advox.ErrNotFound)
	}
	for _, err := range c.Records(context.Background(), advox.PurposeTroubleshoot, storage.Query{Account: "acct-x"}) {
		t.Fatalf("a record survived the erase (err %v)", err)
	}
	for _, err := range c.FindByRecipient(context.Background(), advox.PurposeTroubleshoot, "acct-x", "+46701230000", time.Time{}, time.Time{}) {
		t.Fatalf("a lookup by number found erased traffic (err %v)", err)
	}
	u, err := c.Usage(context.Background(), advox.PurposeBill, "acct-x", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 20, u.Messages, "billing survives as aggregates")

	// The copy taken before is unreadable: its key is gone, and the store
	// refuses to take it back.
	_, err = st.Key(context.Background(), backup.Recipient.KeyID)
	assert.ErrorIs(t, err, storage.ErrErased, "the data key of the copy is destroyed")
	err = st.Record(context.Background(), backup)
	assert.ErrorIs(t, err, storage.ErrErased, "a restored copy is refused")

	_, err = c.Status(context.Background(), advox.PurposeTroubleshoot, keep.ID)
	assert.NoError(t, err, "other accounts are untouched")

	// New traffic after the erase gets a new key and is readable.
	after := send(t, c, "acct-x", to, "after")
	rec, err := c.Status(context.Background(), advox.PurposeTroubleshoot, after.ID)
	require.NoError(t, err)
	assert.Equal(t, phone.Number(to), rec.To)
	assert.Contains(t, trail.Actions(), "erase:customer-request")

	_, err = c.EraseAccountTraffic(context.Background(), "acct-x", "because")
	assert.ErrorIs(t, err, advox.ErrInvalidArgument, "reasons are a closed set")
}

// TestEraseUnderConcurrentSends: sends racing an erase are either erased
// with it or recorded after it, readable under the new key; nothing sent
// before the erase began survives.
func TestEraseUnderConcurrentSends(t *testing.T) {
	c, st := newClient(t, memtransport.New(nil), &advox.Options{KEK: kek(t), IndexKey: indexKey})
	var before []string
	for range 50 {
		before = append(before, send(t, c, "acct-c", to, "before").ID)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := c.Send(context.Background(), advox.Message{Account: "acct-c", From: "Advox", To: to, Text: "during"})
				assert.NoError(t, err)
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	_, err := c.EraseAccountTraffic(context.Background(), "acct-c", advox.EraseOnRequest)
	require.NoError(t, err)
	close(stop)
	wg.Wait()

	for _, id := range before {
		_, err := st.Get(context.Background(), id)
		assert.ErrorIs(t, err, storage.ErrNotFound, "traffic from before the erase survived")
	}
	n := 0
	for r, err := range c.Records(context.Background(), advox.PurposeTroubleshoot, storage.Query{Account: "acct-c"}) {
		require.NoError(t, err, "every surviving record was recorded after the erase, under the new key")
		assert.Equal(t, phone.Number(to), r.To)
		n++
	}
	t.Logf("%d sends recorded after the erase", n)
}

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

func TestClientRunsTheEnforcer(t *testing.T) {
	clk := testkit.NewClock(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC))
	st := memstore.New(&memstore.Options{Now: clk.Now})
	trail := &testkit.AuditLog{}
	c, err := advox.NewClient(memtransport.New(nil), st, &advox.Options{Now: clk.Now, PurgeEvery: 5 * time.Millisecond, Auditor: trail})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	r := send(t, c, "acct-e", to, "old")
	clk.Set(time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)) // 31 Jan + 5 months = 30 June
	require.Eventually(t, func() bool {
		_, err := st.Get(context.Background(), r.ID)
		return err != nil
	}, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool {
		for _, a := range trail.Actions() {
			if a == "purge" {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond)
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

func TestNewClientNeedsAKeyStore(t *testing.T) {
	_, err := advox.NewClient(memtransport.New(nil), storeWithoutKeys{memstore.New(nil)}, nil)
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
	_, err = advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{IndexKey: []byte("short")})
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
}

// Regression: a KEK without an IndexKey was accepted silently, and after a
// restart FindByRecipient missed every earlier record (the blind index was
// keyed per process while the records stayed readable). NewClient refuses
// it; the zero-config path (neither key) stays open.
func TestNewClientRefusesKEKWithoutIndexKey(t *testing.T) {
	tests := []struct {
		name string
		opts advox.Options
		ok   bool
	}{
		{"neither: per-process keys", advox.Options{}, true},
		{"both", advox.Options{KEK: kek(t), IndexKey: indexKey}, true},
		{"index key alone", advox.Options{IndexKey: indexKey}, true},
		{"KEK alone", advox.Options{KEK: kek(t)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), &tc.opts)
			if tc.ok {
				require.NoError(t, err)
				assert.NoError(t, c.Close())
				return
			}
			assert.ErrorIs(t, err, advox.ErrInvalidArgument)
			assert.ErrorContains(t, err, "IndexKey")
		})
	}
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

// storeWithoutKeys hides memstore's KeyStore methods.
type storeWithoutKeys struct{ storage.TrafficStore }

// Client.Processing and Accounts.Processing describe the live
// configuration, and the record of processing generated from them claims
// what it does: the Client's register, policy, trail and kept bodies, and
// accounts that a Client erases traffic for.
func TestClientProcessingDescribesTheLiveConfiguration(t *testing.T) {
	procs, err := processing.NewRegister(processing.OperatorProcessor("mem", "SE", time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)))
	require.NoError(t, err)
	accts, err := accounts.New(memstore.NewAccounts(), &accounts.Options{AuthLimit: accounts.AuthLimit{Failures: 4, Every: 30 * time.Second},
		Auditor: &testkit.AuditLog{}})
	require.NoError(t, err)
	assert.False(t, accts.Processing().DeletesTraffic, "no Client uses the accounts yet")
	c, err := advox.NewClient(remote{memtransport.New(nil)}, memstore.New(nil), &advox.Options{
		Processors: procs, Accounts: accts, Auditor: &testkit.AuditLog{}, KeepBodies: true, BodyRetention: 48 * time.Hour,
		Retention: advox.RetentionPolicy{Months: 4},
	})
	require.NoError(t, err)
	defer c.Close()

	tr := c.Processing()
	assert.Equal(t, &processing.Traffic{Processors: procs, Retention: processing.Retention{Months: 4, ConsumerTimeBarYears: 3, BusinessTimeBarYears: 10},
		Audited: true, KeepBodies: true, BodyRetention: 48 * time.Hour}, tr)
	cust := accts.Processing()
	assert.True(t, cust.DeletesTraffic, "the Client erases the accounts' traffic")
	assert.True(t, cust.Audited)
	assert.Equal(t, 4, cust.LoginFailures)
	assert.Equal(t, 30*time.Second, cust.LoginEvery)
	def := accounts.DefaultPasswordParams()
	assert.Equal(t, [3]uint32{def.Memory, def.Time, uint32(def.Threads)}, [3]uint32{cust.PasswordMemory, cust.PasswordTime, uint32(cust.PasswordThreads)})
	assert.Equal(t, accounts.DefaultDisclosurePolicy()[accounts.DisclosureReinvoicing], cust.Disclosures[string(accounts.DisclosureReinvoicing)])

	rec := processing.NewRecord(processing.Config{Traffic: tr, Customers: cust, AuditRetention: "24 months, append-only"}, time.Now())
	all := strings.Join(rec.Security, "\n")
	assert.Contains(t, all, "every read, export, purge and erase of traffic data states its purpose and is audited")
	assert.Contains(t, all, "no KEK configured")
	assert.Equal(t, "mem", rec.Recipients[0].Name, "the Client's register")

	bare := processing.NewRecord(processing.Config{Processors: procs}, time.Now())
	assert.Contains(t, bare.Retention[0].Deadline, fmt.Sprintf("%d calendar months", advox.PolicyMonths),
		"the record's default retention is the Client's")
}
