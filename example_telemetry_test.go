package advox_test

import (
	"context"
	"fmt"
	"log"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

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
