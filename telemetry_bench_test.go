package advox_test

import (
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/azenna/advox"
)

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
