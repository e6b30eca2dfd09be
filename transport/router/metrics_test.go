package router_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
)

// points returns the int64 data points of every metric collected now, by
// metric name and then by attribute set ("k=v,k=v").
func points(t *testing.T, reader *sdkmetric.ManualReader) map[string]map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	out := make(map[string]map[string]int64)
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, router.InstrumentationName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			byAttrs := make(map[string]int64)
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					byAttrs[p.Attributes.Encoded(attribute.DefaultEncoder())] = p.Value
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					byAttrs[p.Attributes.Encoded(attribute.DefaultEncoder())] = p.Value
				}
			}
			out[m.Name] = byAttrs
		}
	}
	return out
}

// The breaker's state, transitions and counters are metrics, and each
// transition is logged once: they were visible only through
// Router.Breaker.
func TestBreakerMetricsAndLogs(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	var logs bytes.Buffer // written by the submits below, on this goroutine
	clk := newClock()
	a, b := &scripted{name: "a"}, &scripted{name: "b"}
	r := newRouter(t, router.Config{Routes: failover("a", "b"), Now: clk.Now, MeterProvider: mp,
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
		Breaker: router.BreakerPolicy{Failures: 2, Backoff: time.Second}}, a, b)

	got := points(t, reader)
	assert.Equal(t, map[string]int64{"advox.transport=a": 0, "advox.transport=b": 0}, got[router.MetricBreakerState])

	down := fmt.Errorf("down: %w", transport.ErrNotSent)
	a.queue(down, down)
	for range 5 { // two failures open a; three more submits pass it over
		_, err := r.Submit(ctxT(t), msg())
		require.NoError(t, err)
	}
	got = points(t, reader)
	assert.Equal(t, int64(2), got[router.MetricBreakerState]["advox.transport=a"], "open")
	assert.Equal(t, int64(0), got[router.MetricBreakerState]["advox.transport=b"])
	assert.Equal(t, map[string]int64{"advox.breaker.state=open,advox.transport=a": 1}, got[router.MetricBreakerTransitions])
	assert.Equal(t, map[string]int64{"advox.transport=a": 2}, got[router.MetricBreakerFailures])
	assert.Equal(t, map[string]int64{"advox.reason=open,advox.transport=a": 3}, got[router.MetricPassedOver])
	assert.Equal(t, map[string]int64{"advox.reason=not_sent,advox.route=default,advox.transport=a": 2}, got[router.MetricFailovers])

	clk.Advance(time.Second) // the probe succeeds
	res, err := r.Submit(ctxT(t), msg())
	require.NoError(t, err)
	require.Equal(t, "a", res.Transport)
	got = points(t, reader)
	assert.Equal(t, int64(0), got[router.MetricBreakerState]["advox.transport=a"])
	assert.Equal(t, map[string]int64{
		"advox.breaker.state=open,advox.transport=a":      1,
		"advox.breaker.state=half-open,advox.transport=a": 1,
		"advox.breaker.state=closed,advox.transport=a":    1,
	}, got[router.MetricBreakerTransitions])

	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, "transport out of rotation"), out)
	assert.Equal(t, 1, strings.Count(out, "probing transport"), out)
	assert.Equal(t, 1, strings.Count(out, "transport back in rotation"), out)
	assert.NotContains(t, out, "+46", "no number is logged")
}
