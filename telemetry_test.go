package advox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

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
	tr := memtransport.New(&memtransport.Options{ReportStatus: transport.StatusDelivered})
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
	tr := memtransport.New(&memtransport.Options{ReportStatus: transport.StatusDelivered})
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

func newTracerFixture(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, sr
}

// attrMap flattens span attributes for assertions.
func attrMap(kvs []attribute.KeyValue) map[string]any {
	out := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		out[string(kv.Key)] = kv.Value.AsInterface()
	}
	return out
}

func TestSendSpans(t *testing.T) {
	tp, sr := newTracerFixture(t)
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{TracerProvider: tp})
	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")

	tr.Inject(memtransport.Throttle)
	_, err := c.Send(ctx, msg("hi"))
	require.NoError(t, err)
	tr.Inject(memtransport.Reject)
	_, err = c.Send(ctx, msg(strings.Repeat("☃", 100)))
	require.ErrorIs(t, err, advox.ErrRejected)
	_, err = c.Send(ctx, advox.Message{Account: "acct-1", From: "Advox", To: "not a number", Text: "hi"})
	require.ErrorIs(t, err, advox.ErrInvalidArgument)
	parent.End()

	type span struct {
		name, parent string
		attrs        map[string]any
		status       sdktrace.Status
	}
	names := map[string]string{parent.SpanContext().SpanID().String(): "request"}
	var got []span
	for _, s := range sr.Ended() {
		names[s.SpanContext().SpanID().String()] = s.Name()
		got = append(got, span{s.Name(), s.Parent().SpanID().String(), attrMap(s.Attributes()), s.Status()})
	}
	for i := range got {
		got[i].parent = names[got[i].parent]
	}
	ok := sdktrace.Status{Code: codes.Unset}
	fail := func(typ string) sdktrace.Status { return sdktrace.Status{Code: codes.Error, Description: typ} }
	assert.Equal(t, []span{
		{"advox.submit", "advox.Send", map[string]any{"advox.attempt": int64(1), "advox.transport": "mem",
			"advox.outcome": "throttled", "error.type": "throttled"}, fail("throttled")},
		{"advox.submit", "advox.Send", map[string]any{"advox.attempt": int64(2), "advox.transport": "mem",
			"advox.outcome": "accepted"}, ok},
		{"advox.Send", "request", map[string]any{"advox.segments": int64(1), "advox.encoding": "gsm7",
			"advox.attempts": int64(2), "advox.outcome": "accepted", "advox.transport": "mem"}, ok},
		{"advox.submit", "advox.Send", map[string]any{"advox.attempt": int64(1), "advox.transport": "mem",
			"advox.outcome": "rejected", "error.type": "rejected"}, fail("rejected")},
		{"advox.Send", "request", map[string]any{"advox.segments": int64(2), "advox.encoding": "ucs2",
			"advox.attempts": int64(1), "advox.outcome": "rejected", "advox.transport": "mem", "error.type": "rejected"}, fail("rejected")},
		{"advox.Send", "request", map[string]any{"error.type": "invalid_argument"}, fail("invalid_argument")},
		{"request", "", map[string]any{}, ok},
	}, got)
}

// trafficLike matches anything that looks like a phone number.
var trafficLike = regexp.MustCompile(`\+?\d{7,}`)

func TestTelemetryCarriesNoTrafficData(t *testing.T) {
	mf := newMeterFixture(t)
	tp, sr := newTracerFixture(t)
	tr := memtransport.New(&memtransport.Options{ReportStatus: transport.StatusDelivered})
	c, st := newClient(t, tr, &advox.Options{MeterProvider: mf.mp, TracerProvider: tp})
	ctx := context.Background()

	const account = "customer-4711"
	secrets := []string{account, "+46709876543"} // the account and a sender that is a number
	send := func(text string, faults ...memtransport.Fault) advox.Receipt {
		tr.Inject(faults...)
		rcpt, _ := c.Send(ctx, advox.Message{Account: account, From: "+46709876543", To: to, Text: text})
		secrets = append(secrets, text)
		if rcpt.ID != "" {
			secrets = append(secrets, rcpt.ID)
			secrets = append(secrets, rcpt.OperatorIDs...)
		}
		return rcpt
	}
	send("accepted: your code is 1234")
	send("accepted at last", memtransport.Throttle, memtransport.NotSent)
	send("never out", memtransport.NotSent, memtransport.NotSent, memtransport.NotSent, memtransport.NotSent)
	unknown := send("maybe out", memtransport.OutcomeUnknown)
	send("refused", memtransport.Reject)
	send(strings.Repeat("long and in UCS-2 ☃ ", 10))
	_, err := c.Send(ctx, advox.Message{Account: account, From: "Advox", To: "+46 70 12", Text: "bad number"})
	require.Error(t, err)
	require.True(t, tr.Report(ctx, transport.Report{MessageID: unknown.ID, Status: transport.StatusUndeliverable}))
	require.Eventually(t, func() bool {
		m, ok := mf.collect(t)[advox.MetricReportFinal]
		return ok && sums(t, m)["advox.status=delivered,advox.transport=mem"] == 3
	}, 5*time.Second, time.Millisecond)
	_, err = c.EraseAccountTraffic(ctx, account, advox.EraseOnRequest)
	require.NoError(t, err)
	_, err = advox.NewRetention(st, &advox.RetentionOptions{MeterProvider: mf.mp}).PurgeNow(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Close())

	var values []string
	seen := func(where string, kvs ...attribute.KeyValue) {
		for _, kv := range kvs {
			v := kv.Value.String()
			values = append(values, where+" "+string(kv.Key)+"="+v)
			check(t, where+" "+string(kv.Key), v, secrets)
		}
	}
	for name, m := range mf.collect(t) {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				seen(name, dp.Attributes.ToSlice()...)
			}
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				seen(name, dp.Attributes.ToSlice()...)
			}
		default:
			t.Errorf("%s: unexpected data %T", name, m.Data)
		}
	}
	spans := sr.Ended()
	require.NotEmpty(t, spans)
	for _, s := range spans {
		check(t, "span name", s.Name(), secrets)
		check(t, s.Name()+" status", s.Status().Description, secrets)
		seen(s.Name(), s.Attributes()...)
		for _, e := range s.Events() {
			check(t, s.Name()+" event", e.Name, secrets)
			seen(s.Name()+" event", e.Attributes...)
		}
	}
	assert.Greater(t, len(values), 50, "the run produced attributes to scan")
}

