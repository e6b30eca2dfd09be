package storagetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// contractCases pin down promises of the storage doc comments that cases
// leave open; Run runs both lists.
var contractCases = []testCase{
	{"StatusNoOpChangesNothing", testNoOpUpdate},
	{"StatusConcurrentFinals", testConcurrentFinals},
	{"StatusFinalMessageStays", testFinalMessageStays},
	{"RecordDuplicateInBatch", testDuplicateInBatch},
	{"RecordIgnoresInvoiceID", testRecordIgnoresInvoiceID},
	{"RecordNotAliased", testNotAliased},
	{"QueryTiesAndPages", testQueryTiesAndPages},
	{"QueryLimitSkipsHidden", testQueryLimitSkipsHidden},
	{"QueryBoundsAnyZone", testQueryZones},
	{"BodyWithheldOnEveryRead", testBodyEveryRead},
	{"PurgeAtNowAndResult", testPurgeAtNow},
	{"PurgeConcurrent", testPurgeConcurrent},
	{"EraseKeepsUsage", testEraseKeepsUsage},
	{"InvoiceLinkingRules", testInvoiceLinking},
	{"InvoiceHoldOnEveryRead", testHoldEveryRead},
	{"ContextCanceledEveryCall", testCanceledEverywhere},
	{"ClosedEveryCall", testClosedEverywhere},
	{"KeysDestroyRules", testKeyRules},
	{"KeysNotAliased", testKeysNotAliased},
	{"RecordSameIDConcurrent", testSameIDConcurrent},
	{"InvoiceConcurrentLinksOnce", testInvoiceConcurrent},
	{"FindByOperatorIDReused", testOperatorIDReused},
	{"StatusTimesNeverGoBack", testTimesNeverGoBack},
}

// testFinalMessageStays: once a message has failed, later reports of its
// other parts change those parts but neither the message's status nor the
// error code that made it fail (a delivered part's "000" least of all).
func testFinalMessageStays(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	r := newRecord("acct-fm", base, "fm-1", "fm-2")
	require.NoError(t, s.Record(ctx(t), r))
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	got, err := s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: r.ID, Part: 1, Status: transport.StatusUndeliverable, ErrorCode: "011", At: at(1)})
	require.NoError(t, err)
	require.Equal(t, transport.StatusUndeliverable, got.Status)
	require.Equal(t, "011", got.ErrorCode)

	got, err = s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: r.ID, Part: 0, Status: transport.StatusExpired, ErrorCode: "023", At: at(2)})
	require.NoError(t, err)
	assert.Equal(t, transport.StatusExpired, got.Parts[0].Status, "the part moves")
	assert.Equal(t, transport.StatusUndeliverable, got.Status, "a failed message stays as it failed")
	assert.Equal(t, "011", got.ErrorCode)

	r2 := newRecord("acct-fm", base, "fm-3", "fm-4")
	require.NoError(t, s.Record(ctx(t), r2))
	_, err = s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: r2.ID, Part: 0, Status: transport.StatusUndeliverable, ErrorCode: "011", At: at(1)})
	require.NoError(t, err)
	got, err = s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: r2.ID, Part: 1, Status: transport.StatusDelivered, ErrorCode: "000", At: at(2)})
	require.NoError(t, err)
	assert.Equal(t, transport.StatusUndeliverable, got.Status)
	assert.Equal(t, "011", got.ErrorCode, "a delivered part's code is no failure's")
	stored, err := s.Get(ctx(t), r2.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Status, stored.Status)
	assert.Equal(t, got.ErrorCode, stored.ErrorCode)
}

// testNoOpUpdate: an update that would move a part backwards or out of a
// final status changes nothing (not the error code, not UpdatedAt) and is
// not an error; the record returned is the record as it is.
func testNoOpUpdate(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	r := newRecord("acct-n", base, "n-1", "n-2")
	require.NoError(t, s.Record(ctx(t), r))
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	up := func(part int, st transport.Status, code string, i int) storage.Record {
		t.Helper()
		got, err := s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: r.ID, Part: part, Status: st, ErrorCode: code, At: at(i)})
		require.NoError(t, err)
		stored, err := s.Get(ctx(t), r.ID)
		require.NoError(t, err)
		assertSameRecord(t, stored, got)
		assert.Equal(t, storage.OverallOf(got.Parts), got.Status, "Status is derived from the parts")
		return got
	}
	before := up(0, transport.StatusDelivered, "", 1)
	require.Equal(t, transport.StatusDelivered, before.Parts[0].Status)

	noops := []struct {
		name string
		part int
		st   transport.Status
	}{
		{"final part to other final", 0, transport.StatusUndeliverable},
		{"final part to intermediate", 0, transport.StatusEnroute},
		{"intermediate part backwards", 1, transport.StatusUnknown},
		{"intermediate part to itself", 1, transport.StatusAccepted},
		{"not a status", storage.AllParts, transport.Status("bogus")},
	}
	for i, tt := range noops {
		got := up(tt.part, tt.st, "E-"+tt.name, 2+i)
		assertSameRecord(t, before, got)
	}

	// A report to every part moves only the parts that may move.
	got := up(storage.AllParts, transport.StatusUndeliverable, "E-all", 10)
	assert.Equal(t, transport.StatusDelivered, got.Parts[0].Status, "a delivered part stays delivered")
	assert.True(t, got.Parts[0].UpdatedAt.Equal(at(1)), "an unchanged part keeps its time")
	assert.Equal(t, transport.StatusUndeliverable, got.Parts[1].Status)
	assert.Equal(t, transport.StatusUndeliverable, got.Status)
	assert.Equal(t, "E-all", got.ErrorCode)
	final := got
	got = up(storage.AllParts, transport.StatusDelivered, "E-late", 11)
	assertSameRecord(t, final, got)
}

