package advox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
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

func TestDeadlineEdges(t *testing.T) {
	sthlm, err := time.LoadLocation("Europe/Stockholm")
	require.NoError(t, err)
	utc := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, time.UTC) }
	loc := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, sthlm) }
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"31 Oct is 31 Mar", utc(2025, 10, 31, 23, 59), utc(2026, 3, 31, 23, 59)},
		{"30 Sep is 28 Feb", utc(2025, 9, 30, 0, 0), utc(2026, 2, 28, 0, 0)},
		{"30 Sep before a leap year is 29 Feb", utc(2027, 9, 30, 12, 0), utc(2028, 2, 29, 12, 0)},
		{"31 Aug is 31 Jan", utc(2025, 8, 31, 6, 0), utc(2026, 1, 31, 6, 0)},
		{"29 Feb is 29 Jul", utc(2028, 2, 29, 6, 0), utc(2028, 7, 29, 6, 0)},
		{"local 31 Oct across the spring DST change keeps the wall clock", loc(2025, 10, 31, 23, 30), loc(2026, 3, 31, 23, 30)},
		{"local 30 Sep (CEST) to Feb (CET)", loc(2025, 9, 30, 0, 30), loc(2026, 2, 28, 0, 30)},
		{"local time in the spring-forward gap is the change itself", loc(2025, 10, 29, 2, 30), loc(2026, 3, 29, 3, 0)},
		// The same instant in UTC and in local time: each is five calendar
		// months in its own zone.
		{"UTC late on 31 Oct", utc(2025, 10, 31, 23, 30), utc(2026, 3, 31, 23, 30)},
		{"the same instant in Stockholm is 1 Nov", utc(2025, 10, 31, 23, 30).In(sthlm), loc(2026, 4, 1, 0, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := advox.DefaultRetentionPolicy().Deadline(tt.in)
			assert.True(t, tt.want.Equal(got), "want %v, got %v", tt.want, got)
			assert.True(t, got.After(tt.in))
			assert.LessOrEqual(t, got.Sub(tt.in), (31+30+31+30+31)*24*time.Hour+time.Hour, "never more than five months")
		})
	}
}

func TestTimeBarEdges(t *testing.T) {
	leap := time.Date(2028, 2, 29, 10, 0, 0, 0, time.UTC)
	p := advox.RetentionPolicy{}
	assert.Equal(t, time.Date(2031, 2, 28, 10, 0, 0, 0, time.UTC), p.TimeBar(leap, true), "consumer: 3 years, clamped")
	assert.Equal(t, time.Date(2038, 2, 28, 10, 0, 0, 0, time.UTC), p.TimeBar(leap, false), "business: 10 years, clamped")
	q := advox.RetentionPolicy{ConsumerTimeBarYears: 1, BusinessTimeBarYears: 2}
	assert.Equal(t, time.Date(2029, 2, 28, 10, 0, 0, 0, time.UTC), q.TimeBar(leap, true))
	assert.Equal(t, time.Date(2030, 2, 28, 10, 0, 0, 0, time.UTC), q.TimeBar(leap, false))
	assert.ErrorIs(t, advox.RetentionPolicy{ConsumerTimeBarYears: -1}.Validate(), advox.ErrInvalidArgument)
}

