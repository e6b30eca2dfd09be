package storagetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

func init() {
	cases = append(cases,
		testCase{"ZeroDeadlineRefused", testZeroDeadline},
		testCase{"InvoiceHoldsUntilFinal", testInvoiceHold},
		testCase{"InvoiceHoldEndsAtTimeBar", testInvoiceTimeBar},
		testCase{"InvoiceSettledBeforeDeadline", testInvoiceSettledEarly},
		testCase{"InvoiceHoldsNoFailedRecord", testInvoiceFailedAfterBilling},
		testCase{"InvoiceLinksOnlyBillable", testInvoiceLinks},
		testCase{"InvoiceStates", testInvoiceStates},
		testCase{"QueryByRecipientIndex", testRecipientIndex},
		testCase{"BodyDropped", testBodyDropped},
		testCase{"UsageAfterErasePerPeriod", testUsageAfterErase},
		testCase{"KeysCryptoShred", testKeys},
	)
}

// invoiceFor bills an account's March 2026 traffic.
func invoiceFor(id, account string) storage.Invoice {
	return storage.Invoice{
		ID: id, Account: account,
		PeriodStart: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		PeriodEnd:   time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		IssuedAt:    start,
		TimeBar:     start.AddDate(3, 0, 0),
	}
}

func visible(t *testing.T, s storage.TrafficStore, id string) bool {
	t.Helper()
	_, err := s.Get(ctx(t), id)
	if err != nil {
		require.ErrorIs(t, err, storage.ErrNotFound)
		return false
	}
	return true
}

// billedRecord records one record of inv's account, due a day after
// start, then creates inv; it returns the record and how many records the
// invoice linked.
func billedRecord(t *testing.T, s storage.TrafficStore, inv storage.Invoice) (storage.Record, int) {
	t.Helper()
	r := newRecord(inv.Account, base)
	r.Deadline = start.Add(24 * time.Hour)
	require.NoError(t, s.Record(ctx(t), r))
	n, err := s.CreateInvoice(ctx(t), inv)
	require.NoError(t, err)
	return r, n
}

func testZeroDeadline(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	r := newRecord("acct-z", base)
	r.Deadline = time.Time{}
	assert.Error(t, s.Record(ctx(t), r), "a record without a retention deadline is refused")
	assert.False(t, visible(t, s, r.ID))
}

func testInvoiceHold(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	r, n := billedRecord(t, s, invoiceFor("inv-1", "acct-i"))
	assert.Equal(t, 1, n)
	got, err := s.Get(ctx(t), r.ID)
	require.NoError(t, err)
	assert.Equal(t, "inv-1", got.InvoiceID)

	clk.Set(r.Deadline.Add(time.Hour))
	assert.True(t, visible(t, s, r.ID), "an open invoice holds its records past the deadline")
	res, err := s.Purge(ctx(t), clk.Now())
	require.NoError(t, err)
	assert.Zero(t, res.Deleted, "purge leaves held records")

	_, err = s.SetInvoiceState(ctx(t), "inv-1", storage.InvoicePartiallyPaid, clk.Now())
	require.NoError(t, err)
	assert.True(t, visible(t, s, r.ID), "a partial payment ends nothing")

	inv, err := s.SetInvoiceState(ctx(t), "inv-1", storage.InvoicePaid, clk.Now())
	require.NoError(t, err)
	assert.Equal(t, storage.InvoicePaid, inv.State)
	assert.False(t, visible(t, s, r.ID), "paid in full after the deadline: gone at once")
	res, err = s.Purge(ctx(t), clk.Now())
	require.NoError(t, err)
	assert.Equal(t, 1, res.Deleted)
}

func testInvoiceTimeBar(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	inv := invoiceFor("inv-tb", "acct-tb")
	inv.TimeBar = start.Add(48 * time.Hour)
	r, _ := billedRecord(t, s, inv)
	clk.Set(start.Add(47 * time.Hour))
	assert.True(t, visible(t, s, r.ID))
	clk.Set(inv.TimeBar)
	assert.False(t, visible(t, s, r.ID), "the hold never outlives the time-bar")
	res, err := s.Purge(ctx(t), clk.Now())
	require.NoError(t, err)
	assert.Equal(t, 1, res.Deleted)
}

func testInvoiceSettledEarly(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	r, _ := billedRecord(t, s, invoiceFor("inv-se", "acct-se"))
	_, err := s.SetInvoiceState(ctx(t), "inv-se", storage.InvoiceCredited, clk.Now())
	require.NoError(t, err)
	assert.True(t, visible(t, s, r.ID), "before the deadline it stays")
	clk.Set(r.Deadline)
	assert.False(t, visible(t, s, r.ID), "settled records keep the hard cap")
}