// testConcurrentFinals: concurrent final reports to the same parts: the
// first final status of each part wins, and no later report overwrites
// what an earlier call already returned.
func testConcurrentFinals(t *testing.T, s storage.TrafficStore, _ *Clock, f Features) {
	r := newRecord("acct-cf", base, "cf-1", "cf-2")
	require.NoError(t, s.Record(ctx(t), r))
	finals := []transport.Status{transport.StatusDelivered, transport.StatusUndeliverable, transport.StatusExpired, transport.StatusRejected, transport.StatusDeleted}
	got := make([]storage.Record, f.Concurrency)
	var wg sync.WaitGroup
	for i := range f.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			part := storage.AllParts
			if i%3 != 0 {
				part = i % 2
			}
			rec, err := s.UpdateStatus(ctx(t), storage.StatusUpdate{
				ID: r.ID, Part: part, Status: finals[i%len(finals)], ErrorCode: fmt.Sprintf("c%d", i),
				At: base.Add(time.Duration(i+1) * time.Millisecond),
			})
			if assert.NoError(t, err) {
				got[i] = rec
			}
		}()
	}
	wg.Wait()
	stored, err := s.Get(ctx(t), r.ID)
	require.NoError(t, err)
	require.Len(t, stored.Parts, 2)
	for p, part := range stored.Parts {
		assert.True(t, part.Status.Final(), "part %d is final", p)
		for i, rec := range got {
			if len(rec.Parts) != 2 {
				continue
			}
			if st := rec.Parts[p].Status; st.Final() {
				assert.Equal(t, part.Status, st, "part %d: call %d saw %s, a later report overwrote it", p, i, st)
			}
		}
	}
	// The message is delivered when every part is, and otherwise failed
	// as one of its parts failed first (testFinalMessageStays).
	if storage.OverallOf(stored.Parts) == transport.StatusDelivered {
		assert.Equal(t, transport.StatusDelivered, stored.Status)
	} else {
		assert.True(t, stored.Status.Final() && stored.Status != transport.StatusDelivered, "failed: %s", stored.Status)
		assert.True(t, slices.ContainsFunc(stored.Parts, func(p storage.Part) bool { return p.Status == stored.Status }),
			"failed as one of its parts did: %s", stored.Status)
	}
}

func testDuplicateInBatch(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	a := newRecord("acct-dup", base)
	b := newRecord("acct-dup", base)
	twin := newRecord("acct-dup", base.Add(time.Second))
	twin.ID = a.ID
	err := s.Record(ctx(t), a, b, twin)
	assert.ErrorIs(t, err, storage.ErrExists, "one id twice in a batch")
	assert.False(t, visible(t, s, a.ID), "a failed batch stores nothing")
	assert.False(t, visible(t, s, b.ID), "a failed batch stores nothing")
}

// testRecordIgnoresInvoiceID: InvoiceID is set by CreateInvoice, never by
// Record, so a recorded record cannot claim an invoice's hold.
func testRecordIgnoresInvoiceID(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	_, err := s.CreateInvoice(ctx(t), invoiceFor("inv-forged", "acct-f"))
	require.NoError(t, err)
	r := newRecord("acct-f", base)
	r.InvoiceID = "inv-forged"
	r.Deadline = start.Add(time.Hour)
	require.NoError(t, s.Record(ctx(t), r))
	got, err := s.Get(ctx(t), r.ID)
	require.NoError(t, err)
	assert.Empty(t, got.InvoiceID, "Record never sets InvoiceID")
	clk.Set(r.Deadline)
	assert.False(t, visible(t, s, r.ID), "a record not linked by CreateInvoice keeps the hard cap")
}