// TestInvoiceHoldEdges drives the hold through the Client at the edges:
// the invoice settled exactly at the deadline, a partial payment, a
// time-bar that ends the hold, a time-bar before the deadline.
func TestInvoiceHoldEdges(t *testing.T) {
	sent := time.Date(2025, 10, 31, 9, 0, 0, 0, time.UTC)
	deadline := time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC)
	type step struct {
		at      time.Time
		state   storage.InvoiceState // "" means no payment event
		visible bool
	}
	tests := []struct {
		name   string
		policy advox.RetentionPolicy
		billed bool
		steps  []step
	}{
		{"unbilled: gone at the deadline", advox.RetentionPolicy{}, false, []step{
			{deadline.Add(-time.Nanosecond), "", true},
			{deadline, "", false},
		}},
		{"paid exactly at the deadline: gone at the deadline", advox.RetentionPolicy{}, true, []step{
			{deadline.Add(-time.Nanosecond), "", true},
			{deadline, storage.InvoicePaid, false},
		}},
		{"paid just after the deadline: held until then", advox.RetentionPolicy{}, true, []step{
			{deadline, "", true},
			{deadline.Add(time.Second), storage.InvoicePaid, false},
		}},
		{"a partial payment ends nothing", advox.RetentionPolicy{}, true, []step{
			{deadline.Add(time.Hour), storage.InvoicePartiallyPaid, true},
			{deadline.Add(48 * time.Hour), storage.InvoiceWrittenOff, false},
		}},
		{"paid before the deadline: the hard cap still applies", advox.RetentionPolicy{}, true, []step{
			{deadline.Add(-time.Hour), storage.InvoicePaid, true},
			{deadline, "", false},
		}},
		{"an open invoice holds until its time-bar, not past it", advox.RetentionPolicy{BusinessTimeBarYears: 1}, true, []step{
			{time.Date(2026, 11, 4, 23, 59, 0, 0, time.UTC), "", true},
			{time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC), "", false},
		}},
		{"time-bar before the deadline: the deadline still applies", advox.RetentionPolicy{Months: 18, AllowBeyondPolicy: true, BusinessTimeBarYears: 1}, true, []step{
			{time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC), "", true},
			{time.Date(2027, 4, 30, 8, 59, 0, 0, time.UTC), "", true},
			{time.Date(2027, 4, 30, 9, 0, 0, 0, time.UTC), "", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			clk := testkit.NewClock(sent)
			st := memstore.New(&memstore.Options{Now: clk.Now})
			c, err := advox.NewClient(memtransport.New(nil), st, &advox.Options{Now: clk.Now, Retention: tt.policy})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			r := send(t, c, "acct-h", to, "billed")
			if tt.billed {
				clk.Set(time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC))
				_, n, err := c.CreateInvoice(ctx, advox.InvoiceRequest{ID: "INV-1", Account: "acct-h",
					PeriodStart: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
				require.NoError(t, err)
				require.Equal(t, 1, n)
			}
			for i, s := range tt.steps {
				clk.Set(s.at)
				if s.state != "" {
					_, err := c.SetInvoiceState(ctx, "INV-1", s.state)
					require.NoError(t, err)
				}
				_, err := c.Status(ctx, advox.PurposeBill, r.ID)
				if s.visible {
					require.NoError(t, err, "step %d: visible at %v", i, s.at)
				} else {
					require.ErrorIs(t, err, advox.ErrNotFound, "step %d: a read past the deadline, before any purge", i)
				}
				for rec, err := range c.Records(ctx, advox.PurposeBill, storage.Query{Account: "acct-h"}) {
					require.NoError(t, err)
					assert.True(t, s.visible, "step %d: listed past its deadline: %s", i, rec.ID)
				}
				rep, err := advox.NewRetention(st, &advox.RetentionOptions{Now: clk.Now}).PurgeNow(ctx)
				require.NoError(t, err)
				if !s.visible {
					again, err := advox.NewRetention(st, &advox.RetentionOptions{Now: clk.Now}).PurgeNow(ctx)
					require.NoError(t, err)
					assert.Zero(t, again.Deleted, "purge is idempotent")
					_, err = st.Get(ctx, r.ID)
					assert.ErrorIs(t, err, storage.ErrNotFound)
					return
				}
				assert.Zero(t, rep.Deleted, "step %d", i)
			}
		})
	}
}

// flakyPurges fails the first purges it is asked for.
type flakyPurges struct {
	storage.TrafficStore
	mu    sync.Mutex
	fails int
	calls int
}

