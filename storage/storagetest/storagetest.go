package storagetest

import (
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

// Features declares optional behaviour of the store under test. The zero
// value runs every case the contract requires.
type Features struct {
	// Concurrency is how many goroutines the concurrency cases use; 0
	// means 16.
	Concurrency int
	// Remnants, if set, closes s (a store newStore returned) and returns
	// every byte the store keeps at rest: its files, write-ahead logs
	// included. The remnant cases then check that what an erase (with
	// the account's key destroyed first, for a storage.KeyStore) or a
	// purge deleted is in none of them. nil skips those cases (a store in
	// memory, or one that cannot promise it; say which in its
	// documentation).
	Remnants func(t *testing.T, s storage.TrafficStore) [][]byte
}

// testCase is one conformance case; clk is the store's clock.
type testCase struct {
	name string
	run  func(t *testing.T, s storage.TrafficStore, clk *Clock, f Features)
}

// Clock is the store clock the suite controls: newStore must make the
// store read the time from it (for example memstore.Options.Now = clock.Now).
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// start is where every case's clock begins: after base, well before the
// default deadlines.
var start = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

var cases = []testCase{
	{"RecordGetRoundTrip", testRoundTrip},
	{"RecordBatchAllOrNone", testBatchAllOrNone},
	{"InvalidInput", testInvalidInput},
	{"GetMissing", testGetMissing},
	{"FindByOperatorID", testFindByOperatorID},
	{"StatusProgression", testStatusProgression},
	{"StatusNeverRegresses", testNeverRegresses},
	{"StatusPerPart", testPerPart},
	{"StatusConcurrent", testStatusConcurrent},
	{"RecordConcurrent", testRecordConcurrent},
	{"QueryRange", testQueryRange},
	{"QueryEarlyStop", testQueryEarlyStop},
	{"UsagePerPeriod", testUsage},
	{"DeadlineEnforcedOnRead", testDeadlineOnRead},
	{"PurgeIdempotent", testPurge},
	{"EraseAccount", testErase},
	{"ContextCanceled", testContextCanceled},
	{"Closed", testClosed},
}

// Run runs the conformance suite. newStore must return a fresh, empty
// store whose clock is clock.Now each time it is called; the suite closes
// it.
func Run(t *testing.T, newStore func(t *testing.T, clock *Clock) storage.TrafficStore, f Features) {
	t.Helper()
	if f.Concurrency <= 0 {
		f.Concurrency = 16
	}
	for _, c := range slices.Concat(cases, contractCases) {
		t.Run(c.name, func(t *testing.T) {
			clk := &Clock{now: start}
			s := newStore(t, clk)
			require.NotNil(t, s, "newStore returned nil")
			t.Cleanup(func() { _ = s.Close() })
			c.run(t, s, clk, f)
		})
	}
}

// base is a fixed instant in the past, on a whole microsecond so that
// every SQL dialect keeps it exactly.
var base = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

var seq int

func newRecord(account string, created time.Time, ids ...string) storage.Record {
	seq++
	if len(ids) == 0 {
		ids = []string{fmt.Sprintf("op-%d", seq)}
	}
	r := storage.Record{
		ID:             fmt.Sprintf("msg-%s-%06d", account, seq),
		Account:        account,
		Transport:      "test",
		Route:          "route-" + account,
		From:           "Advox",
		Recipient:      storage.Sealed{Data: []byte(fmt.Sprintf("sealed-%d", seq))},
		RecipientIndex: []byte(fmt.Sprintf("index-%d", seq%7)),
		Encoding:       transport.GSM7,
		Segments:       len(ids),
		CreatedAt:      created,
		UpdatedAt:      created,
		// Well after the clock: reads must not hide it.
		Deadline: start.AddDate(1, 0, 0),
	}
	for _, id := range ids {
		r.Parts = append(r.Parts, storage.Part{OperatorID: id, Status: transport.StatusAccepted, UpdatedAt: created})
	}
	r.Status = storage.OverallOf(r.Parts)
	return r
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// assertSameRecord compares records, times by instant.
func assertSameRecord(t *testing.T, want, got storage.Record) {
	t.Helper()
	assert.Equal(t, want.ID, got.ID)
	assert.Equal(t, want.Account, got.Account)
	assert.Equal(t, want.Transport, got.Transport)
	assert.Equal(t, want.Route, got.Route)
	assert.Equal(t, want.From, got.From)
	assert.Equal(t, want.Recipient.KeyID, got.Recipient.KeyID)
	assert.Equal(t, want.Recipient.Data, got.Recipient.Data)
	assert.Equal(t, want.RecipientIndex, got.RecipientIndex)
	assert.Equal(t, want.Body.KeyID, got.Body.KeyID)
	assert.Equal(t, want.Body.Data, got.Body.Data)
	assert.True(t, want.BodyUntil.Equal(got.BodyUntil), "BodyUntil: want %v, got %v", want.BodyUntil, got.BodyUntil)
	assert.Equal(t, want.InvoiceID, got.InvoiceID)
	assert.Equal(t, want.Encoding, got.Encoding)
	assert.Equal(t, want.Segments, got.Segments)
	assert.Equal(t, want.Status, got.Status)
	assert.Equal(t, want.ErrorCode, got.ErrorCode)
	assert.True(t, want.CreatedAt.Equal(got.CreatedAt), "CreatedAt: want %v, got %v", want.CreatedAt, got.CreatedAt)
	assert.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "UpdatedAt: want %v, got %v", want.UpdatedAt, got.UpdatedAt)
	assert.True(t, want.Deadline.Equal(got.Deadline), "Deadline: want %v, got %v", want.Deadline, got.Deadline)
	require.Len(t, got.Parts, len(want.Parts))
	for i := range want.Parts {
		assert.Equal(t, want.Parts[i].OperatorID, got.Parts[i].OperatorID, "part %d", i)
		assert.Equal(t, want.Parts[i].Status, got.Parts[i].Status, "part %d", i)
		assert.Equal(t, want.Parts[i].ErrorCode, got.Parts[i].ErrorCode, "part %d", i)
		assert.True(t, want.Parts[i].UpdatedAt.Equal(got.Parts[i].UpdatedAt), "part %d UpdatedAt", i)
	}
}

func testRoundTrip(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	r := newRecord("acct-a", base, "id-1", "id-2", "id-3")
	r.ErrorCode = ""
	r.Encoding = transport.UCS2
	require.NoError(t, s.Record(ctx(t), r))
	got, err := s.Get(ctx(t), r.ID)
	require.NoError(t, err)
	assertSameRecord(t, r, got)

	// A record with no operator id and a failure code round-trips too.
	u := newRecord("acct-a", base.Add(time.Second), "")
	u.Parts[0].Status = transport.StatusUnknown
	u.Status = transport.StatusUnknown
	u.ErrorCode = "outcome_unknown"
	require.NoError(t, s.Record(ctx(t), u))
	got, err = s.Get(ctx(t), u.ID)
	require.NoError(t, err)
	assertSameRecord(t, u, got)

	err = s.Record(ctx(t), r)
	assert.ErrorIs(t, err, storage.ErrExists, "recording an existing id")
}

func testInvalidInput(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	ok := newRecord("acct-i", base)
	noID := newRecord("acct-i", base)
	noID.ID = ""
	noDeadline := newRecord("acct-i", base)
	noDeadline.Deadline = time.Time{}
	inv := invoiceFor("inv-i", "acct-i")
	noPeriod := inv
	noPeriod.PeriodEnd = time.Time{}
	noAccount := inv
	noAccount.Account = ""
	type write struct {
		name string
		do   func() error
	}
	tests := []write{
		{"record without id", func() error { return s.Record(ctx(t), ok, noID) }},
		{"record without deadline", func() error { return s.Record(ctx(t), noDeadline) }},
		{"invoice without period", func() error { _, err := s.CreateInvoice(ctx(t), noPeriod); return err }},
		{"invoice without account", func() error { _, err := s.CreateInvoice(ctx(t), noAccount); return err }},
	}
	if ks, isKS := s.(storage.KeyStore); isKS {
		tests = append(tests,
			write{"key without account", func() error {
				_, err := ks.EnsureKey(ctx(t), storage.DataKey{ID: "key-i", Wrapped: []byte("w")})
				return err
			}},
			write{"key without wrapped key", func() error {
				_, err := ks.EnsureKey(ctx(t), storage.DataKey{ID: "key-i", Account: "acct-i"})
				return err
			}})
	}
	for _, tt := range tests {
		err := tt.do()
		assert.ErrorIs(t, err, storage.ErrInvalid, tt.name)
		assert.NotErrorIs(t, err, storage.ErrExists, tt.name)
	}
	_, err := s.Get(ctx(t), ok.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "a batch with an invalid record stores nothing")
	_, err = s.Invoice(ctx(t), inv.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "an invalid invoice is not stored")
}

func testBatchAllOrNone(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	a := newRecord("acct-a", base)
	require.NoError(t, s.Record(ctx(t), a))
	b := newRecord("acct-a", base)
	c := newRecord("acct-a", base)
	err := s.Record(ctx(t), b, a, c)
	require.ErrorIs(t, err, storage.ErrExists)
	for _, id := range []string{b.ID, c.ID} {
		_, err := s.Get(ctx(t), id)
		assert.ErrorIs(t, err, storage.ErrNotFound, "a failed batch must store nothing")
	}
	require.NoError(t, s.Record(ctx(t), b, c))
	for _, id := range []string{b.ID, c.ID} {
		_, err := s.Get(ctx(t), id)
		assert.NoError(t, err)
	}
}

func testGetMissing(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	_, err := s.Get(ctx(t), "no-such-id")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: "no-such-id", Part: storage.AllParts, Status: transport.StatusDelivered, At: base})
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testFindByOperatorID(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	r := newRecord("acct-a", base, "x-1", "x-2")
	other := newRecord("acct-b", base, "x-1")
	other.Transport = "other"
	require.NoError(t, s.Record(ctx(t), r, other))

	got, part, err := s.FindByOperatorID(ctx(t), "test", "x-2")
	require.NoError(t, err)
	assert.Equal(t, r.ID, got.ID)
	assert.Equal(t, 1, part)

	got, part, err = s.FindByOperatorID(ctx(t), "other", "x-1")
	require.NoError(t, err)
	assert.Equal(t, other.ID, got.ID, "operator ids are scoped by transport")
	assert.Equal(t, 0, part)

	_, _, err = s.FindByOperatorID(ctx(t), "test", "x-3")
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func update(t *testing.T, s storage.TrafficStore, id string, part int, st transport.Status, at time.Time) storage.Record {
	t.Helper()
	r, err := s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: id, Part: part, Status: st, ErrorCode: "", At: at})
	require.NoError(t, err)
	return r
}