// check fails if v looks like a number or holds a secret.
func check(t *testing.T, where, v string, secrets []string) {
	t.Helper()
	assert.False(t, trafficLike.MatchString(v), "%s: %q looks like a number", where, v)
	for _, s := range secrets {
		assert.NotContains(t, v, s, "%s carries traffic data", where)
	}
}

// BenchmarkSendTelemetry measures what instrumentation adds to Send: the
// otel global providers with no SDK installed (the default), an SDK meter
// provider, and SDK meter and tracer providers (spans sampled, not
// exported).
func BenchmarkSendTelemetry(b *testing.B) {
	sdk := func(tracing bool) *advox.Options {
		o := &advox.Options{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))}
		if tracing {
			o.TracerProvider = sdktrace.NewTracerProvider()
		}
		return o
	}
	for _, bc := range []struct {
		name string
		opts *advox.Options
	}{
		{"global-noop", nil},
		{"sdk-metrics", sdk(false)},
		{"sdk-metrics+traces", sdk(true)},
	} {
		b.Run(bc.name, func(b *testing.B) { benchSend(b, bc.opts) })
	}
}

// flakyGet is a store whose Get fails (unavailable) while failGets is
// above zero, one call at a time; every other call works.
type flakyGet struct {
	*memstore.Store
	failGets atomic.Int64
}

func (s *flakyGet) Get(ctx context.Context, id string) (storage.Record, error) {
	if s.failGets.Add(-1) >= 0 {
		return storage.Record{}, errOutage
	}
	return s.Store.Get(ctx, id)
}

// TestReportFinalNotCountedAgainWhenReadFails: report metrics read the
// record before updating it to see whether the report moved it; when that
// read fails, a duplicate report for a message already final must not
// count it final (or measure its latency) a second time.
func TestReportFinalNotCountedAgainWhenReadFails(t *testing.T) {
	mf := newMeterFixture(t)
	tr := memtransport.New(nil)
	st := &flakyGet{Store: memstore.New(nil)}
	c, err := advox.NewClient(tr, st, &advox.Options{MeterProvider: mf.mp, ReportHold: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	rcpt, err := c.Send(ctx, msg("twice"))
	require.NoError(t, err)

	// The report echoes the message id: a repeat for a final record is
	// then applied at once rather than held (TestReportOfFinalRecordOnly).
	rep := transport.Report{OperatorID: rcpt.OperatorIDs[0], MessageID: rcpt.ID, Status: transport.StatusDelivered}
	require.True(t, tr.Report(ctx, rep))
	require.EqualValues(t, 1, c.ReportStats().Applied)

	st.failGets.Store(1)
	require.True(t, tr.Report(ctx, rep)) // a duplicate, while a read fails
	require.Eventually(t, func() bool { return c.ReportStats().Applied == 2 }, 4*time.Second, 5*time.Millisecond)

	got := mf.collect(t)
	key := "advox.status=delivered,advox.transport=mem"
	assert.Equal(t, map[string]int64{key: 1}, sums(t, got[advox.MetricReportFinal]), "counted final once")
	assert.Equal(t, map[string]uint64{key: 1}, counts(t, got[advox.MetricReportLatency]), "latency measured once")
}

// An application hands the Client its OpenTelemetry MeterProvider (an
// SDK with a Prometheus or OTLP exporter in production; a manual reader
// here) and reads counts per transport and outcome — never per number or
// account.
func ExampleOptions_metrics() {
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)

	tr := memtransport.New(nil)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{MeterProvider: mp})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	tr.Inject(memtransport.Accept, memtransport.Accept, memtransport.Reject)
	for range 3 {
		_, _ = client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"})
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		log.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != advox.MetricSentMessages {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				tn, _ := dp.Attributes.Value(advox.AttrTransport)
				outcome, _ := dp.Attributes.Value(advox.AttrOutcome)
				fmt.Println(tn.AsString(), outcome.AsString(), dp.Value)
			}
		}
	}
	// Unordered output:
	// mem accepted 2
	// mem rejected 1
}

// With a TracerProvider, every Send is a span, with a child span per
// submit attempt; the span in Send's ctx is their parent.
func ExampleOptions_tracing() {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	defer tp.Shutdown(context.Background())

	tr := memtransport.New(nil)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{TracerProvider: tp, Backoff: fastBackoff})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	tr.Inject(memtransport.Throttle)
	if _, err := client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}); err != nil {
		log.Fatal(err)
	}
	for _, s := range sr.Ended() {
		fmt.Println(s.Name(), s.Status().Code)
	}
	// Output:
	// advox.submit Error
	// advox.submit Unset
	// advox.Send Unset
}
