package advox_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
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

func TestAddMonthsClamped(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 13, 45, 0, 0, time.UTC) }
	tests := []struct {
		name string
		in   time.Time
		n    int
		want time.Time
	}{
		{"31 Oct + 5 is 31 Mar", d(2025, 10, 31), 5, d(2026, 3, 31)},
		{"30 Sep + 5 is 28 Feb", d(2025, 9, 30), 5, d(2026, 2, 28)},
		{"30 Sep + 5 in a leap year is 29 Feb", d(2027, 9, 30), 5, d(2028, 2, 29)},
		{"29 Sep + 5 in a leap year is 29 Feb", d(2027, 9, 29), 5, d(2028, 2, 29)},
		{"31 Aug + 1 is 30 Sep", d(2026, 8, 31), 1, d(2026, 9, 30)},
		{"15 Nov + 5 crosses the year", d(2026, 11, 15), 5, d(2027, 4, 15)},
		{"1 Jan + 5", d(2026, 1, 1), 5, d(2026, 6, 1)},
		{"29 Feb + 12 is 28 Feb", d(2028, 2, 29), 12, d(2029, 2, 28)},
		{"zero months", d(2026, 5, 31), 0, d(2026, 5, 31)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, advox.AddMonthsClamped(tt.in, tt.n))
		})
	}
}

func TestRetentionPolicy(t *testing.T) {
	at := time.Date(2025, 10, 31, 8, 0, 0, 0, time.UTC)
	assert.Equal(t, time.Date(2026, 3, 31, 8, 0, 0, 0, time.UTC), advox.DefaultRetentionPolicy().Deadline(at))
	assert.Equal(t, advox.DefaultRetentionPolicy().Deadline(at), advox.RetentionPolicy{}.Deadline(at), "zero value is the default")
	assert.Equal(t, time.Date(2025, 11, 30, 8, 0, 0, 0, time.UTC), advox.RetentionPolicy{Months: 1}.Deadline(at))

	assert.NoError(t, advox.RetentionPolicy{Months: 3}.Validate(), "lower is always allowed")
	assert.ErrorIs(t, advox.RetentionPolicy{Months: 6}.Validate(), advox.ErrInvalidArgument, "higher needs an explicit option")
	assert.NoError(t, advox.RetentionPolicy{Months: 6, AllowBeyondPolicy: true}.Validate())
	assert.ErrorIs(t, advox.RetentionPolicy{Months: -1}.Validate(), advox.ErrInvalidArgument)
}

// TestDeadlineAtDaylightSavingChanges: a deadline is the first instant at
// which the record's local clock shows its date and time of day. When a
// daylight-saving change repeats that hour, the record must not live
// through the repeat (an hour past five months); when the change skips it,
// the deadline is the change itself, not the skipped time pushed forward.
func TestDeadlineAtDaylightSavingChanges(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		return loc
	}
	sthlm, ny, lordHowe := zone("Europe/Stockholm"), zone("America/New_York"), zone("Australia/Lord_Howe")
	tests := []struct {
		name    string
		in      time.Time
		wantUTC time.Time
	}{
		{"Stockholm: 02:30 repeated on 25 Oct 2026, the first one (CEST)",
			time.Date(2026, 5, 25, 2, 30, 0, 0, sthlm), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{"Stockholm: recorded in the repeated hour, second time (CET)",
			time.Date(2025, 10, 26, 1, 30, 0, 0, time.UTC).In(sthlm), time.Date(2026, 3, 26, 1, 30, 0, 0, time.UTC)},
		{"Stockholm: 02:30 skipped on 29 Mar 2026, gone at the change (03:00 CEST)",
			time.Date(2025, 10, 29, 2, 30, 0, 0, sthlm), time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)},
		{"New York: 01:30 repeated on 1 Nov 2026, the first one (EDT)",
			time.Date(2026, 6, 1, 1, 30, 0, 0, ny), time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)},
		{"New York: 02:30 skipped on 8 Mar 2026",
			time.Date(2025, 10, 8, 2, 30, 0, 0, ny), time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)},
		{"Lord Howe: half-hour change, 01:45 repeated on 5 Apr 2026, the first one",
			time.Date(2025, 11, 5, 1, 45, 0, 0, lordHowe), time.Date(2026, 4, 4, 14, 45, 0, 0, time.UTC)},
		{"no change nearby", time.Date(2025, 10, 31, 12, 0, 0, 0, sthlm), time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := advox.DefaultRetentionPolicy().Deadline(tt.in)
			assert.True(t, tt.wantUTC.Equal(got), "want %v, got %v (%v)", tt.wantUTC, got.UTC(), got)
			assert.Equal(t, tt.in.Location(), got.Location(), "the deadline is in the record's zone")
			// The first instant showing the target wall clock or later.
			y, m, d := got.Date()
			_, _, want := tt.in.Date()
			assert.LessOrEqual(t, d, want, "day clamped, never moved on")
			before := got.Add(-time.Nanosecond)
			assert.False(t, before.Year() == y && before.Month() == m && before.Day() == d &&
				before.Hour()*60+before.Minute() >= tt.in.Hour()*60+tt.in.Minute(),
				"an instant earlier already showed %v", before)
		})
	}
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