func testStatusProgression(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	r := newRecord("acct-a", base)
	require.NoError(t, s.Record(ctx(t), r))
	got := update(t, s, r.ID, storage.AllParts, transport.StatusEnroute, base.Add(time.Second))
	assert.Equal(t, transport.StatusEnroute, got.Status)
	got = update(t, s, r.ID, 0, transport.StatusDelivered, base.Add(2*time.Second))
	assert.Equal(t, transport.StatusDelivered, got.Status)
	assert.True(t, got.UpdatedAt.Equal(base.Add(2*time.Second)))
	stored, err := s.Get(ctx(t), r.ID)
	require.NoError(t, err)
	assertSameRecord(t, got, stored)
}

func testNeverRegresses(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	tests := []struct {
		name  string
		steps []transport.Status
		want  transport.Status
	}{
		{"final to intermediate", []transport.Status{transport.StatusDelivered, transport.StatusEnroute}, transport.StatusDelivered},
		{"final to other final", []transport.Status{transport.StatusExpired, transport.StatusDelivered}, transport.StatusExpired},
		{"enroute to accepted", []transport.Status{transport.StatusEnroute, transport.StatusAccepted}, transport.StatusEnroute},
		{"duplicate final", []transport.Status{transport.StatusUndeliverable, transport.StatusUndeliverable}, transport.StatusUndeliverable},
		{"unknown settled later", []transport.Status{transport.StatusUnknown, transport.StatusDelivered}, transport.StatusDelivered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecord("acct-a", base)
			require.NoError(t, s.Record(ctx(t), r))
			var got storage.Record
			for i, st := range tt.steps {
				got = update(t, s, r.ID, storage.AllParts, st, base.Add(time.Duration(i+1)*time.Second))
			}
			assert.Equal(t, tt.want, got.Status)
			stored, err := s.Get(ctx(t), r.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.want, stored.Status)
			assert.Equal(t, tt.want, stored.Parts[0].Status)
		})
	}
}