func (f *flakyPurges) Purge(ctx context.Context, now time.Time) (storage.PurgeResult, error) {
	f.mu.Lock()
	f.calls++
	fail := f.calls <= f.fails
	f.mu.Unlock()
	if fail {
		return storage.PurgeResult{}, fmt.Errorf("purge: %w", storage.ErrUnavailable)
	}
	return f.TrafficStore.Purge(ctx, now)
}

func TestRetentionRunSurvivesFailuresAndEnds(t *testing.T) {
	ctx := context.Background()
	clk := testkit.NewClock(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC))
	mem := memstore.New(&memstore.Options{Now: clk.Now})
	defer mem.Close()
	st := &flakyPurges{TrafficStore: mem, fails: 3}
	require.NoError(t, mem.Record(ctx, storage.Record{ID: "m1", Account: "acct-r", CreatedAt: clk.Now(),
		UpdatedAt: clk.Now(), Deadline: advox.DefaultRetentionPolicy().Deadline(clk.Now())}))
	clk.Set(time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))

	trail := &testkit.AuditLog{}
	r := advox.NewRetention(st, &advox.RetentionOptions{Every: time.Millisecond, Now: clk.Now, Auditor: trail})
	_, err := r.PurgeNow(ctx)
	assert.ErrorIs(t, err, advox.ErrUnavailable, "a failing purge is a typed error")

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); r.Run(runCtx) }()
	require.Eventually(t, func() bool {
		return len(trail.Events()) > 0
	}, 5*time.Second, time.Millisecond, "the purger goes on after failures")
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end with its context")
	}
	require.NotEmpty(t, trail.Events())
	deleted := 0
	for _, e := range trail.Events() {
		assert.Equal(t, "purge", e.Action)
		assert.Empty(t, e.Account)
		assert.Empty(t, e.MessageID)
		assert.False(t, testkit.PhoneNumber.MatchString(fmt.Sprintf("%+v", e)))
		deleted += e.Count
	}
	assert.Equal(t, 1, deleted, "audited purges count what they deleted, failures are not audited as purges")
}

// keyOrder is a KeyStore kept apart from the traffic store that records
// the order of destroy and erase calls.
type keyOrder struct {
	storage.KeyStore
	log  *[]string
	mu   *sync.Mutex
	fail error
}

func (k keyOrder) DestroyKeys(ctx context.Context, account string) (int, error) {
	k.mu.Lock()
	*k.log = append(*k.log, "destroy keys")
	k.mu.Unlock()
	if k.fail != nil {
		return 0, k.fail
	}
	return k.KeyStore.DestroyKeys(ctx, account)
}

type eraseOrder struct {
	storage.TrafficStore
	log *[]string
	mu  *sync.Mutex
}

func (e eraseOrder) EraseAccount(ctx context.Context, account string) (int, error) {
	e.mu.Lock()
	*e.log = append(*e.log, "erase records")
	e.mu.Unlock()
	return e.TrafficStore.EraseAccount(ctx, account)
}

