package router_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
)

func weighted(targets ...router.Target) []router.Route {
	return []router.Route{{Name: "spread", Mode: router.Weighted, Transports: targets}}
}

func TestWeightedSpread(t *testing.T) {
	tests := []struct {
		name    string
		weights map[string]int
		want    map[string]float64 // share of the traffic
	}{
		{"1:3", map[string]int{"a": 1, "b": 3}, map[string]float64{"a": 0.25, "b": 0.75}},
		{"2:2:1", map[string]int{"a": 2, "b": 2, "c": 1}, map[string]float64{"a": 0.4, "b": 0.4, "c": 0.2}},
		{"zero weight is a backup only", map[string]int{"a": 1, "b": 1, "c": 0}, map[string]float64{"a": 0.5, "b": 0.5, "c": 0}},
	}
	const n = 4000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var targets []router.Target
			var ts []transport.Transport
			for _, name := range []string{"a", "b", "c"} {
				if w, ok := tt.weights[name]; ok {
					targets = append(targets, router.Target{Transport: name, Weight: w})
					ts = append(ts, &scripted{name: name})
				}
			}
			r := newRouter(t, router.Config{Routes: weighted(targets...), Seed: 42}, ts...)
			got := map[string]int{}
			for range n {
				res, err := r.Submit(ctxT(t), msg())
				require.NoError(t, err)
				got[res.Transport]++
			}
			for name, share := range tt.want {
				assert.InDelta(t, share, float64(got[name])/n, 0.03, "share of %s (%v)", name, got)
			}
		})
	}
}

func TestWeightedSeedIsReproducible(t *testing.T) {
	run := func(seed uint64) []string {
		a, b := &scripted{name: "a"}, &scripted{name: "b"}
		r := newRouter(t, router.Config{Routes: weighted(router.Target{Transport: "a", Weight: 1}, router.Target{Transport: "b", Weight: 1}), Seed: seed}, a, b)
		var out []string
		for range 64 {
			res, err := r.Submit(ctxT(t), msg())
			require.NoError(t, err)
			out = append(out, res.Transport)
		}
		return out
	}
	assert.Equal(t, run(7), run(7))
	assert.NotEqual(t, run(7), run(8))
}

func TestWeightedFailsOverAndKeepsProportions(t *testing.T) {
	a, b, c := &scripted{name: "a"}, &scripted{name: "b"}, &scripted{name: "c"}
	r := newRouter(t, router.Config{
		Routes: weighted(router.Target{Transport: "a", Weight: 1}, router.Target{Transport: "b", Weight: 1},
			router.Target{Transport: "c", Weight: 2}),
		Breaker: router.BreakerPolicy{Failures: 1}, Seed: 3,
	}, a, b, c)
	// c fails once and leaves rotation; the message it was handed goes to
	// a or b, and a and b then share the traffic evenly.
	var first transport.Result
	var err error
	c.queue(fmt.Errorf("down: %w", transport.ErrNotSent))
	for c.count() == 0 {
		first, err = r.Submit(ctxT(t), msg())
		require.NoError(t, err)
	}
	assert.Contains(t, []string{"a", "b"}, first.Transport)
	assert.Equal(t, router.BreakerOpen, r.Breaker("c"))
	got := map[string]int{}
	const n = 2000
	for range n {
		res, err := r.Submit(ctxT(t), msg())
		require.NoError(t, err)
		got[res.Transport]++
	}
	assert.Zero(t, got["c"])
	assert.InDelta(t, 0.5, float64(got["a"])/n, 0.04, "%v", got)
}

func TestWeightedBackupTakesOverLast(t *testing.T) {
	a, b, c := &scripted{name: "a"}, &scripted{name: "b"}, &scripted{name: "c"}
	r := newRouter(t, router.Config{Routes: weighted(router.Target{Transport: "c"},
		router.Target{Transport: "a", Weight: 1}, router.Target{Transport: "b", Weight: 1})}, a, b, c)
	a.queue(fmt.Errorf("a: %w", transport.ErrNotSent))
	b.queue(fmt.Errorf("b: %w", transport.ErrNotSent))
	res, err := r.Submit(ctxT(t), msg())
	require.NoError(t, err)
	assert.Equal(t, "c", res.Transport)
	assert.Equal(t, 1, a.count())
	assert.Equal(t, 1, b.count(), "every weighted transport is tried before the backup")
}
