package router_test

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

var quiet = slog.New(slog.DiscardHandler)

// smpp starts an SMSC simulator and an SMPP transport bound to it.
func smpp(t *testing.T, name string) (*smsctest.Server, *smpptransport.Transport) {
	t.Helper()
	srv, err := smsctest.NewServer(nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	tr, err := smpptransport.New(smpptransport.Config{
		Name: name, Addr: srv.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		RespTimeout: 2 * time.Second, Outage: smpptransport.OutageFailFast, Logger: quiet,
		Backoff: func(int) time.Duration { return 5 * time.Millisecond },
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.Eventually(t, func() bool { return tr.Ping(ctxT(t)) == nil }, 5*time.Second, time.Millisecond, "%s never bound", name)
	return srv, tr
}

// outcome is what one Send returned.
type outcome struct {
	to   string
	rcpt advox.Receipt
	err  error
}

// TestSMSCDropsMidRun sends through two real SMPP transports behind a
// failover route while the first SMSC goes away: every message ends
// accepted exactly once, or the caller is told (and an unknown outcome is
// recorded); nothing is ever on both SMSCs.
func TestSMSCDropsMidRun(t *testing.T) {
	faults := []struct {
		name  string
		fault func(*smsctest.Server)
	}{
		{"server closed", func(s *smsctest.Server) { _ = s.Close() }},
		{"connections dropped", (*smsctest.Server).DropConnections},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			srvA, a := smpp(t, "a")
			srvB, b := smpp(t, "b")
			r, err := router.New(router.Config{
				Name:       "smpp-router",
				Transports: []transport.Transport{a, b},
				Routes: []router.Route{{Name: "se", Match: router.Match{CallingCodes: []int{46}},
					Transports: []router.Target{{Transport: a.Name()}, {Transport: b.Name()}}}},
				Breaker: router.BreakerPolicy{Failures: 3, Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond},
			})
			require.NoError(t, err)

			agreed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			procs, err := advox.NewProcessors(advox.OperatorProcessor(r.Name(), "SE", agreed))
			require.NoError(t, err)
			for _, name := range r.Transports() {
				require.Error(t, procs.Check(name), "not registered yet")
				require.NoError(t, procs.Register(advox.OperatorProcessor(name, "SE", agreed)))
				require.NoError(t, procs.Check(name))
			}
			c, err := advox.NewClient(r, memstore.New(nil), &advox.Options{
				Processors: procs, Logger: quiet,
				Backoff: func(int, time.Duration) time.Duration { return 5 * time.Millisecond },
			})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })

			const n, workers = 90, 6
			results := make([]outcome, n)
			var next atomic.Int64
			var faultOnce sync.Once
			var wg sync.WaitGroup
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)) - 1
						if i >= n {
							return
						}
						if i == n/3 {
							faultOnce.Do(func() { f.fault(srvA) })
						}
						to := fmt.Sprintf("+4670%07d", 1000+i)
						rcpt, err := c.Send(ctxT(t), advox.Message{Account: "acct-1", From: "Advox", To: to, Text: fmt.Sprintf("message %d", i)})
						results[i] = outcome{to: to, rcpt: rcpt, err: err}
					}
				}()
			}
			wg.Wait()

			onA, onB := countByTo(srvA.Messages()), countByTo(srvB.Messages())
			require.NotZero(t, len(onA), "the first SMSC took messages before it went away")
			require.NotZero(t, len(onB), "the router failed over to the second SMSC")
			unknown := 0
			for _, o := range results {
				got := onA[o.to] + onB[o.to]
				require.LessOrEqual(t, got, 1, "never on both SMSCs, never twice")
				switch {
				case o.err == nil:
					assert.Equal(t, 1, got, "an accepted message is on exactly one SMSC")
					rec, err := c.Status(ctxT(t), advox.PurposeTransmit, o.rcpt.ID)
					require.NoError(t, err, "an accepted message is recorded")
					assert.Equal(t, "se", rec.Route)
					assert.Equal(t, advox.Number(o.to), rec.To)
					want := map[string]map[string]int{a.Name(): onA, b.Name(): onB}[rec.Transport]
					assert.Equal(t, 1, want[o.to], "the record names the transport that took it (%s)", rec.Transport)
				case errors.Is(o.err, advox.ErrOutcomeUnknown):
					unknown++
					require.NotEmpty(t, o.rcpt.ID, "an unknown outcome is recorded")
					rec, err := c.Status(ctxT(t), advox.PurposeTransmit, o.rcpt.ID)
					require.NoError(t, err)
					assert.Equal(t, a.Name(), rec.Transport, "only the SMSC that went away leaves outcomes unknown")
					assert.Contains(t, []transport.Status{transport.StatusUnknown, transport.StatusDelivered}, rec.Status)
				default:
					t.Errorf("message %s: unexpected error with the second SMSC up: %v", advox.Number(o.to), o.err)
				}
			}
			t.Logf("on A %d, on B %d, unknown %d", len(onA), len(onB), unknown)
			assert.LessOrEqual(t, unknown, workers, "only submits in flight at the drop can be unknown")

			// Reports from the second SMSC reach the Client through the
			// router, scoped by transport, and settle its records.
			require.Eventually(t, func() bool {
				for _, o := range results {
					if o.err != nil || onB[o.to] == 0 {
						continue
					}
					rec, err := c.Status(ctxT(t), advox.PurposeTransmit, o.rcpt.ID)
					if err != nil || rec.Status != transport.StatusDelivered {
						return false
					}
				}
				return true
			}, 5*time.Second, 5*time.Millisecond, "every message on the second SMSC is reported delivered")
			require.NoError(t, c.Close())
		})
	}
}

func countByTo(ms []smsctest.Message) map[string]int {
	out := make(map[string]int, len(ms))
	for _, m := range ms {
		out[m.To]++
	}
	return out
}
