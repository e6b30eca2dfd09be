package advox_test

import (
	"context"
	"sync"
	"time"

	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/storage/storagetest"
)

// fakeClock is a settable clock shared by a Client, its stores and
// Accounts: the storage suite's clock, which can also be advanced.
type fakeClock struct{ storagetest.Clock }

// newFakeClock returns a clock standing at t.
func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.Set(t)
	return c
}

// Advance moves the clock on by d. Tests advance it from one goroutine, so
// reading and setting need not be one step.
func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// auditLog records audit events.
type auditLog struct {
	mu     sync.Mutex
	events []audit.Event
}

func (a *auditLog) Audit(_ context.Context, e audit.Event) {
	a.mu.Lock()
	a.events = append(a.events, e)
	a.mu.Unlock()
}

func (a *auditLog) actions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, e := range a.events {
		out = append(out, e.Action)
	}
	return out
}