// A record's deadline is five calendar months after it was made, clamped
// to the end of the target month: never time.AddDate's overflow into the
// month after.
func ExampleRetentionPolicy_Deadline() {
	p := advox.DefaultRetentionPolicy()
	for _, made := range []time.Time{
		time.Date(2026, 10, 31, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 9, 30, 9, 0, 0, 0, time.UTC),
		time.Date(2027, 9, 30, 9, 0, 0, 0, time.UTC), // leap year
	} {
		fmt.Println(made.Format("2006-01-02"), "->", p.Deadline(made).Format("2006-01-02"),
			"(AddDate:", made.AddDate(0, 5, 0).Format("2006-01-02")+")")
	}
	fmt.Println(advox.RetentionPolicy{Months: 6}.Validate())
	// Output:
	// 2026-10-31 -> 2027-03-31 (AddDate: 2027-03-31)
	// 2026-09-30 -> 2027-02-28 (AddDate: 2027-03-02)
	// 2027-09-30 -> 2028-02-29 (AddDate: 2028-03-01)
	// advox: retention: invalid argument: 6 months exceeds the policy's 5; set AllowBeyondPolicy to do so deliberately
}

// The retention enforcer deletes records past their deadline; reads hide
// them even before it runs. Its clock is injectable, so the months can
// pass at once. (A Client runs one itself with Options.PurgeEvery; Run
// purges at an interval until its context ends.)
func ExampleNewRetention() {
	ctx := context.Background()
	var mu sync.Mutex // the Client reads its clock on goroutines of its own
	now := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	quiet := slog.New(slog.DiscardHandler)

	store := memstore.New(&memstore.Options{Now: clock})
	client, err := advox.NewClient(memtransport.New(nil), store, &advox.Options{Now: clock, Logger: quiet})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}); err != nil {
		log.Fatal(err)
	}
	enforcer := advox.NewRetention(store, &advox.RetentionOptions{Now: clock, Logger: quiet})

	count := func() int {
		n := 0
		for _, err := range client.Records(ctx, advox.PurposeBill, storage.Query{Account: "acme"}) {
			if err != nil {
				log.Fatal(err)
			}
			n++
		}
		return n
	}
	for _, at := range []time.Time{
		time.Date(2026, 6, 30, 11, 59, 0, 0, time.UTC), // a minute before the deadline
		time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC),  // 31 January + 5 months, clamped to 30 June
	} {
		mu.Lock()
		now = at
		mu.Unlock()
		readable := count()
		rep, err := enforcer.PurgeNow(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(at.Format(time.DateTime), "readable:", readable, "purged:", rep.Deleted)
	}
	// Output:
	// 2026-06-30 11:59:00 readable: 1 purged: 0
	// 2026-06-30 12:00:00 readable: 0 purged: 1
}