// testNotAliased: the store keeps its own copy of what it is given and
// gives out copies of what it keeps.
func testNotAliased(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	r := newRecord("acct-al", base, "al-1", "al-2")
	r.Body = storage.Sealed{KeyID: "", Data: []byte("body")}
	r.BodyUntil = start.Add(time.Hour)
	want := r.Clone()
	require.NoError(t, s.Record(ctx(t), r))
	scribble := func(r *storage.Record) {
		r.Parts[0].Status = transport.StatusRejected
		r.Parts[1].OperatorID = "changed"
		r.Recipient.Data[0] ^= 0xff
		r.RecipientIndex[0] ^= 0xff
		r.Body.Data[0] ^= 0xff
	}
	scribble(&r)
	got, err := s.Get(ctx(t), want.ID)
	require.NoError(t, err)
	assertSameRecord(t, want, got)
	scribble(&got)
	for r, err := range s.Query(ctx(t), storage.Query{Account: "acct-al"}) {
		require.NoError(t, err)
		scribble(&r)
	}
	got, _, err = s.FindByOperatorID(ctx(t), "test", "al-1")
	require.NoError(t, err)
	scribble(&got)
	got, err = s.Get(ctx(t), want.ID)
	require.NoError(t, err)
	assertSameRecord(t, want, got)
}

// testQueryTiesAndPages: records sharing a creation time come in ID
// order, and a long result is neither cut nor repeated however the store
// pages it.
func testQueryTiesAndPages(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	const n = 600
	recs := make([]storage.Record, 0, n)
	for i := range n {
		r := newRecord("acct-tie", base.Add(time.Duration(i%3)*time.Second))
		r.ID = fmt.Sprintf("tie-%04d", n-i) // IDs against insertion order
		recs = append(recs, r)
	}
	require.NoError(t, s.Record(ctx(t), recs...))
	want := ids(slices.SortedFunc(slices.Values(recs), func(a, b storage.Record) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	}))
	assert.Equal(t, want, ids(collect(t, s, storage.Query{Account: "acct-tie"})), "oldest first, ties by ID")
	assert.Equal(t, want[:n-7], ids(collect(t, s, storage.Query{Account: "acct-tie", Limit: n - 7})))
	assert.Equal(t, want[:3], ids(collect(t, s, storage.Query{Account: "acct-tie", Limit: 3})))
}

// testQueryLimitSkipsHidden: a record past its deadline does not count
// towards Limit.
func testQueryLimitSkipsHidden(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	var recs []storage.Record
	for i := range 5 {
		r := newRecord("acct-lh", base.Add(time.Duration(i)*time.Minute))
		if i < 2 {
			r.Deadline = start.Add(time.Minute)
		}
		recs = append(recs, r)
	}
	require.NoError(t, s.Record(ctx(t), recs...))
	clk.Set(start.Add(time.Minute))
	assert.Equal(t, ids(recs[2:4]), ids(collect(t, s, storage.Query{Account: "acct-lh", Limit: 2})))
	u, err := s.Usage(ctx(t), "acct-lh", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 3, u.Messages, "Usage counts the visible records")
}

// testBodyEveryRead: a body past BodyUntil is withheld by every read, and
// a purge drops it once.
func testBodyEveryRead(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	r := newRecord("acct-be", base, "be-1")
	r.Body = storage.Sealed{Data: []byte("sealed body")}
	r.BodyUntil = start.Add(time.Hour)
	require.NoError(t, s.Record(ctx(t), r))
	clk.Set(r.BodyUntil)

	got, _, err := s.FindByOperatorID(ctx(t), "test", "be-1")
	require.NoError(t, err)
	assert.True(t, got.Body.IsZero(), "FindByOperatorID withholds a body past its time")
	for got, err := range s.Query(ctx(t), storage.Query{Account: "acct-be"}) {
		require.NoError(t, err)
		assert.True(t, got.Body.IsZero(), "Query withholds a body past its time")
	}
	got = update(t, s, r.ID, storage.AllParts, transport.StatusEnroute, clk.Now())
	assert.True(t, got.Body.IsZero(), "UpdateStatus withholds a body past its time")

	res, err := s.Purge(ctx(t), clk.Now())
	require.NoError(t, err)
	assert.Equal(t, 1, res.BodiesDropped)
	res, err = s.Purge(ctx(t), clk.Now())
	require.NoError(t, err)
	assert.Zero(t, res.BodiesDropped, "a dropped body is not dropped again")
	assert.Zero(t, res.Deleted)
}

