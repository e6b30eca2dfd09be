package advox_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/azenna/advox"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

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
