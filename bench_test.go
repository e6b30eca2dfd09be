package advox_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// BenchmarkClientSend measures the Client's own work per message: no
// network, an in-memory transport and store.
func BenchmarkClientSend(b *testing.B) {
	for _, senders := range []int{1, 64} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			b.SetParallelism(senders)
			benchSend(b, nil)
		})
	}
}

// benchSend sends as fast as b allows through a Client over memtransport
// and memstore made with opts.
func benchSend(b *testing.B, opts *advox.Options) {
	c, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), opts)
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
}
