package httptransport

import (
	"slices"
	"sync"
	"time"

	"github.com/azenna/advox/transport"
)

// correlator remembers recent submits (operator ids ↔ message ids) and the
// last status forwarded per message, and holds reports that outran their
// submit's answer. Everything it keeps is bounded.
type correlator struct {
	mu       sync.Mutex
	msgByOp  *bounded[string, string]
	opsByMsg *bounded[string, []string]
	last     *bounded[string, transport.Status]
	parked   map[string][]*parkedReport // by operator id
}

type parkedReport struct {
	r     transport.Report
	b     *batch // the webhook request waiting for the report's outcome
	timer *time.Timer
	// bound is the message a per-message token vouched for ("" when none):
	// the report's operator id is kept only if it turns out to be that
	// message's.
	bound string
}

// released is a report leaving the park through learn or releaseAll, with
// the request waiting for its outcome.
type released struct {
	r transport.Report
	b *batch
}

// settled is a parked report as it leaves the park: for a bound report,
// an operator id not shown to be the bound message's is dropped, so the
// report goes by the message the token vouched for.
func (p *parkedReport) settled(msgID string) transport.Report {
	r := p.r
	switch {
	case p.bound == "":
		r.MessageID = msgID
	case msgID != p.bound:
		r.OperatorID = ""
	}
	return r
}

func newCorrelator(remember int) *correlator {
	return &correlator{
		msgByOp:  newBounded[string, string](remember),
		opsByMsg: newBounded[string, []string](remember),
		last:     newBounded[string, transport.Status](remember),
		parked:   make(map[string][]*parkedReport),
	}
}

// learn records an accepted submit and returns the parked reports it
// matches, now carrying the message id. The caller dispatches them. The
// ids add to those the message has (its parts may go in several submits).
func (c *correlator) learn(msgID string, opIDs []string) []released {
	c.mu.Lock()
	defer c.mu.Unlock()
	known, _ := c.opsByMsg.get(msgID)
	c.opsByMsg.put(msgID, withIDs(known, opIDs))
	var out []released
	for _, op := range opIDs {
		c.msgByOp.put(op, msgID)
		for _, p := range c.parked[op] {
			// Being in the list, under c.mu, is what owns the report: a
			// timer that already fired finds it gone in unpark.
			p.timer.Stop()
			out = append(out, released{p.settled(msgID), p.b})
		}
		delete(c.parked, op)
	}
	return out
}

// withIDs returns known with the ids of more it lacks appended; more
// itself when it extends known (a submit's growing list of part ids).
func withIDs(known, more []string) []string {
	if len(more) >= len(known) && slices.Equal(known, more[:len(known)]) {
		return more
	}
	out := slices.Clip(known)
	for _, id := range more {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// enrich fills the id a report lacks from what the correlator knows and
// reports whether either id was known.
func (c *correlator) enrich(r *transport.Report) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	known := false
	if r.OperatorID != "" {
		if id, ok := c.msgByOp.get(r.OperatorID); ok {
			known = true
			if r.MessageID == "" {
				r.MessageID = id
			}
		}
	}
	if r.MessageID != "" {
		if ops, ok := c.opsByMsg.get(r.MessageID); ok {
			known = true
			if r.OperatorID == "" && len(ops) == 1 {
				r.OperatorID = ops[0]
			}
		}
	}
	return known
}

// settle decides the operator id of a report whose request the token of
// message bound authenticated: one known to be bound's is kept, one known
// to be another message's is dropped (the token does not vouch for it).
// One not known yet is parked for wait, when positive, for a submit in
// flight to learn it (settle then reports true, and the report leaves the
// park through learn, releaseAll or expire); else it is dropped. b is the
// request waiting for the report's outcome.
func (c *correlator) settle(r *transport.Report, bound string, wait time.Duration, b *batch, expire func(transport.Report)) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := c.msgByOp.get(r.OperatorID); ok || wait <= 0 {
		if id != bound {
			r.OperatorID = ""
		}
		return false
	}
	c.parkLocked(*r, bound, wait, b, expire)
	return true
}

// park holds r until learn matches its operator id or d passes; then
// expire is called with r (from a timer goroutine). b is the request
// waiting for the report's outcome.
func (c *correlator) park(r transport.Report, d time.Duration, b *batch, expire func(transport.Report)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.parkLocked(r, "", d, b, expire)
}

// parkLocked parks r (bound and b as in parkedReport); c.mu is held.
func (c *correlator) parkLocked(r transport.Report, bound string, d time.Duration, b *batch, expire func(transport.Report)) {
	p := &parkedReport{r: r, bound: bound, b: b}
	p.timer = time.AfterFunc(d, func() {
		if c.unpark(p) {
			expire(p.settled(""))
		}
	})
	c.parked[r.OperatorID] = append(c.parked[r.OperatorID], p)
}

// unpark removes p and reports whether it was still parked.
func (c *correlator) unpark(p *parkedReport) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	list := c.parked[p.r.OperatorID]
	for i, q := range list {
		if q == p {
			list = append(list[:i], list[i+1:]...)
			if len(list) == 0 {
				delete(c.parked, p.r.OperatorID)
			} else {
				c.parked[p.r.OperatorID] = list
			}
			return true
		}
	}
	return false
}

// releaseAll unparks every parked report and returns them: called when no
// submit is in flight any more, so none can match.
func (c *correlator) releaseAll() []released {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []released
	for op, list := range c.parked {
		for _, p := range list {
			p.timer.Stop() // a fired timer finds the report gone in unpark
			out = append(out, released{p.settled(""), p.b})
		}
		delete(c.parked, op)
	}
	return out
}

// admit records r's status and reports whether it is news: a status the
// message could move to. Duplicates and regressions are refused.
func (c *correlator) admit(r transport.Report) bool {
	_, ok := c.admitted(r)
	return ok
}

// admitted is admit, returning also the status recorded before r (for
// unadmit).
func (c *correlator) admitted(r transport.Report) (prev transport.Status, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := admitKey(r)
	prev, _ = c.last.get(key)
	if !prev.CanBecome(r.Status) {
		return prev, false
	}
	c.last.put(key, r.Status)
	return prev, true
}

// unadmit forgets the status admit recorded for r, whose handler failed,
// so that the operator's redelivery of r is news again; prev is the
// status recorded before r.
func (c *correlator) unadmit(r transport.Report, prev transport.Status) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := admitKey(r)
	if cur, _ := c.last.get(key); cur == r.Status {
		c.last.put(key, prev)
	}
}

func admitKey(r transport.Report) string {
	if r.OperatorID == "" {
		return "ref:" + r.MessageID
	}
	return "op:" + r.OperatorID
}

// bounded is a map that forgets its oldest keys beyond a capacity.
type bounded[K comparable, V any] struct {
	limit int
	m     map[K]V
	order []K // insertion order; order[head:] are live
	head  int
}

func newBounded[K comparable, V any](limit int) *bounded[K, V] {
	return &bounded[K, V]{limit: limit, m: make(map[K]V)}
}

func (b *bounded[K, V]) get(k K) (V, bool) {
	v, ok := b.m[k]
	return v, ok
}

func (b *bounded[K, V]) put(k K, v V) {
	if _, ok := b.m[k]; !ok {
		if len(b.m) >= b.limit {
			delete(b.m, b.order[b.head])
			var zero K
			b.order[b.head] = zero
			b.head++
			if b.head > len(b.order)/2 {
				b.order = append(b.order[:0], b.order[b.head:]...)
				b.head = 0
			}
		}
		b.order = append(b.order, k)
	}
	b.m[k] = v
}
