package httptransport_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// benchTransport connects a transport (default client) to a simulator.
func benchTransport(b *testing.B, d struct {
	name    string
	profile func() httptransport.Profile
	dialect operatortest.Dialect
}) (*operatortest.Server, *httptransport.Transport) {
	sim := operatortest.NewServer(d.dialect, nil)
	b.Cleanup(sim.Close)
	tr, err := httptransport.New(httptransport.Config{
		Profile: d.profile(), BaseURL: sim.URL(),
		Credentials: httptransport.Credentials{
			User: operatortest.DefaultUser, Password: operatortest.DefaultPassword, Token: operatortest.DefaultToken,
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tr.Close() })
	return sim, tr
}

// BenchmarkSend measures Client.Send (validation, encoding, recording in
// memstore) over the HTTP transport against the simulator on loopback, at
// concurrency 1 and 64.
func BenchmarkSend(b *testing.B) {
	for _, d := range dialects {
		for _, conc := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/c%d", d.name, conc), func(b *testing.B) {
				_, tr := benchTransport(b, d)
				procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
				if err != nil {
					b.Fatal(err)
				}
				c, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{NoReports: true, Processors: procs})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { c.Close() })
				var n atomic.Int64
				send := func() {
					i := n.Add(1)
					_, err := c.Send(context.Background(), advox.Message{
						Account: "bench", From: "Advox", To: fmt.Sprintf("+4670%07d", i%10_000_000),
						Text: "Your verification code is 123456",
					})
					if err != nil {
						b.Error(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				defer reportCPU(b)()
				if conc == 1 {
					for b.Loop() {
						send()
					}
					return
				}
				b.SetParallelism(max(1, conc/runtimeProcs()))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						send()
					}
				})
			})
		}
	}
}

// BenchmarkSubmit measures one Transport.Submit, without the Client.
func BenchmarkSubmit(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			_, tr := benchTransport(b, d)
			m := &transport.Message{
				ID: "bench", From: transport.Sender{Value: "Advox"}, To: "+46701234567",
				Encoding: transport.GSM7, Parts: []string{"Your verification code is 123456"},
			}
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := tr.Submit(context.Background(), m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRawHTTP is the baseline for BenchmarkSubmit/GenericJSON: the
// same request hand-built with net/http, answer read and status checked,
// no classification or parsing.
func BenchmarkRawHTTP(b *testing.B) {
	sim := operatortest.NewServer(operatortest.GenericJSON, nil)
	defer sim.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	body := []byte(`{"encoding":"gsm7","from":"Advox","reference":"bench","text":"Your verification code is 123456","to":"+46701234567"}`)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, sim.URL()+"/messages", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+operatortest.DefaultToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatal(resp.StatusCode)
		}
	}
}

// BenchmarkWebhook measures one delivery report through the handler:
// authentication, parsing, correlation and acknowledgement.
func BenchmarkWebhook(b *testing.B) {
	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.GenericJSON(), BaseURL: "http://127.0.0.1:1",
		Credentials: httptransport.Credentials{Token: "t"},
		CallbackURL: "http://127.0.0.1:2/dlr",
		Webhook:     httptransport.WebhookConfig{Secret: operatortest.DefaultSigningSecret},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	tr.SetReportHandler(func(context.Context, transport.Report) error { return nil })
	h := tr.Webhook()
	var n int
	b.ReportAllocs()
	for b.Loop() {
		n++
		body := fmt.Sprintf(`{"id":"gw-%d","reference":"m-%d","status":"delivered","at":"2025-01-02T03:04:05Z"}`, n, n)
		req := signedRequest(body, fmt.Sprintf("n-%d", n))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

func signedRequest(body, nonce string) *http.Request {
	ts := fmt.Sprint(time.Now().Unix())
	req := httptest.NewRequest(http.MethodPost, "/dlr", strings.NewReader(body))
	req.Header.Set(httptransport.DefaultTimestampHeader, ts)
	req.Header.Set(httptransport.DefaultNonceHeader, nonce)
	req.Header.Set(httptransport.DefaultSignatureHeader,
		fmt.Sprintf("%x", httptransport.Sign(operatortest.DefaultSigningSecret, ts, nonce, []byte(body))))
	return req
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// reportCPU reports the process's CPU time (user + system: the client and
// the simulator together) per operation, which a shared machine disturbs
// far less than wall time. Call the returned func when the loop is done.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
		}
	}
}