// testPurgeAtNow: Purge judges visibility at the now it is given, reports
// the earliest remaining deadline (held records included) and zero when
// nothing remains.
func testPurgeAtNow(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	held, _ := billedRecord(t, s, invoiceFor("inv-pn", "acct-pn")) // due start+24h
	soon := newRecord("acct-pn2", base)
	soon.Deadline = start.Add(2 * time.Hour)
	later := newRecord("acct-pn2", base)
	later.Deadline = start.Add(72 * time.Hour)
	require.NoError(t, s.Record(ctx(t), soon, later))

	res, err := s.Purge(ctx(t), start.Add(48*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, res.Deleted, "the purge's now decides, not the store's clock")
	assert.True(t, held.Deadline.Equal(res.OldestDeadline), "a held record's deadline counts: %v", res.OldestDeadline)
	assert.False(t, visible(t, s, soon.ID))
	assert.True(t, visible(t, s, held.ID))

	_, err = s.SetInvoiceState(ctx(t), "inv-pn", storage.InvoicePaid, start)
	require.NoError(t, err)
	clk.Set(start.Add(100 * time.Hour))
	res, err = s.Purge(ctx(t), clk.Now())
	require.NoError(t, err)
	assert.Equal(t, 2, res.Deleted)
	assert.True(t, res.OldestDeadline.IsZero(), "nothing remains: %v", res.OldestDeadline)
	res, err = s.Purge(ctx(t), clk.Now())
	require.NoError(t, err)
	assert.Equal(t, storage.PurgeResult{}, res, "purge is idempotent")
}

// testPurgeConcurrent: purges running at once delete and count each record
// once.
func testPurgeConcurrent(t *testing.T, s storage.TrafficStore, _ *Clock, f Features) {
	const n = 200
	var recs []storage.Record
	for i := range n {
		r := newRecord(fmt.Sprintf("acct-pc%d", i%5), base.Add(time.Duration(i)*time.Second))
		r.Deadline = start.Add(time.Duration(i%10+1) * time.Minute)
		if i%4 == 0 {
			r.Deadline = start.AddDate(1, 0, 0)
			r.Body = storage.Sealed{Data: []byte("body")}
			r.BodyUntil = start.Add(time.Minute)
		}
		recs = append(recs, r)
	}
	require.NoError(t, s.Record(ctx(t), recs...))
	var (
		mu              sync.Mutex
		deleted, bodies int
		wg              sync.WaitGroup
	)
	now := start.Add(time.Hour)
	for range f.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Purge(ctx(t), now)
			if assert.NoError(t, err) {
				mu.Lock()
				deleted += res.Deleted
				bodies += res.BodiesDropped
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, n-n/4, deleted, "each record is deleted and counted once")
	assert.Equal(t, n/4, bodies, "each body is dropped and counted once")
}

// testEraseKeepsUsage: erase deletes every record of the account at once,
// held ones included, and leaves Usage of every period as it was; the
// period is the UTC calendar month.
func testEraseKeepsUsage(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	const acct = "acct-ek"
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	april := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	may := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cest := time.FixedZone("CEST", 2*60*60)
	recs := []storage.Record{
		newRecord(acct, march.Add(time.Hour), "ek-1", "ek-2"),
		// 1 April in Stockholm, 31 March in UTC: a March record.
		newRecord(acct, time.Date(2026, 4, 1, 0, 30, 0, 0, cest), "ek-3"),
		newRecord(acct, april.Add(time.Hour), "ek-4", "ek-5", "ek-6"),
		newRecord(acct, april.Add(2*time.Hour), "ek-7"),
	}
	for i := range recs {
		recs[i].Deadline = start.Add(time.Hour)
	}
	// Past its deadline, not yet purged: erased and counted, but never
	// in Usage, before or after.
	gone := newRecord(acct, march.Add(3*time.Hour), "ek-8")
	gone.Deadline = start
	recs = append(recs, gone)
	require.NoError(t, s.Record(ctx(t), recs...))
	update(t, s, recs[0].ID, storage.AllParts, transport.StatusDelivered, start)
	update(t, s, recs[2].ID, 1, transport.StatusExpired, start)
	_, err := s.CreateInvoice(ctx(t), invoiceFor("inv-ek", acct)) // holds the March records
	require.NoError(t, err)

	periods := [][2]time.Time{{march, april}, {april, may}, {march, may}, {}}
	before := make([]storage.Usage, len(periods))
	for i, p := range periods {
		before[i], err = s.Usage(ctx(t), acct, p[0], p[1])
		require.NoError(t, err)
	}
	require.Equal(t, 2, before[0].Messages)
	require.Equal(t, 3, before[0].Segments)

	n, err := s.EraseAccount(ctx(t), acct)
	require.NoError(t, err)
	assert.Equal(t, len(recs), n, "every record of the account")
	for _, r := range recs {
		assert.False(t, visible(t, s, r.ID), "held records are erased too")
	}
	for i, p := range periods {
		u, err := s.Usage(ctx(t), acct, p[0], p[1])
		require.NoError(t, err)
		assert.Equal(t, before[i], u, "usage of [%v, %v) survives the erase", p[0], p[1])
	}
	u, err := s.Usage(ctx(t), acct, march.Add(24*time.Hour), may)
	require.NoError(t, err)
	assert.Equal(t, before[1].Messages, u.Messages, "an erased period counts only when it starts in [from, to)")
}

// testQueryZones: bounds are instants, whatever their location.
func testQueryZones(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	cest := time.FixedZone("CEST", 2*60*60)
	a := newRecord("acct-tz", base)
	b := newRecord("acct-tz", base.Add(time.Hour).In(cest))
	require.NoError(t, s.Record(ctx(t), a, b))
	got := collect(t, s, storage.Query{Account: "acct-tz", From: base.In(cest), To: base.Add(time.Hour).In(time.FixedZone("X", -5*60*60))})
	assert.Equal(t, []string{a.ID}, ids(got))
	u, err := s.Usage(ctx(t), "acct-tz", base.Add(time.Minute).In(cest), base.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, u.Messages)
}

// testInvoiceLinking: the period is half-open, a linked record is not
// linked again, and an incomplete invoice is refused.
func testInvoiceLinking(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	inv := invoiceFor("inv-ln", "acct-ln")
	first := newRecord("acct-ln", inv.PeriodStart)
	last := newRecord("acct-ln", inv.PeriodEnd.Add(-time.Microsecond))
	after := newRecord("acct-ln", inv.PeriodEnd)
	before := newRecord("acct-ln", inv.PeriodStart.Add(-time.Microsecond))
	require.NoError(t, s.Record(ctx(t), first, last, after, before))
	n, err := s.CreateInvoice(ctx(t), inv)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "[PeriodStart, PeriodEnd)")
	for _, r := range []storage.Record{first, last} {
		got, err := s.Get(ctx(t), r.ID)
		require.NoError(t, err)
		assert.Equal(t, inv.ID, got.InvoiceID)
	}
	for _, r := range []storage.Record{after, before} {
		got, err := s.Get(ctx(t), r.ID)
		require.NoError(t, err)
		assert.Empty(t, got.InvoiceID)
	}

	again := inv
	again.ID = "inv-ln-2"
	n, err = s.CreateInvoice(ctx(t), again)
	require.NoError(t, err)
	assert.Zero(t, n, "linked records are not linked again")
	got, err := s.Get(ctx(t), first.ID)
	require.NoError(t, err)
	assert.Equal(t, inv.ID, got.InvoiceID)

	noID := invoiceFor("", "acct-ln")
	_, err = s.CreateInvoice(ctx(t), noID)
	assert.ErrorIs(t, err, storage.ErrInvalid, "invoice without id")
	noBar := invoiceFor("inv-ln-nb", "acct-ln")
	noBar.TimeBar = time.Time{}
	_, err = s.CreateInvoice(ctx(t), noBar)
	assert.ErrorIs(t, err, storage.ErrInvalid, "invoice without time-bar")
	_, err = s.Invoice(ctx(t), noBar.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)

	inv2, err := s.SetInvoiceState(ctx(t), "inv-ln", storage.InvoiceTimeBarred, start)
	require.NoError(t, err)
	assert.Equal(t, storage.InvoiceTimeBarred, inv2.State)
	assert.True(t, inv2.FinalAt.Equal(start))
	inv2, err = s.SetInvoiceState(ctx(t), "inv-ln", storage.InvoicePartiallyPaid, start)
	assert.ErrorIs(t, err, storage.ErrInvoiceFinal, "time-barred is final")
	got2, err := s.Invoice(ctx(t), "inv-ln")
	require.NoError(t, err)
	assert.Equal(t, storage.InvoiceTimeBarred, got2.State)
}