// A record billed while its message was pending, whose message then
// failed, keeps the hard cap like every failed record: the open invoice
// does not hold it.
func testInvoiceFailedAfterBilling(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	r, n := billedRecord(t, s, invoiceFor("inv-fa", "acct-fa"))
	require.Equal(t, 1, n)
	_, err := s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: r.ID, Part: storage.AllParts,
		Status: transport.StatusUndeliverable, At: clk.Now()})
	require.NoError(t, err)
	clk.Set(r.Deadline.Add(time.Hour))
	assert.False(t, visible(t, s, r.ID), "failed: not held past its deadline")
	res, err := s.Purge(ctx(t), clk.Now())
	require.NoError(t, err)
	assert.Equal(t, 1, res.Deleted)
}

func testInvoiceLinks(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	billed := newRecord("acct-l", base)
	failed := newRecord("acct-l", base.Add(time.Second))
	failed.Parts[0].Status = transport.StatusUndeliverable
	failed.Status = transport.StatusUndeliverable
	otherMonth := newRecord("acct-l", time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC))
	otherAccount := newRecord("acct-m", base)
	for _, r := range []*storage.Record{&billed, &failed, &otherMonth, &otherAccount} {
		r.Deadline = start.Add(time.Hour)
	}
	require.NoError(t, s.Record(ctx(t), billed, failed, otherMonth, otherAccount))
	n, err := s.CreateInvoice(ctx(t), invoiceFor("inv-l", "acct-l"))
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only the account's billable records of the period are linked")

	clk.Set(start.Add(2 * time.Hour))
	assert.True(t, visible(t, s, billed.ID))
	assert.False(t, visible(t, s, failed.ID), "failed records keep the hard cap")
	assert.False(t, visible(t, s, otherMonth.ID), "unbilled records keep the hard cap even with an open invoice")
	assert.False(t, visible(t, s, otherAccount.ID))
}