func testPerPart(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	r := newRecord("acct-a", base, "p-1", "p-2", "p-3")
	require.NoError(t, s.Record(ctx(t), r))
	got := update(t, s, r.ID, 0, transport.StatusDelivered, base.Add(time.Second))
	assert.Equal(t, transport.StatusAccepted, got.Status, "one part delivered is not the message delivered")
	got = update(t, s, r.ID, 2, transport.StatusDelivered, base.Add(time.Second))
	assert.Equal(t, transport.StatusAccepted, got.Status)
	got = update(t, s, r.ID, 1, transport.StatusDelivered, base.Add(time.Second))
	assert.Equal(t, transport.StatusDelivered, got.Status, "every part delivered")

	f := newRecord("acct-a", base, "q-1", "q-2")
	require.NoError(t, s.Record(ctx(t), f))
	got = update(t, s, f.ID, 1, transport.StatusUndeliverable, base.Add(time.Second))
	assert.Equal(t, transport.StatusUndeliverable, got.Status, "a failed part fails the message")
	assert.Equal(t, transport.StatusAccepted, got.Parts[0].Status)

	_, err := s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: f.ID, Part: 7, Status: transport.StatusDelivered, At: base})
	assert.ErrorIs(t, err, storage.ErrNotFound, "a part that does not exist")
}

