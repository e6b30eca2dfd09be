package smpptransport

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestRateControlWithCeiling(t *testing.T) {
	rc := newRateControl(100, 1)
	require.NotNil(t, rc.limiter(), "the contract rate paces from the start")
	assert.Equal(t, 100.0, rc.rate())

	hint := rc.throttled(t0.Add(time.Second), t0)
	assert.InDelta(t, 80, rc.rate(), 1e-9, "a throttled answer cuts the rate")
	assert.Equal(t, time.Second/80, hint, "the hint is one submit at the new rate")
	rc.throttled(t0.Add(time.Second+time.Millisecond), t0.Add(time.Second-time.Millisecond))
	assert.InDelta(t, 80, rc.rate(), 1e-9, "an answer to a submit written before the cut says nothing new")
	rc.throttled(t0.Add(2*time.Second), t0.Add(1500*time.Millisecond))
	assert.InDelta(t, 64, rc.rate(), 1e-9, "one written after it cuts again")

	// Accepted submits raise the rate by 20% of the rate it was cut from
	// (80) per second up to 95% of it, then by 2% (1.6/s).
	at := t0.Add(2 * time.Second)
	for range 8 {
		at = at.Add(100 * time.Millisecond)
		rc.accepted(at)
	}
	assert.InDelta(t, 64+8*1.6, rc.rate(), 1e-6, "back near the rate it was cut from within a second")
	for range 92 {
		at = at.Add(100 * time.Millisecond)
		rc.accepted(at)
	}
	assert.InDelta(t, 76.8+92*0.16, rc.rate(), 1e-6, "then probing beyond it slowly")
	for i := range 1000 {
		rc.accepted(t0.Add(12*time.Second + time.Duration(i+1)*100*time.Millisecond))
	}
	assert.Equal(t, 100.0, rc.rate(), "never above the ceiling")
	assert.Equal(t, 100.0, float64(rc.limiter().Limit()))
}

func TestRateControlWithoutCeiling(t *testing.T) {
	rc := newRateControl(0, 1)
	for i := range 200 { // 200/s accepted, unpaced
		rc.accepted(t0.Add(time.Duration(i) * 5 * time.Millisecond))
	}
	require.Nil(t, rc.limiter(), "nothing is paced before the SMSC throttles")
	assert.Zero(t, rc.rate())
	rc.throttled(t0.Add(time.Second), t0.Add(time.Second))
	require.NotNil(t, rc.limiter())
	assert.InDelta(t, 160, rc.rate(), 2, "the first cut starts from the accepted rate")
	for i := range 50 { // with no ceiling the rate keeps probing upwards
		rc.accepted(t0.Add(time.Second + time.Duration(i+1)*100*time.Millisecond))
	}
	assert.Greater(t, rc.rate(), 160.0+15)
}

// Against an SMSC enforcing 100 submits/s, senders that retry throttled
// messages get nearly all of them through without hammering it: the
// transport lowers its own rate on throttling instead of writing every
// submit only to be refused (with a fixed pause per throttled answer, 12
// of 100 submits/s went through).
func TestConvergesOnTheSMSCRate(t *testing.T) {
	srv := newServer(t, &smsctest.Options{MaxRate: 100, Receipts: smsctest.ReceiptsNever})
	cfg := testConfig(srv)
	cfg.Window = 16
	cfg.MaxRate = 400 // the contract promises more than the SMSC takes
	tr := newTransport(t, cfg)
	waitBound(t, tr)

	const n, senders = 300, 16
	var wg sync.WaitGroup
	jobs := make(chan int, n)
	for i := range n {
		jobs <- i
	}
	close(jobs)
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				m := msg()
				for {
					_, err := tr.Submit(ctxT(t, 30*time.Second), m)
					if err == nil {
						break
					}
					if !assert.ErrorIs(t, err, transport.ErrThrottled) {
						return
					}
					d, _ := transport.RetryAfter(err)
					time.Sleep(d)
				}
			}
		}()
	}
	wg.Wait()
	assert.Len(t, srv.Messages(), n, "every message went through once")
	st := tr.Stats()
	t.Logf("throttled %d for %d accepted; rate now %.1f/s", st.Throttled, n, st.Rate)
	assert.Less(t, st.Throttled, int64(n/3), "few submits are written only to be refused")
	assert.Positive(t, st.Rate)
	assert.Less(t, st.Rate, 150.0, "the transport holds itself near the SMSC's rate")
}

func TestThrottleStanding(t *testing.T) {
	srv := newServer(t, &smsctest.Options{ThrottleEvery: 3})
	tr := newTransport(t, testConfig(srv))
	var throttled int
	for range 9 {
		_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
		if err != nil {
			require.ErrorIs(t, err, transport.ErrThrottled)
			throttled++
		}
	}
	assert.Equal(t, 3, throttled)
}