func TestEraseEveryStoreKeysFirstIdempotent(t *testing.T) {
	ctx := context.Background()
	var calls []string
	var mu sync.Mutex
	traffic := memstore.New(nil)
	keys := traffic // memstore checks records against its own keyring
	c, err := advox.NewClient(memtransport.New(nil), eraseOrder{traffic, &calls, &mu},
		&advox.Options{KEK: kek(t), IndexKey: indexKey, Keys: keyOrder{KeyStore: keys, log: &calls, mu: &mu}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	var ids []string
	for i := range 3 {
		ids = append(ids, send(t, c, "acct-z", fmt.Sprintf("+4670555%04d", i), "x").ID)
	}
	stored, err := traffic.Get(ctx, ids[0])
	require.NoError(t, err)

	rep, err := c.EraseAccountTraffic(ctx, "acct-z", advox.EraseAccountClosed)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Records)
	assert.Equal(t, 1, rep.KeysDestroyed)
	assert.Equal(t, []string{"destroy keys", "erase records"}, calls, "keys are destroyed first")
	_, err = keys.Key(ctx, stored.Recipient.KeyID)
	assert.ErrorIs(t, err, storage.ErrErased, "the key is gone from the key store")
	for _, id := range ids {
		_, err := traffic.Get(ctx, id)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the record is gone from the traffic store")
	}

	again, err := c.EraseAccountTraffic(ctx, "acct-z", advox.EraseAccountClosed)
	require.NoError(t, err, "erase is idempotent")
	assert.Zero(t, again.Records)
	assert.Zero(t, again.KeysDestroyed)
	u, err := c.Usage(ctx, advox.PurposeBill, "acct-z", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 3, u.Messages, "aggregates survive both erases, counted once")
}

func TestEraseTypedErrors(t *testing.T) {
	ctx := context.Background()
	var calls []string
	var mu sync.Mutex
	traffic := memstore.New(nil)
	keys := traffic
	failing := keyOrder{KeyStore: keys, log: &calls, mu: &mu, fail: fmt.Errorf("kms down: %w", storage.ErrUnavailable)}
	c, err := advox.NewClient(memtransport.New(nil), traffic, &advox.Options{KEK: kek(t), IndexKey: indexKey, Keys: failing})
	require.NoError(t, err)
	r := send(t, c, "acct-t", to, "x")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		account string
		reason  advox.EraseReason
		want    error
	}{
		{"empty account", ctx, "", advox.EraseOnRequest, advox.ErrInvalidArgument},
		{"personnummer as account", ctx, "19121212-1212", advox.EraseOnRequest, advox.ErrPersonalNumber},
		{"free-text reason", ctx, "acct-t", "gdpr", advox.ErrInvalidArgument},
		{"key store down: nothing deleted", ctx, "acct-t", advox.EraseOnRequest, advox.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.EraseAccountTraffic(tt.ctx, tt.account, tt.reason)
			require.ErrorIs(t, err, tt.want)
			var e *advox.Error
			require.ErrorAs(t, err, &e)
			assert.NotContains(t, err.Error(), "19121212")
		})
	}
	_, err = traffic.Get(ctx, r.ID)
	assert.NoError(t, err, "records stay while their keys could not be destroyed")
	_, err = c.EraseAccountTraffic(canceled, "acct-t", advox.EraseOnRequest)
	assert.True(t, errors.Is(err, context.Canceled) || errors.Is(err, advox.ErrUnavailable), "got %v", err)

	require.NoError(t, c.Close())
	_, err = c.EraseAccountTraffic(ctx, "acct-t", advox.EraseOnRequest)
	assert.ErrorIs(t, err, advox.ErrClosed)
	assert.False(t, strings.Contains(fmt.Sprint(calls), "erase records"))
}

// failingErase is a store whose record deletion fails after the keys went.
type failingErase struct {
	*memstore.Store
}

func (f failingErase) EraseAccount(context.Context, string) (int, error) {
	return 0, fmt.Errorf("disk full: %w", storage.ErrUnavailable)
}

// An erase whose record deletion failed is not logged as done: the keys
// are gone, the records left, and the error says so.
func TestEraseFailureIsNotLoggedAsDone(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	c, err := advox.NewClient(memtransport.New(nil), failingErase{memstore.New(nil)}, &advox.Options{Logger: log})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	send(t, c, "acct-x", to, "x")
	rep, err := c.EraseAccountTraffic(context.Background(), "acct-x", advox.EraseOnRequest)
	require.Error(t, err)
	assert.Equal(t, 1, rep.KeysDestroyed, "the records are unreadable all the same")
	assert.Contains(t, buf.String(), "erase incomplete")
	assert.NotContains(t, buf.String(), "account traffic erased")
}
