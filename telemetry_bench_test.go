package advox_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
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
		b.Run(bc.name, func(b *testing.B) {
			c, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), bc.opts)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			var n atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					_, err := c.Send(context.Background(), advox.Message{
						Account: "bench", From: "Advox", To: fmt.Sprintf("+467012%05d", i%100000), Text: "benchmark message",
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
