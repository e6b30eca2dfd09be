package main

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// metrics exports the Client's OpenTelemetry metrics in the Prometheus
// format. The SDK and the exporter live here, in the application: the
// library depends on the OpenTelemetry API only. The Client's metrics
// carry no number, account or message content in any label, so the
// endpoint reveals no traffic data.
type metrics struct {
	provider *sdkmetric.MeterProvider
	handler  http.Handler
}

// newMetrics sets up a meter provider whose metrics are served by handler.
// It uses a registry of its own rather than Prometheus's global one, so
// that several gateways can run in one process (tests do).
func newMetrics() (*metrics, error) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, err
	}
	return &metrics{
		provider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp)),
		handler:  promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	}, nil
}

// shutdown flushes and stops the meter provider.
func (m *metrics) shutdown() error { return m.provider.Shutdown(context.Background()) }
