package advox_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// meterFixture is an SDK meter provider read by hand.
type meterFixture struct {
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newMeterFixture(t *testing.T) *meterFixture {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return &meterFixture{reader: reader, mp: mp}
}

// collect returns every metric collected now, by name.
func (f *meterFixture) collect(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, f.reader.Collect(context.Background(), &rm))
	out := make(map[string]metricdata.Metrics)
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, advox.InstrumentationName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// attrKey writes an attribute set as "k=v,k=v", keys sorted.
func attrKey(s attribute.Set) string { return s.Encoded(attribute.DefaultEncoder()) }

// sums returns an int64 counter's value per attribute set.
func sums(t *testing.T, m metricdata.Metrics) map[string]int64 {
	t.Helper()
	out := make(map[string]int64)
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			out[attrKey(dp.Attributes)] = dp.Value
		}
	default:
		t.Fatalf("%s: not an int64 sum: %T", m.Name, m.Data)
	}
	return out
}

// counts returns a histogram's count of measurements per attribute set.
func counts(t *testing.T, m metricdata.Metrics) map[string]uint64 {
	t.Helper()
	out := make(map[string]uint64)
	d, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s: not a float64 histogram: %T", m.Name, m.Data)
	for _, dp := range d.DataPoints {
		out[attrKey(dp.Attributes)] = dp.Count
		low, ok := dp.Min.Value()
		assert.True(t, ok, "%s: minimum recorded", m.Name)
		assert.GreaterOrEqual(t, low, 0.0, "%s: durations are never negative", m.Name)
	}
	return out
}

func TestMetricsOfAScriptedRun(t *testing.T) {
	ctx := context.Background()
	mf := newMeterFixture(t)
	clock := testkit.NewClock(time.Now())
	tr := memtransport.New(&memtransport.Config{ReportStatus: transport.StatusDelivered})
	st := memstore.New(&memstore.Options{Now: clock.Now})
	c, err := advox.NewClient(tr, st, &advox.Options{
		MeterProvider: mf.mp, Now: clock.Now, Backoff: fastBackoff,
		RetryPolicy: func(attempt int, err error) bool { return attempt < 2 },
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })

	send := func(account, text string) (advox.Receipt, error) {
		return c.Send(ctx, advox.Message{Account: account, From: "Advox", To: to, Text: text})
	}
	// Accepted: one segment, two segments, UCS-2 on another account.
	first, err := send("acct-1", "hi")
	require.NoError(t, err)
	_, err = send("acct-1", strings.Repeat("x", 200))
	require.NoError(t, err)
	_, err = send("acct-2", "Привет")
	require.NoError(t, err)
	// Throttled once, then accepted.
	tr.Inject(memtransport.Throttle)
	_, err = send("acct-1", "after a pause")
	require.NoError(t, err)
	// Not sent twice: the retry policy gives up.
	tr.Inject(memtransport.NotSent, memtransport.NotSent)
	_, err = send("acct-1", "never out")
	require.ErrorIs(t, err, advox.ErrUnavailable)
	// Outcome unknown, settled later by a report naming the message id.
	tr.Inject(memtransport.OutcomeUnknown)
	unknown, err := send("acct-1", "maybe out")
	require.ErrorIs(t, err, advox.ErrOutcomeUnknown)
	// Rejected.
	tr.Inject(memtransport.Reject)
	_, err = send("acct-1", "refused")
	require.ErrorIs(t, err, advox.ErrRejected)

	// Five automatic reports (1 + 2 + 1 + 1 parts), then by hand: the
	// outcome-unknown message fails, and two duplicates change nothing.
	finalDelivered := func() int64 {
		m, ok := mf.collect(t)[advox.MetricReportFinal]
		if !ok {
			return 0
		}
		return sums(t, m)["advox.status=delivered,advox.transport=mem"]
	}
	require.Eventually(t, func() bool { return finalDelivered() == 4 }, 5*time.Second, time.Millisecond)
	for _, r := range []transport.Report{
		{MessageID: unknown.ID, Status: transport.StatusUndeliverable},
		{MessageID: unknown.ID, Status: transport.StatusUndeliverable},
		{OperatorID: first.OperatorIDs[0], Status: transport.StatusDelivered},
	} {
		require.True(t, tr.Report(ctx, r))
	}

	erased, err := c.EraseAccountTraffic(ctx, "acct-2", advox.EraseOnRequest)
	require.NoError(t, err)
	require.Equal(t, 1, erased.Records)
	clock.Set(clock.Now().AddDate(0, 6, 0))
	purged, err := advox.NewRetention(st, &advox.RetentionOptions{Now: clock.Now, MeterProvider: mf.mp}).PurgeNow(ctx)
	require.NoError(t, err)
	require.Equal(t, 5, purged.Deleted)
	require.NoError(t, c.Close()) // waits for every report in flight

	got := mf.collect(t)
	const (
		gsm7 = "advox.encoding=gsm7,"
		ucs2 = "advox.encoding=ucs2,"
		mem  = "advox.transport=mem"
	)
	assert.Equal(t, map[string]int64{
		gsm7 + "advox.outcome=accepted," + mem:        3,
		ucs2 + "advox.outcome=accepted," + mem:        1,
		gsm7 + "advox.outcome=not_sent," + mem:        1,
		gsm7 + "advox.outcome=outcome_unknown," + mem: 1,
		gsm7 + "advox.outcome=rejected," + mem:        1,
	}, sums(t, got[advox.MetricSentMessages]))
	assert.Equal(t, map[string]int64{
		gsm7 + "advox.outcome=accepted," + mem:        4,
		ucs2 + "advox.outcome=accepted," + mem:        1,
		gsm7 + "advox.outcome=not_sent," + mem:        1,
		gsm7 + "advox.outcome=outcome_unknown," + mem: 1,
		gsm7 + "advox.outcome=rejected," + mem:        1,
	}, sums(t, got[advox.MetricSentSegments]))
	assert.Equal(t, map[string]uint64{
		"advox.outcome=accepted," + mem:        4,
		"advox.outcome=throttled," + mem:       1,
		"advox.outcome=not_sent," + mem:        2,
		"advox.outcome=outcome_unknown," + mem: 1,
		"advox.outcome=rejected," + mem:        1,
	}, counts(t, got[advox.MetricSubmitDuration]))
	assert.Equal(t, map[string]int64{mem: 0}, sums(t, got[advox.MetricSubmitActive]), "nothing left in flight")
	assert.Equal(t, map[string]int64{mem: 1}, sums(t, got[advox.MetricSubmitThrottled]))
	assert.Equal(t, map[string]int64{
		"advox.outcome=throttled," + mem: 1,
		"advox.outcome=not_sent," + mem:  1,
	}, sums(t, got[advox.MetricSubmitRetries]))
	assert.Equal(t, map[string]uint64{
		"advox.status=delivered," + mem:     4,
		"advox.status=undeliverable," + mem: 1,
	}, counts(t, got[advox.MetricReportLatency]), "one per status move: parts and duplicates that move nothing count nothing")
	assert.Equal(t, map[string]int64{
		"advox.status=delivered," + mem:     4,
		"advox.status=undeliverable," + mem: 1,
	}, sums(t, got[advox.MetricReportFinal]))
	assert.Equal(t, map[string]int64{"advox.erase.reason=customer-request": 1}, sums(t, got[advox.MetricEraseDeleted]))
	assert.Equal(t, map[string]int64{"": 5}, sums(t, got[advox.MetricPurgeDeleted]))
}

