package advox

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// BenchmarkEraseUnreadable measures, for an account holding 100,000
// records among others, how long EraseAccountTraffic takes until the
// account's data is unreadable (its key destroyed) and in all. Target for
// the first: ≤ 100 ms.
func BenchmarkEraseUnreadable(b *testing.B) {
	const records = 100_000
	for range b.N {
		b.StopTimer()
		st := memstore.New(nil)
		c, err := NewClient(memtransport.New(nil), st, &Options{KEK: mustKEK(b), IndexKey: make([]byte, keyring.MinIndexKeyLen)})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		batch := make([]storage.Record, 0, 1000)
		now := time.Now()
		for i := range records {
			rec := storage.Record{ID: fmt.Sprintf("m%07d", i), Account: "big", Transport: "mem", Segments: 1,
				Status: "accepted", Parts: []storage.Part{{Status: "accepted"}}, CreatedAt: now, Deadline: now.AddDate(0, 5, 0)}
			if err := c.seal(ctx, &rec, "+46701234567", ""); err != nil {
				b.Fatal(err)
			}
			batch = append(batch, rec)
			if len(batch) == cap(batch) {
				if err := st.Record(ctx, batch...); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		b.StartTimer()
		rep, err := c.EraseAccountTraffic(ctx, "big", EraseOnRequest)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.UnreadableAfter.Microseconds()), "µs-until-unreadable")
		if rep.Records != records {
			b.Fatalf("erased %d records", rep.Records)
		}
		b.StopTimer()
		_ = c.Close()
	}
}

func mustKEK(b *testing.B) *keyring.StaticKEK {
	k, err := keyring.NewStaticKEK(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	return k
}
