package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// benchConfig sends everything over one SMPP session (window 64) to the
// in-process SMSC simulator, for an account without rate limit or quota.
const benchConfig = `{
  "transports": [{"name": "smsc", "kind": "smpp", "country": "SE", "agreement": "2026-01-15", "window": 64}],
  "routes": [{"name": "all", "transports": ["smsc"]}],
  "accounts": [{"account": "bench", "organisation": "Bench AB",
    "users": [{"id": "bench", "password": "bench-password-1234", "allowed": ["127.0.0.1"]}]}]
}`

// BenchmarkGateway is the gateway under load: HTTP in (one recipient per
// POST /v1/messages, keep-alive, Basic auth), SMPP out to the simulator,
// the traffic recorded in SQLite and delivery receipts coming back, at 1
// and 64 concurrent customers' requests, with the database on disk and on
// tmpfs.
//
//	go test -run '^$' -bench BenchmarkGateway -benchtime 2000x -count 5 ./examples/gateway/
func BenchmarkGateway(b *testing.B) {
	dirs := []struct{ name, dir string }{{"disk", ""}}
	// The same database on tmpfs, where fsync costs nothing: the
	// difference is the price of durable commits.
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		dirs = append(dirs, struct{ name, dir string }{"tmpfs", "/dev/shm"})
	}
	for _, d := range dirs {
		for _, conc := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/c%d", d.name, conc), func(b *testing.B) {
				dir := b.TempDir()
				if d.dir != "" {
					var err error
					if dir, err = os.MkdirTemp(d.dir, "advox-bench-"); err != nil {
						b.Fatal(err)
					}
					defer os.RemoveAll(dir)
				}
				benchGateway(b, filepath.Join(dir, "gateway.db"), conc)
			})
		}
	}
}

// benchGateway measures conc concurrent senders against a gateway keeping
// its data at dbPath.
func benchGateway(b *testing.B, dbPath string, conc int) {
	cfg, err := parseConfig([]byte(benchConfig))
	if err != nil {
		b.Fatal(err)
	}
	g, err := start(context.Background(), cfg, options{Addr: "127.0.0.1:0", DBPath: dbPath})
	if err != nil {
		b.Fatal(err)
	}
	defer g.shutdown(context.Background())
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	defer hc.CloseIdleConnections()
	post := func() error {
		req, _ := http.NewRequest(http.MethodPost, g.url+"/v1/messages",
			strings.NewReader(`{"from":"Bench","to":"+46701740605","text":"Load test message"}`))
		req.SetBasicAuth("bench", "bench-password-1234")
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	if err := post(); err != nil { // log in once: the argon2id hash is not what is measured
		b.Fatal(err)
	}
	var failed atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	if conc == 1 {
		for b.Loop() {
			if err := post(); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.SetParallelism((conc + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if post() != nil {
					failed.Add(1)
				}
			}
		})
	}
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d requests failed", n)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