func testStatusConcurrent(t *testing.T, s storage.TrafficStore, _ *Clock, f Features) {
	r := newRecord("acct-a", base, "c-1", "c-2")
	require.NoError(t, s.Record(ctx(t), r))
	var wg sync.WaitGroup
	order := []transport.Status{transport.StatusEnroute, transport.StatusDelivered, transport.StatusAccepted, transport.StatusEnroute}
	for i := range f.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := order[i%len(order)]
			part := storage.AllParts
			if i%3 == 2 {
				part = i % 2
			}
			_, err := s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: r.ID, Part: part, Status: st, At: base.Add(time.Duration(i) * time.Millisecond)})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	got, err := s.Get(ctx(t), r.ID)
	require.NoError(t, err)
	for i, p := range got.Parts {
		assert.Equal(t, transport.StatusDelivered, p.Status, "part %d: a delivered report must win whatever the order", i)
	}
	assert.Equal(t, transport.StatusDelivered, got.Status)
}

func testRecordConcurrent(t *testing.T, s storage.TrafficStore, _ *Clock, f Features) {
	const each = 20
	ids := make(chan string, f.Concurrency*each)
	var wg sync.WaitGroup
	for w := range f.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r := newRecordSafe(fmt.Sprintf("acct-%d", w%3), i, w)
				if assert.NoError(t, s.Record(ctx(t), r)) {
					ids <- r.ID
				}
			}
		}()
	}
	wg.Wait()
	close(ids)
	n := 0
	for id := range ids {
		_, err := s.Get(ctx(t), id)
		assert.NoError(t, err, "acknowledged record %s must be readable", id)
		n++
	}
	assert.Equal(t, f.Concurrency*each, n)
}

// newRecordSafe builds a record without the shared counter, for goroutines.
func newRecordSafe(account string, i, w int) storage.Record {
	created := base.Add(time.Duration(i) * time.Second)
	id := fmt.Sprintf("conc-%d-%d", w, i)
	return storage.Record{
		ID: id, Account: account, Transport: "test", From: "Advox", Recipient: storage.Sealed{Data: []byte(id)},
		Encoding: transport.GSM7, Segments: 1, Status: transport.StatusAccepted,
		Parts:     []storage.Part{{OperatorID: "op-" + id, Status: transport.StatusAccepted, UpdatedAt: created}},
		CreatedAt: created, UpdatedAt: created, Deadline: start.AddDate(1, 0, 0),
	}
}