func TestMetricUnits(t *testing.T) {
	mf := newMeterFixture(t)
	tr := memtransport.New(&memtransport.Config{ReportStatus: transport.StatusDelivered})
	st := memstore.New(nil)
	c, err := advox.NewClient(tr, st, &advox.Options{MeterProvider: mf.mp})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	tr.Inject(memtransport.Throttle)
	_, err = c.Send(context.Background(), msg("hi"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return c.ReportStats().Applied == 1 }, 5*time.Second, time.Millisecond)
	_, err = c.EraseAccountTraffic(context.Background(), "acct-1", advox.EraseAccountClosed)
	require.NoError(t, err)
	_, err = advox.NewRetention(st, &advox.RetentionOptions{MeterProvider: mf.mp}).PurgeNow(context.Background())
	require.NoError(t, err)

	units := make(map[string]string)
	for name, m := range mf.collect(t) {
		units[name] = m.Unit
		assert.NotEmpty(t, m.Description, name)
	}
	assert.Equal(t, map[string]string{
		advox.MetricSentMessages:    "{message}",
		advox.MetricSentSegments:    "{segment}",
		advox.MetricSubmitDuration:  "s",
		advox.MetricSubmitActive:    "{submit}",
		advox.MetricSubmitThrottled: "{submit}",
		advox.MetricSubmitRetries:   "{retry}",
		advox.MetricReportLatency:   "s",
		advox.MetricReportFinal:     "{message}",
		advox.MetricEraseDeleted:    "{record}",
		advox.MetricPurgeDeleted:    "{record}",
	}, units)
}