// testHoldEveryRead: a record held past its deadline is visible to every
// read and takes reports; once the hold ends, none of them sees it.
func testHoldEveryRead(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	inv := invoiceFor("inv-he", "acct-he")
	r := newRecord(inv.Account, base, "he-1")
	r.Deadline = start.Add(time.Hour)
	require.NoError(t, s.Record(ctx(t), r))
	_, err := s.CreateInvoice(ctx(t), inv)
	require.NoError(t, err)
	clk.Set(start.Add(2 * time.Hour))

	_, _, err = s.FindByOperatorID(ctx(t), "test", "he-1")
	assert.NoError(t, err, "FindByOperatorID sees a held record")
	assert.Equal(t, []string{r.ID}, ids(collect(t, s, storage.Query{Account: inv.Account})), "Query sees a held record")
	got := update(t, s, r.ID, storage.AllParts, transport.StatusDelivered, clk.Now())
	assert.Equal(t, transport.StatusDelivered, got.Status, "a held record takes reports")

	_, err = s.SetInvoiceState(ctx(t), inv.ID, storage.InvoicePaid, clk.Now())
	require.NoError(t, err)
	_, _, err = s.FindByOperatorID(ctx(t), "test", "he-1")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.Empty(t, collect(t, s, storage.Query{Account: inv.Account}))
	_, err = s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: r.ID, Part: 0, Status: transport.StatusDelivered, At: clk.Now()})
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

// call is one store method called with ctx; it returns the call's error.
type call struct {
	name string
	do   func(ctx context.Context) error
}

