package smpptransport_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

const benchText = "Your verification code is 123456. It expires in ten minutes."

// BenchmarkSend compares, against one simulator in one run, raw go-smpp
// Transmitter.Submit with Client.Send over this transport and memstore
// (validation, segmentation, recording included), at 1 and 64 concurrent
// senders. Two more cases separate the costs: Transport.Submit alone, and
// Client.Send over memtransport (the Client's own work). Record the msg/s
// ratios in BENCHMARKS.md.
func BenchmarkSend(b *testing.B) {
	smsc, err := smsctest.NewServer(&smsctest.Config{Receipts: smsctest.ReceiptsNever})
	require.NoError(b, err)
	defer smsc.Close()

	raw := &smpp.Transmitter{
		Addr: smsc.Addr(), User: smsctest.DefaultSystemID, Passwd: smsctest.DefaultPassword,
		RespTimeout: 10 * time.Second, WindowSize: 0,
	}
	require.Equal(b, smpp.Connected, (<-raw.Bind()).Status())
	defer raw.Close()

	tr, err := smpptransport.New(smpptransport.Config{
		Addr: smsc.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		Window: 64,
	})
	require.NoError(b, err)
	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Now()))
	require.NoError(b, err)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{Processors: procs})
	require.NoError(b, err)
	defer client.Close()
	// The Client's own cost, with a transport that does nothing.
	memClient, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), nil)
	require.NoError(b, err)
	defer memClient.Close()

	var n atomic.Int64
	gosmpp := func(context.Context) error {
		_, err := raw.Submit(&smpp.ShortMessage{
			Src: "Advox", Dst: fmt.Sprintf("4670%07d", n.Add(1)%10_000_000),
			Text: pdutext.Raw(benchText), Register: pdufield.FinalDeliveryReceipt,
			SourceAddrTON: 5, DestAddrTON: 1, DestAddrNPI: 1,
		})
		return err
	}
	ours := func(ctx context.Context) error {
		_, err := client.Send(ctx, advox.Message{
			Account: "bench", From: "Advox", To: fmt.Sprintf("+4670%07d", n.Add(1)%10_000_000), Text: benchText,
		})
		return err
	}
	memOnly := func(ctx context.Context) error {
		_, err := memClient.Send(ctx, advox.Message{
			Account: "bench", From: "Advox", To: fmt.Sprintf("+4670%07d", n.Add(1)%10_000_000), Text: benchText,
		})
		return err
	}
	direct := func(ctx context.Context) error {
		_, err := tr.Submit(ctx, &transport.Message{
			From: transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
			To:   fmt.Sprintf("+4670%07d", n.Add(1)%10_000_000), Encoding: transport.GSM7, Parts: []string{benchText},
			ReportRequested: true,
		})
		return err
	}
	for _, conc := range []int{1, 64} {
		b.Run(fmt.Sprintf("transport/c%d", conc), func(b *testing.B) { runConcurrent(b, conc, direct) })
		b.Run(fmt.Sprintf("gosmpp/c%d", conc), func(b *testing.B) { runConcurrent(b, conc, gosmpp) })
		b.Run(fmt.Sprintf("advox/c%d", conc), func(b *testing.B) { runConcurrent(b, conc, ours) })
		b.Run(fmt.Sprintf("memtransport/c%d", conc), func(b *testing.B) { runConcurrent(b, conc, memOnly) })
	}
}

// runConcurrent calls send b.N times from conc goroutines.
func runConcurrent(b *testing.B, conc int, send func(context.Context) error) {
	ctx := context.Background()
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := send(ctx); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