func TestClientEnforcerCountsPurges(t *testing.T) {
	mf := newMeterFixture(t)
	clock := testkit.NewClock(time.Now())
	st := memstore.New(&memstore.Options{Now: clock.Now})
	c, err := advox.NewClient(memtransport.New(nil), st, &advox.Options{
		MeterProvider: mf.mp, Now: clock.Now, PurgeEvery: 5 * time.Millisecond,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	for range 2 {
		_, err := c.Send(context.Background(), msg("hi"))
		require.NoError(t, err)
	}
	clock.Set(clock.Now().AddDate(0, 6, 0))
	require.Eventually(t, func() bool {
		m, ok := mf.collect(t)[advox.MetricPurgeDeleted]
		return ok && sums(t, m)[""] == 2
	}, 5*time.Second, 5*time.Millisecond, "the Client's enforcer reports to the Client's meter provider")
}

// slowUpdates is a store whose updates take a while, so that concurrent
// reports overlap.
type slowUpdates struct{ *memstore.Store }

func (s slowUpdates) UpdateStatus(ctx context.Context, u storage.StatusUpdate) (storage.Record, error) {
	time.Sleep(2 * time.Millisecond)
	return s.Store.UpdateStatus(ctx, u)
}

func TestReportMetricsCountConcurrentDuplicatesOnce(t *testing.T) {
	mf := newMeterFixture(t)
	tr := memtransport.New(nil)
	c, err := advox.NewClient(tr, slowUpdates{memstore.New(nil)}, &advox.Options{MeterProvider: mf.mp})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	rcpt, err := c.Send(context.Background(), msg("hi"))
	require.NoError(t, err)

	const n = 16
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			// Echoing the message id, so that a repeat coming after the
			// record is final is applied rather than held.
			tr.Report(context.Background(), transport.Report{OperatorID: rcpt.OperatorIDs[0], MessageID: rcpt.ID,
				Status: transport.StatusDelivered})
		})
	}
	close(start)
	wg.Wait()
	require.EqualValues(t, n, c.ReportStats().Applied)

	got := mf.collect(t)
	key := "advox.status=delivered,advox.transport=mem"
	assert.Equal(t, map[string]int64{key: 1}, sums(t, got[advox.MetricReportFinal]))
	assert.Equal(t, map[string]uint64{key: 1}, counts(t, got[advox.MetricReportLatency]))
}

// refusingMeter refuses every counter, as a misconfigured SDK might.
type refusingMeter struct{ noop.Meter }

func (refusingMeter) Int64Counter(string, ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	return nil, errors.New("counter refused")
}

type refusingProvider struct{ noop.MeterProvider }

func (refusingProvider) Meter(string, ...metric.MeterOption) metric.Meter { return refusingMeter{} }

func TestRefusedInstrumentsNeverStopSending(t *testing.T) {
	var logs bytes.Buffer
	c, _ := newClient(t, memtransport.New(nil), &advox.Options{
		MeterProvider: refusingProvider{}, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	_, err := c.Send(context.Background(), msg("hi"))
	require.NoError(t, err)
	_, err = c.EraseAccountTraffic(context.Background(), "acct-1", advox.EraseOnRequest)
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "metric instruments not available")
	assert.Contains(t, logs.String(), "counter refused")
}

// A message whose parts fail one after the other with different final
// statuses moves from one final status to another; it reached a final
// status once and is counted once.
func TestReportFinalCountsAMessageOnce(t *testing.T) {
	mf := newMeterFixture(t)
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{MeterProvider: mf.mp})
	ctx := context.Background()
	rcpt, err := c.Send(ctx, msg(strings.Repeat("x", 200)))
	require.NoError(t, err)
	require.Len(t, rcpt.OperatorIDs, 2)

	for _, r := range []transport.Report{
		{OperatorID: rcpt.OperatorIDs[1], Status: transport.StatusExpired},                       // message: expired
		{OperatorID: rcpt.OperatorIDs[0], Status: transport.StatusUndeliverable},                 // message: undeliverable
		{OperatorID: rcpt.OperatorIDs[0], MessageID: rcpt.ID, Status: transport.StatusDelivered}, // a repeat: no move
	} {
		require.True(t, tr.Report(ctx, r))
	}
	require.EqualValues(t, 3, c.ReportStats().Applied)

	var total int64
	for _, v := range sums(t, mf.collect(t)[advox.MetricReportFinal]) {
		total += v
	}
	assert.EqualValues(t, 1, total, "one message reached a final status")
}

// stalledUpdate is a store whose first status update stalls until
// released, as a slow database would.
type stalledUpdate struct {
	*memstore.Store
	stalled          atomic.Bool
	entered, release chan struct{}
}

func (s *stalledUpdate) UpdateStatus(ctx context.Context, u storage.StatusUpdate) (storage.Record, error) {
	if s.stalled.CompareAndSwap(false, true) {
		close(s.entered)
		<-s.release
	}
	return s.Store.UpdateStatus(ctx, u)
}

// The per-message lock that report metrics take must not make a report
// whose context has ended wait for another report's slow update.
func TestReportMetricsLockHonoursContext(t *testing.T) {
	mf := newMeterFixture(t)
	tr := memtransport.New(nil)
	st := &stalledUpdate{Store: memstore.New(nil), entered: make(chan struct{}), release: make(chan struct{})}
	c, err := advox.NewClient(tr, st, &advox.Options{MeterProvider: mf.mp})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	rcpt, err := c.Send(context.Background(), msg("hi"))
	require.NoError(t, err)

	var wg sync.WaitGroup
	defer wg.Wait()
	released := sync.OnceFunc(func() { close(st.release) })
	defer released()
	wg.Go(func() {
		tr.Report(context.Background(), transport.Report{MessageID: rcpt.ID, Status: transport.StatusEnroute})
	})
	<-st.entered

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		tr.Report(ctx, transport.Report{MessageID: rcpt.ID, Status: transport.StatusDelivered})
	})
	assert.Eventually(t, func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	}, 5*time.Second, time.Millisecond, "a cancelled report waits for another report's update")
	released()
}