// allCalls calls every method of s (and of its KeyStore) on data that
// exists, so only ctx or Close can make a call fail.
func allCalls(s storage.TrafficStore, r storage.Record, op, invID, acct string) []call {
	calls := []call{
		{"Record", func(c context.Context) error { return s.Record(c, newRecord(acct, base)) }},
		{"UpdateStatus", func(c context.Context) error {
			_, err := s.UpdateStatus(c, storage.StatusUpdate{ID: r.ID, Part: storage.AllParts, Status: transport.StatusDelivered, At: start})
			return err
		}},
		{"Get", func(c context.Context) error { _, err := s.Get(c, r.ID); return err }},
		{"FindByOperatorID", func(c context.Context) error { _, _, err := s.FindByOperatorID(c, "test", op); return err }},
		{"Query", func(c context.Context) error {
			var first error
			n := 0
			for _, err := range s.Query(c, storage.Query{Account: acct}) {
				n++
				if first == nil {
					first = err
				}
			}
			if first != nil && n > 1 {
				return fmt.Errorf("Query yielded %d times after %w", n-1, first)
			}
			return first
		}},
		{"Usage", func(c context.Context) error { _, err := s.Usage(c, acct, time.Time{}, time.Time{}); return err }},
		{"Purge", func(c context.Context) error { _, err := s.Purge(c, start.AddDate(5, 0, 0)); return err }},
		{"EraseAccount", func(c context.Context) error { _, err := s.EraseAccount(c, acct); return err }},
		{"CreateInvoice", func(c context.Context) error {
			_, err := s.CreateInvoice(c, invoiceFor(invID+"-new", acct))
			return err
		}},
		{"SetInvoiceState", func(c context.Context) error {
			_, err := s.SetInvoiceState(c, invID, storage.InvoicePaid, start)
			return err
		}},
		{"Invoice", func(c context.Context) error { _, err := s.Invoice(c, invID); return err }},
	}
	if ks, ok := s.(storage.KeyStore); ok {
		calls = append(calls,
			call{"EnsureKey", func(c context.Context) error {
				_, err := ks.EnsureKey(c, storage.DataKey{ID: "key-" + acct + "-2", Account: acct + "-2", Wrapped: []byte("w"), CreatedAt: start})
				return err
			}},
			call{"Key", func(c context.Context) error { _, err := ks.Key(c, "key-"+acct); return err }},
			call{"DestroyKeys", func(c context.Context) error { _, err := ks.DestroyKeys(c, acct); return err }},
		)
	}
	return calls
}

// seedAll stores what allCalls works on.
func seedAll(t *testing.T, s storage.TrafficStore, acct string) (storage.Record, string, string) {
	t.Helper()
	op := "op-" + acct
	r := newRecord(acct, base, op)
	require.NoError(t, s.Record(ctx(t), r))
	invID := "inv-" + acct
	_, err := s.CreateInvoice(ctx(t), invoiceFor(invID, acct))
	require.NoError(t, err)
	if ks, ok := s.(storage.KeyStore); ok {
		_, err := ks.EnsureKey(ctx(t), storage.DataKey{ID: "key-" + acct, Account: acct, Wrapped: []byte("w"), CreatedAt: start})
		require.NoError(t, err)
	}
	return r, op, invID
}

// testCanceledEverywhere: every call honours a canceled or expired
// context, returns its error as it is, and changes nothing.
func testCanceledEverywhere(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	const acct = "acct-cc"
	r, op, invID := seedAll(t, s, acct)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, c := range allCalls(s, r, op, invID, acct) {
		err := c.do(canceled)
		assert.True(t, errors.Is(err, context.Canceled), "%s with a canceled context: %v", c.name, err)
		err = c.do(expired)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%s with an expired context: %v", c.name, err)
	}
	// Nothing changed.
	got, err := s.Get(ctx(t), r.ID)
	require.NoError(t, err, "a canceled erase or purge deletes nothing")
	r.InvoiceID = invID
	assertSameRecord(t, r, got)
	assert.Len(t, collect(t, s, storage.Query{Account: acct}), 1, "a canceled Record stores nothing")
	inv, err := s.Invoice(ctx(t), invID)
	require.NoError(t, err)
	assert.Equal(t, storage.InvoiceOpen, inv.State, "a canceled SetInvoiceState changes nothing")
	_, err = s.Invoice(ctx(t), invID+"-new")
	assert.ErrorIs(t, err, storage.ErrNotFound, "a canceled CreateInvoice stores nothing")
	if ks, ok := s.(storage.KeyStore); ok {
		_, err := ks.Key(ctx(t), "key-"+acct)
		assert.NoError(t, err, "a canceled DestroyKeys destroys nothing")
		_, err = ks.Key(ctx(t), "key-"+acct+"-2")
		assert.ErrorIs(t, err, storage.ErrErased, "a canceled EnsureKey stores nothing")
	}
}

// testClosedEverywhere: after Close every call fails with ErrClosed.
func testClosedEverywhere(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	const acct = "acct-cl"
	r, op, invID := seedAll(t, s, acct)
	require.NoError(t, s.Close())
	for _, c := range allCalls(s, r, op, invID, acct) {
		assert.ErrorIs(t, c.do(ctx(t)), storage.ErrClosed, c.name)
	}
	assert.NoError(t, s.Close(), "Close is idempotent")
}