func testInvoiceStates(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	_, err := s.CreateInvoice(ctx(t), invoiceFor("inv-s", "acct-s"))
	require.NoError(t, err)
	_, err = s.CreateInvoice(ctx(t), invoiceFor("inv-s", "acct-s"))
	assert.ErrorIs(t, err, storage.ErrExists)
	inv, err := s.Invoice(ctx(t), "inv-s")
	require.NoError(t, err)
	assert.Equal(t, storage.InvoiceOpen, inv.State)
	assert.Equal(t, "acct-s", inv.Account)
	assert.True(t, inv.TimeBar.Equal(start.AddDate(3, 0, 0)))

	_, err = s.SetInvoiceState(ctx(t), "inv-s", storage.InvoiceWrittenOff, start)
	require.NoError(t, err)
	_, err = s.SetInvoiceState(ctx(t), "inv-s", storage.InvoicePaid, start)
	assert.ErrorIs(t, err, storage.ErrInvoiceFinal, "a final state never changes")
	inv, err = s.Invoice(ctx(t), "inv-s")
	require.NoError(t, err)
	assert.Equal(t, storage.InvoiceWrittenOff, inv.State)
	assert.True(t, inv.FinalAt.Equal(start))

	_, err = s.Invoice(ctx(t), "no-such-invoice")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.SetInvoiceState(ctx(t), "no-such-invoice", storage.InvoicePaid, start)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testRecipientIndex(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	var want []string
	for i := range 6 {
		r := newRecord("acct-r", base.Add(time.Duration(i)*time.Minute))
		if i%2 == 0 {
			r.RecipientIndex = []byte("the-number")
			want = append(want, r.ID)
		}
		require.NoError(t, s.Record(ctx(t), r))
	}
	other := newRecord("acct-r2", base)
	other.RecipientIndex = []byte("the-number")
	require.NoError(t, s.Record(ctx(t), other))
	got := collect(t, s, storage.Query{Account: "acct-r", RecipientIndex: []byte("the-number")})
	assert.Equal(t, want, ids(got), "lookups by blind index stay within the account")
}

func testBodyDropped(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	a := newRecord("acct-b", base)
	a.Body = storage.Sealed{KeyID: "", Data: []byte("sealed body a")}
	a.BodyUntil = start.Add(72 * time.Hour)
	b := newRecord("acct-b", base.Add(time.Second))
	b.Body = storage.Sealed{Data: []byte("sealed body b")}
	b.BodyUntil = start.Add(72 * time.Hour)
	require.NoError(t, s.Record(ctx(t), a, b))
	got, err := s.Get(ctx(t), a.ID)
	require.NoError(t, err)
	assert.Equal(t, a.Body.Data, got.Body.Data)

	got = update(t, s, a.ID, storage.AllParts, transport.StatusDelivered, start)
	assert.True(t, got.Body.IsZero(), "a final status drops the body")
	got, err = s.Get(ctx(t), a.ID)
	require.NoError(t, err)
	assert.True(t, got.Body.IsZero())

	clk.Set(b.BodyUntil)
	got, err = s.Get(ctx(t), b.ID)
	require.NoError(t, err)
	assert.True(t, got.Body.IsZero(), "a body past its time is never returned")
	res, err := s.Purge(ctx(t), clk.Now())
	require.NoError(t, err)
	assert.Equal(t, 1, res.BodiesDropped)
	assert.Zero(t, res.Deleted)
}

func testUsageAfterErase(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	april := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	m1 := newRecord("acct-ue", march.Add(time.Hour), "ue-1", "ue-2")
	m2 := newRecord("acct-ue", march.Add(2*time.Hour), "ue-3")
	a1 := newRecord("acct-ue", april.Add(time.Hour), "ue-4")
	require.NoError(t, s.Record(ctx(t), m1, m2, a1))
	update(t, s, m1.ID, storage.AllParts, transport.StatusDelivered, start)
	update(t, s, m2.ID, storage.AllParts, transport.StatusRejected, start)
	n, err := s.EraseAccount(ctx(t), "acct-ue")
	require.NoError(t, err)
	assert.Equal(t, 3, n)

	u, err := s.Usage(ctx(t), "acct-ue", march, april)
	require.NoError(t, err)
	assert.Equal(t, storage.Usage{Account: "acct-ue", From: march, To: april, Messages: 2, Segments: 3, Delivered: 1, Failed: 1}, u)
	u, err = s.Usage(ctx(t), "acct-ue", april, april.AddDate(0, 1, 0))
	require.NoError(t, err)
	assert.Equal(t, 1, u.Messages)
	// New traffic after the erase adds to the kept aggregate.
	require.NoError(t, s.Record(ctx(t), newRecord("acct-ue", march.Add(3*time.Hour))))
	u, err = s.Usage(ctx(t), "acct-ue", march, april)
	require.NoError(t, err)
	assert.Equal(t, 3, u.Messages)
}

func testKeys(t *testing.T, s storage.TrafficStore, _ *Clock, f Features) {
	ks, ok := s.(storage.KeyStore)
	if !ok {
		t.Skip("the store is not a storage.KeyStore")
	}
	// Concurrent first use: everyone gets the same key.
	var wg sync.WaitGroup
	got := make([]storage.DataKey, f.Concurrency)
	for i := range f.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := ks.EnsureKey(ctx(t), storage.DataKey{ID: fmt.Sprintf("key-%d", i), Account: "acct-k", Wrapped: []byte(fmt.Sprintf("wrapped-%d", i)), CreatedAt: start})
			assert.NoError(t, err)
			got[i] = k
		}()
	}
	wg.Wait()
	for _, k := range got {
		assert.Equal(t, got[0].ID, k.ID, "one current key per account")
		assert.Equal(t, got[0].Wrapped, k.Wrapped)
	}
	k, err := ks.Key(ctx(t), got[0].ID)
	require.NoError(t, err)
	assert.Equal(t, "acct-k", k.Account)
	other, err := ks.EnsureKey(ctx(t), storage.DataKey{ID: "other-key", Account: "acct-k2", Wrapped: []byte("w"), CreatedAt: start})
	require.NoError(t, err)

	r := newRecord("acct-k", base)
	r.Recipient.KeyID = got[0].ID
	require.NoError(t, s.Record(ctx(t), r))

	n, err := ks.DestroyKeys(ctx(t), "acct-k")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = ks.Key(ctx(t), got[0].ID)
	assert.ErrorIs(t, err, storage.ErrErased, "a destroyed key is gone for good")
	_, err = ks.Key(ctx(t), other.ID)
	assert.NoError(t, err, "other accounts' keys are untouched")

	late := newRecord("acct-k", base)
	late.Recipient.KeyID = got[0].ID
	assert.ErrorIs(t, s.Record(ctx(t), late), storage.ErrErased, "nothing is recorded under a destroyed key")
	assert.False(t, visible(t, s, late.ID))

	fresh, err := ks.EnsureKey(ctx(t), storage.DataKey{ID: "key-fresh", Account: "acct-k", Wrapped: []byte("w2"), CreatedAt: start})
	require.NoError(t, err)
	assert.Equal(t, "key-fresh", fresh.ID, "after an erase the account gets a new key")
}
