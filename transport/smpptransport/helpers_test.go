package smpptransport

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

var msgN atomic.Int64

// msg builds a GSM-7 message to a fresh number.
func msg(parts ...string) *transport.Message {
	n := msgN.Add(1)
	if len(parts) == 0 {
		parts = []string{fmt.Sprintf("message %d", n)}
	}
	return &transport.Message{
		ID:       fmt.Sprintf("m%d", n),
		From:     transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
		To:       fmt.Sprintf("+4670%07d", n),
		Encoding: transport.GSM7, Parts: parts, Concat: transport.Concat8, ReportRequested: true,
	}
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// waitBound waits until every link of tr is bound.
func waitBound(t testing.TB, tr *Transport) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, l := range tr.all {
			if c, _ := l.state(); c == nil {
				return false
			}
		}
		return true
	}, 5*time.Second, time.Millisecond, "transport never bound")
}

// waitUnbound waits until no link of tr is bound.
func waitUnbound(t testing.TB, tr *Transport) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, l := range tr.all {
			if c, _ := l.state(); c != nil {
				return false
			}
		}
		return true
	}, 5*time.Second, time.Millisecond, "transport never noticed the outage")
}

// collector records reports.
type collector struct {
	mu      sync.Mutex
	reports []transport.Report
}

func collect(tr *Transport) *collector {
	c := &collector{}
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error {
		c.mu.Lock()
		c.reports = append(c.reports, r)
		c.mu.Unlock()
		return nil
	})
	return c
}

func (c *collector) all() []transport.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]transport.Report(nil), c.reports...)
}

// count returns how many reports carry id.
func (c *collector) count(id string) int {
	n := 0
	for _, r := range c.all() {
		if r.OperatorID == id {
			n++
		}
	}
	return n
}

// fixed reads a one-octet field of a decoded PDU.
func fixed(f pdufield.Map, n pdufield.Name) uint8 {
	if v, ok := f[n].(*pdufield.Fixed); ok {
		return v.Data
	}
	return 0
}