// testKeyRules: Key of an unknown id is ErrErased, DestroyKeys reports
// only what it destroyed, EnsureKey refuses a key without id, and a batch
// with one record under a destroyed key stores nothing.
func testKeyRules(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	ks, ok := s.(storage.KeyStore)
	if !ok {
		t.Skip("the store is not a storage.KeyStore")
	}
	_, err := ks.Key(ctx(t), "no-such-key")
	assert.ErrorIs(t, err, storage.ErrErased, "a key that never existed")
	_, err = ks.EnsureKey(ctx(t), storage.DataKey{Account: "acct-kr0", Wrapped: []byte("w")})
	assert.ErrorIs(t, err, storage.ErrInvalid, "key without id")

	k, err := ks.EnsureKey(ctx(t), storage.DataKey{ID: "key-kr", Account: "acct-kr", Wrapped: []byte("w"), CreatedAt: start})
	require.NoError(t, err)
	again, err := ks.EnsureKey(ctx(t), storage.DataKey{ID: "key-kr-2", Account: "acct-kr", Wrapped: []byte("w2"), CreatedAt: start})
	require.NoError(t, err)
	assert.Equal(t, k.ID, again.ID, "the account's current key is kept")
	assert.Equal(t, []byte("w"), again.Wrapped)

	n, err := ks.DestroyKeys(ctx(t), "acct-kr")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = ks.DestroyKeys(ctx(t), "acct-kr")
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to destroy")
	n, err = ks.DestroyKeys(ctx(t), "acct-never")
	require.NoError(t, err)
	assert.Zero(t, n)

	ok1 := newRecord("acct-kr", base)
	late := newRecord("acct-kr", base)
	late.Recipient.KeyID = k.ID
	assert.ErrorIs(t, s.Record(ctx(t), ok1, late), storage.ErrErased)
	assert.False(t, visible(t, s, ok1.ID), "a batch with a record under a destroyed key stores nothing")
	assert.False(t, visible(t, s, late.ID))
}

// testKeysNotAliased: a key handed out is the caller's own: changing it
// does not change the stored key, and destroying the stored key does not
// write to it (the caller may be unwrapping it at that very moment).
func testKeysNotAliased(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	ks, ok := s.(storage.KeyStore)
	if !ok {
		t.Skip("the store is not a storage.KeyStore")
	}
	candidate := storage.DataKey{ID: "key-na", Account: "acct-na", Wrapped: []byte("wrapped"), CreatedAt: start}
	k, err := ks.EnsureKey(ctx(t), candidate)
	require.NoError(t, err)
	candidate.Wrapped[0] = 'X'
	k.Wrapped[1] = 'X'
	current, err := ks.EnsureKey(ctx(t), storage.DataKey{ID: "key-na-2", Account: "acct-na", Wrapped: []byte("other"), CreatedAt: start})
	require.NoError(t, err)
	assert.Equal(t, []byte("wrapped"), current.Wrapped, "EnsureKey")
	current.Wrapped[2] = 'X'
	byID, err := ks.Key(ctx(t), "key-na")
	require.NoError(t, err)
	assert.Equal(t, []byte("wrapped"), byID.Wrapped, "Key")
	byID.Wrapped[3] = 'X'
	held, err := ks.Key(ctx(t), "key-na")
	require.NoError(t, err)
	assert.Equal(t, []byte("wrapped"), held.Wrapped)

	_, err = ks.DestroyKeys(ctx(t), "acct-na")
	require.NoError(t, err)
	assert.Equal(t, []byte("wrapped"), held.Wrapped, "DestroyKeys writes to a key already handed out")
}

// testSameIDConcurrent: of concurrent Records of one id exactly one
// succeeds; the others fail with ErrExists.
func testSameIDConcurrent(t *testing.T, s storage.TrafficStore, _ *Clock, f Features) {
	errs := make([]error, f.Concurrency)
	recs := make([]storage.Record, f.Concurrency)
	for i := range recs {
		recs[i] = newRecordSafe("acct-si", i, 0)
		recs[i].ID = "same-id"
		recs[i].Parts[0].OperatorID = fmt.Sprintf("si-%d", i)
	}
	var wg sync.WaitGroup
	for i := range f.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Record(ctx(t), recs[i])
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		if err == nil {
			assert.Equal(t, -1, winner, "records %d and %d both stored under one id", winner, i)
			winner = i
			continue
		}
		assert.ErrorIs(t, err, storage.ErrExists, "record %d", i)
	}
	require.NotEqual(t, -1, winner, "one of them is stored")
	got, err := s.Get(ctx(t), "same-id")
	require.NoError(t, err)
	assertSameRecord(t, recs[winner], got)
	assert.Len(t, collect(t, s, storage.Query{Account: "acct-si"}), 1)
}

// testInvoiceConcurrent: invoices created at once over one period link
// each record to exactly one of them; of invoices sharing an id exactly
// one is created.
func testInvoiceConcurrent(t *testing.T, s storage.TrafficStore, _ *Clock, f Features) {
	const n = 50
	var recs []storage.Record
	for i := range n {
		recs = append(recs, newRecord("acct-ic", base.Add(time.Duration(i)*time.Second)))
	}
	require.NoError(t, s.Record(ctx(t), recs...))
	linked := make([]int, f.Concurrency)
	errs := make([]error, f.Concurrency)
	var wg sync.WaitGroup
	for i := range f.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			linked[i], errs[i] = s.CreateInvoice(ctx(t), invoiceFor(fmt.Sprintf("inv-ic-%d", i%2), "acct-ic"))
		}()
	}
	wg.Wait()
	total, created := 0, 0
	for i, err := range errs {
		if err == nil {
			created++
			total += linked[i]
			continue
		}
		assert.ErrorIs(t, err, storage.ErrExists, "invoice call %d", i)
	}
	assert.Equal(t, min(2, f.Concurrency), created, "one invoice per id")
	assert.Equal(t, n, total, "each record is linked once")
	for _, r := range recs {
		got, err := s.Get(ctx(t), r.ID)
		require.NoError(t, err)
		assert.Contains(t, []string{"inv-ic-0", "inv-ic-1"}, got.InvoiceID)
	}
}