func collect(t *testing.T, s storage.TrafficStore, q storage.Query) []storage.Record {
	t.Helper()
	var out []storage.Record
	for r, err := range s.Query(ctx(t), q) {
		require.NoError(t, err)
		out = append(out, r)
	}
	return out
}

func ids(recs []storage.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func testQueryRange(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	var want []storage.Record
	for i := range 6 {
		r := newRecord("acct-q", base.Add(time.Duration(5-i)*time.Hour)) // stored newest first
		want = append([]storage.Record{r}, want...)
		require.NoError(t, s.Record(ctx(t), r))
	}
	require.NoError(t, s.Record(ctx(t), newRecord("acct-other", base.Add(time.Hour))))

	all := collect(t, s, storage.Query{Account: "acct-q"})
	assert.Equal(t, ids(want), ids(all), "oldest first, other accounts excluded")

	mid := collect(t, s, storage.Query{Account: "acct-q", From: base.Add(time.Hour), To: base.Add(4 * time.Hour)})
	assert.Equal(t, ids(want[1:4]), ids(mid), "[From, To) is half-open")

	lim := collect(t, s, storage.Query{Account: "acct-q", Limit: 2})
	assert.Equal(t, ids(want[:2]), ids(lim))

	assert.Empty(t, collect(t, s, storage.Query{Account: "acct-none"}))
	if len(all) > 0 {
		assertSameRecord(t, want[0], all[0])
	}
}

func testQueryEarlyStop(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	for i := range 5 {
		require.NoError(t, s.Record(ctx(t), newRecord("acct-e", base.Add(time.Duration(i)*time.Minute))))
	}
	n := 0
	for _, err := range s.Query(ctx(t), storage.Query{Account: "acct-e"}) {
		require.NoError(t, err)
		n++
		if n == 2 {
			break
		}
	}
	assert.Equal(t, 2, n)
	// The store is still usable after an abandoned iteration.
	require.NoError(t, s.Record(ctx(t), newRecord("acct-e", base)))
	assert.Len(t, collect(t, s, storage.Query{Account: "acct-e"}), 6)
}

func testUsage(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	april := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	a := newRecord("acct-u", march.Add(time.Hour), "u-1", "u-2")
	b := newRecord("acct-u", march.Add(2*time.Hour), "u-3")
	c := newRecord("acct-u", april.Add(time.Hour), "u-4")
	other := newRecord("acct-v", march.Add(time.Hour), "u-5")
	require.NoError(t, s.Record(ctx(t), a, b, c, other))
	update(t, s, a.ID, storage.AllParts, transport.StatusDelivered, march.Add(3*time.Hour))
	update(t, s, b.ID, storage.AllParts, transport.StatusUndeliverable, march.Add(3*time.Hour))

	u, err := s.Usage(ctx(t), "acct-u", march, april)
	require.NoError(t, err)
	assert.Equal(t, 2, u.Messages)
	assert.Equal(t, 3, u.Segments)
	assert.Equal(t, 1, u.Delivered)
	assert.Equal(t, 1, u.Failed)
	assert.Equal(t, "acct-u", u.Account)

	u, err = s.Usage(ctx(t), "acct-u", april, april.AddDate(0, 1, 0))
	require.NoError(t, err)
	assert.Equal(t, 1, u.Messages)
	assert.Equal(t, 1, u.Segments)

	u, err = s.Usage(ctx(t), "acct-none", march, april)
	require.NoError(t, err)
	assert.Zero(t, u.Messages)
}

func testDeadlineOnRead(t *testing.T, s storage.TrafficStore, clk *Clock, _ Features) {
	r := newRecord("acct-d", base, "d-1")
	r.Deadline = start.Add(time.Minute)
	require.NoError(t, s.Record(ctx(t), r))
	_, err := s.Get(ctx(t), r.ID)
	require.NoError(t, err)
	clk.Set(r.Deadline)

	_, err = s.Get(ctx(t), r.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "Get must hide a record at its deadline")
	_, _, err = s.FindByOperatorID(ctx(t), "test", "d-1")
	assert.ErrorIs(t, err, storage.ErrNotFound, "FindByOperatorID must hide it")
	assert.Empty(t, collect(t, s, storage.Query{Account: "acct-d"}), "Query must hide it")
	_, err = s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: r.ID, Part: storage.AllParts, Status: transport.StatusDelivered, At: base})
	assert.ErrorIs(t, err, storage.ErrNotFound, "an expired record takes no updates")
}