// testOperatorIDReused: operators reuse ids (an SMSC that restarts counts
// from 1 again), so several records may hold one. FindByOperatorID returns
// the newest by CreatedAt (not by when it was recorded, ties to the greater
// ID) among those whose part with the id is not final, else the newest of
// all; a record erased or purged leaves the others findable.
func testOperatorIDReused(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	find := func(op string) (string, int) {
		t.Helper()
		got, part, err := s.FindByOperatorID(ctx(t), "test", op)
		require.NoError(t, err)
		return got.ID, part
	}
	final := func(id string, part int) {
		t.Helper()
		update(t, s, id, part, transport.StatusDelivered, start)
	}
	old := newRecord("acct-ra", base, "re-1")
	newer := newRecord("acct-rb", base.Add(time.Hour), "re-1")
	// The newer record is recorded first: age is CreatedAt, not arrival.
	require.NoError(t, s.Record(ctx(t), newer))
	require.NoError(t, s.Record(ctx(t), old))
	id, part := find("re-1")
	assert.Equal(t, newer.ID, id, "the newest record wins")
	assert.Equal(t, 0, part)

	final(old.ID, storage.AllParts)
	id, _ = find("re-1")
	assert.Equal(t, newer.ID, id, "a final older record never takes a report its newer namesake can")

	// The newest is final, an older one still open: the open one can take
	// the report.
	final(newer.ID, storage.AllParts)
	older := newRecord("acct-ra", base.Add(-time.Hour), "re-1")
	require.NoError(t, s.Record(ctx(t), older))
	id, _ = find("re-1")
	assert.Equal(t, older.ID, id, "the newest record that can still take a report")

	// Every one final: the newest of all.
	final(older.ID, storage.AllParts)
	id, _ = find("re-1")
	assert.Equal(t, newer.ID, id, "all final: the newest")

	// The id on a later part (stored apart by some stores), and a tie on
	// CreatedAt broken by ID.
	multi := newRecord("acct-rc", base.Add(2*time.Hour), "re-0", "re-1")
	twin := newRecord("acct-rc", base.Add(2*time.Hour), "re-1")
	require.NoError(t, s.Record(ctx(t), twin, multi))
	first, second := min(multi.ID, twin.ID), max(multi.ID, twin.ID)
	id, part = find("re-1")
	assert.Equal(t, second, id, "a tie on CreatedAt goes to the greater ID")
	if id == multi.ID {
		assert.Equal(t, 1, part)
	}
	final(second, storage.AllParts)
	id, part = find("re-1")
	assert.Equal(t, first, id)
	if id == multi.ID {
		assert.Equal(t, 1, part)
	}

	// Erasing the newest leaves the others findable.
	_, err := s.EraseAccount(ctx(t), "acct-rc")
	require.NoError(t, err)
	id, _ = find("re-1")
	assert.Equal(t, newer.ID, id, "the erased records are gone, the others stay")
	_, err = s.EraseAccount(ctx(t), "acct-rb")
	require.NoError(t, err)
	id, _ = find("re-1")
	assert.Equal(t, old.ID, id)
}

// testTimesNeverGoBack: a report dated before a part's or the record's
// UpdatedAt moves the status and leaves those times (storage.Apply).
func testTimesNeverGoBack(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	r := newRecord("acct-tb", base, "tb-1", "tb-2")
	require.NoError(t, s.Record(ctx(t), r))
	update(t, s, r.ID, 0, transport.StatusEnroute, base.Add(time.Minute))
	got := update(t, s, r.ID, 0, transport.StatusDelivered, base.Add(-time.Hour))
	assert.Equal(t, transport.StatusDelivered, got.Parts[0].Status)
	assert.True(t, got.Parts[0].UpdatedAt.Equal(base.Add(time.Minute)), "part time went back to %v", got.Parts[0].UpdatedAt)
	got = update(t, s, r.ID, 1, transport.StatusDelivered, base.Add(-time.Hour))
	assert.True(t, got.Parts[1].UpdatedAt.Equal(base), "part time went back to %v", got.Parts[1].UpdatedAt)
	assert.True(t, got.UpdatedAt.Equal(base.Add(time.Minute)), "record time went back to %v", got.UpdatedAt)
	stored, err := s.Get(ctx(t), r.ID)
	require.NoError(t, err)
	assertSameRecord(t, got, stored)
}