func testPurge(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	now := start
	var expired, kept []storage.Record
	for i := range 5 {
		r := newRecord("acct-p", base.Add(time.Duration(i)*time.Second))
		r.Deadline = now.Add(-time.Duration(i+1) * time.Hour)
		expired = append(expired, r)
	}
	for i := range 3 {
		r := newRecord("acct-p", base.Add(time.Duration(i)*time.Second))
		r.Deadline = now.Add(time.Duration(i+1) * time.Hour)
		kept = append(kept, r)
	}
	edge := newRecord("acct-p", base)
	edge.Deadline = now
	require.NoError(t, s.Record(ctx(t), append(append(expired, kept...), edge)...))

	res, err := s.Purge(ctx(t), now)
	require.NoError(t, err)
	assert.Equal(t, len(expired)+1, res.Deleted, "records at or before now are purged")
	assert.True(t, kept[0].Deadline.Equal(res.OldestDeadline), "oldest remaining deadline: %v", res.OldestDeadline)
	res, err = s.Purge(ctx(t), now)
	require.NoError(t, err)
	assert.Zero(t, res.Deleted, "purge is idempotent")
	assert.Equal(t, ids(kept), ids(collect(t, s, storage.Query{Account: "acct-p"})))
}

func testErase(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	var gone []storage.Record
	for i := range 4 {
		gone = append(gone, newRecord("acct-x", base.Add(time.Duration(i)*time.Minute), fmt.Sprintf("e-%d", i)))
	}
	keep := newRecord("acct-y", base, "e-keep")
	require.NoError(t, s.Record(ctx(t), append(gone, keep)...))

	n, err := s.EraseAccount(ctx(t), "acct-x")
	require.NoError(t, err)
	assert.Equal(t, len(gone), n)
	for i, r := range gone {
		_, err := s.Get(ctx(t), r.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, _, err = s.FindByOperatorID(ctx(t), "test", fmt.Sprintf("e-%d", i))
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = s.UpdateStatus(ctx(t), storage.StatusUpdate{ID: r.ID, Part: storage.AllParts, Status: transport.StatusDelivered, At: base})
		assert.ErrorIs(t, err, storage.ErrNotFound)
	}
	assert.Empty(t, collect(t, s, storage.Query{Account: "acct-x"}))
	u, err := s.Usage(ctx(t), "acct-x", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, len(gone), u.Messages, "aggregate usage of the erased period survives for billing")
	assert.Equal(t, len(gone), u.Segments)

	got, err := s.Get(ctx(t), keep.ID)
	require.NoError(t, err, "other accounts are untouched")
	assertSameRecord(t, keep, got)

	n, err = s.EraseAccount(ctx(t), "acct-x")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func testContextCanceled(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Record(c, newRecord("acct-c", base))
	assert.True(t, errors.Is(err, context.Canceled), "Record with a canceled context: %v", err)
	_, err = s.Get(c, "any")
	assert.True(t, errors.Is(err, context.Canceled), "Get with a canceled context: %v", err)
}

func testClosed(t *testing.T, s storage.TrafficStore, _ *Clock, _ Features) {
	r := newRecord("acct-z", base)
	require.NoError(t, s.Record(ctx(t), r))
	require.NoError(t, s.Close())
	assert.ErrorIs(t, s.Record(ctx(t), newRecord("acct-z", base)), storage.ErrClosed)
	_, err := s.Get(ctx(t), r.ID)
	assert.ErrorIs(t, err, storage.ErrClosed)
	_, err = s.Purge(ctx(t), start)
	assert.ErrorIs(t, err, storage.ErrClosed)
	_, err = s.EraseAccount(ctx(t), "acct-z")
	assert.ErrorIs(t, err, storage.ErrClosed)
	assert.NoError(t, s.Close(), "Close is idempotent")
}
