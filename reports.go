package advox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// ReportStats counts delivery reports the Client has handled.
type ReportStats struct {
	// Applied reports matched a record (including duplicates that changed
	// nothing).
	Applied int64
	// Held reports are waiting for their record right now.
	Held int64
	// Unmatched reports found no record within the hold time, or were
	// malformed.
	Unmatched int64
}

// ReportStats returns the Client's delivery-report counters.
func (c *Client) ReportStats() ReportStats {
	m := c.reports
	m.mu.Lock()
	held := int64(len(m.all))
	m.mu.Unlock()
	return ReportStats{Applied: m.applied.Load(), Held: held, Unmatched: m.unmatched.Load()}
}

// handleReport is the transport.ReportHandler the Client registers. A
// report that matches no record yet (it overtook the submit response, or
// the record is being written) is held for Options.ReportHold and matched
// when the record appears.
func (c *Client) handleReport(ctx context.Context, r transport.Report) {
	if !r.Status.Valid() || (r.OperatorID == "" && r.MessageID == "") {
		c.reports.unmatched.Add(1)
		c.log.Warn("advox: malformed delivery report dropped", "transport", c.tr.Name(), "status", string(r.Status))
		return
	}
	if c.applyReport(ctx, r) {
		return
	}
	p := c.reports.hold(r)
	// The record may have been written between the first look and the
	// hold; Send claims held reports only after writing, so either Send's
	// claim or this second look sees the other. Whoever takes the held
	// report out applies it, so it is applied once.
	if c.recordExists(ctx, r) && c.reports.release(p) {
		c.applyReport(ctx, r)
	}
}

// recordExists reports whether the record a report is about is stored
// (target finds records by operator id, so only a report naming none
// needs a look).
func (c *Client) recordExists(ctx context.Context, r transport.Report) bool {
	id, _, err := c.target(ctx, r)
	if err == nil && r.OperatorID == "" {
		_, err = c.store.Get(ctx, id)
	}
	return err == nil
}

// applyReport applies r to its record and reports whether a record was
// found.
func (c *Client) applyReport(ctx context.Context, r transport.Report) bool {
	id, part, err := c.target(ctx, r)
	if err != nil {
		c.logReportErr(err, r)
		return false
	}
	u := storage.StatusUpdate{ID: id, Part: part, Status: r.Status, ErrorCode: r.ErrorCode, At: r.At}
	if u.At.IsZero() {
		u.At = c.now()
	}
	rec, err := c.tel.updateStatus(ctx, c.store, u)
	if err != nil {
		c.logReportErr(err, r)
		return false
	}
	c.reports.applied.Add(1)
	c.log.Debug("advox: delivery report", "id", rec.ID, "status", string(rec.Status))
	return true
}

// target resolves the record and part a report is about: by operator id
// (scoped by transport), or by the message id the operator echoed. An
// operator id the store does not know falls back to the echoed message id
// (see unnamedPart): a message whose submit answer was lost (outcome
// unknown) has no operator id on record, and the client reference is what
// settles it.
func (c *Client) target(ctx context.Context, r transport.Report) (id string, part int, err error) {
	if r.OperatorID == "" {
		return r.MessageID, storage.AllParts, nil
	}
	rec, part, err := c.store.FindByOperatorID(ctx, cmp.Or(r.Transport, c.tr.Name()), r.OperatorID)
	if errors.Is(err, storage.ErrNotFound) && r.MessageID != "" {
		return c.unnamedPart(ctx, r.MessageID)
	}
	if err != nil {
		return "", 0, err
	}
	if len(rec.Parts) == 1 {
		part = storage.AllParts
	}
	return rec.ID, part, nil
}

// unnamedPart resolves a report whose operator id is on no record but
// which echoes message id: to the record's parts that have no operator id
// — all of them (AllParts) when none has one, else the first — so that a
// report never settles a part another operator id names. A record whose
// every part has an operator id is not the one the report is about
// (storage.ErrNotFound).
func (c *Client) unnamedPart(ctx context.Context, id string) (string, int, error) {
	rec, err := c.store.Get(ctx, id)
	if err != nil {
		return "", 0, err
	}
	unnamed, first := 0, -1
	for i, p := range rec.Parts {
		if p.OperatorID == "" {
			unnamed++
			if first < 0 {
				first = i
			}
		}
	}
	switch unnamed {
	case 0:
		return "", 0, fmt.Errorf("advox: report for %s names an unknown operator id: %w", id, storage.ErrNotFound)
	case len(rec.Parts):
		return rec.ID, storage.AllParts, nil
	}
	return rec.ID, first, nil
}

func (c *Client) logReportErr(err error, r transport.Report) {
	if errors.Is(err, storage.ErrNotFound) {
		return
	}
	c.log.Error("advox: delivery report not applied", "transport", c.tr.Name(), "operator_id", r.OperatorID, "error", err)
}

// claimReports applies the reports held for a record just written.
func (c *Client) claimReports(ctx context.Context, rec storage.Record) {
	for _, r := range c.reports.claim(rec) {
		c.applyReport(ctx, r)
	}
}

// reportMatcher holds early reports until their record is written.
type reportMatcher struct {
	hold_ time.Duration
	now   func() time.Time

	mu    sync.Mutex
	byKey map[string][]*heldReport // a report is listed under each of its keys
	all   map[*heldReport]struct{}

	applied   atomic.Int64
	unmatched atomic.Int64
	c         *Client
}

type heldReport struct {
	keys  []string
	r     transport.Report
	until time.Time
}

func newReportMatcher(c *Client) *reportMatcher {
	return &reportMatcher{hold_: c.opts.ReportHold, now: c.now, byKey: make(map[string][]*heldReport),
		all: make(map[*heldReport]struct{}), c: c}
}

// keysOf returns the keys a report is held under: its operator id and the
// message id it echoes, so that a record with either claims it.
func keysOf(r transport.Report) []string {
	var keys []string
	if r.OperatorID != "" {
		keys = append(keys, "o:"+r.Transport+"\x00"+r.OperatorID)
	}
	if r.MessageID != "" {
		keys = append(keys, "m:"+r.MessageID)
	}
	return keys
}

func (m *reportMatcher) hold(r transport.Report) *heldReport {
	p := &heldReport{keys: keysOf(r), r: r, until: m.now().Add(m.hold_)}
	m.mu.Lock()
	for _, k := range p.keys {
		m.byKey[k] = append(m.byKey[k], p)
	}
	m.all[p] = struct{}{}
	m.mu.Unlock()
	return p
}

// release removes p if it is still held and reports whether it was.
func (m *reportMatcher) release(p *heldReport) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.remove(p)
}

// remove takes p out of every list it is in; m.mu is held.
func (m *reportMatcher) remove(p *heldReport) bool {
	if _, ok := m.all[p]; !ok {
		return false
	}
	delete(m.all, p)
	for _, k := range p.keys {
		list := slices.DeleteFunc(m.byKey[k], func(q *heldReport) bool { return q == p })
		if len(list) == 0 {
			delete(m.byKey, k)
		} else {
			m.byKey[k] = list
		}
	}
	return true
}

// claim removes and returns the reports held for rec's ids.
func (m *reportMatcher) claim(rec storage.Record) []transport.Report {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.all) == 0 {
		return nil
	}
	keys := []string{"m:" + rec.ID}
	for _, p := range rec.Parts {
		if p.OperatorID != "" {
			// A report names its transport only when it came through a
			// router; look under both spellings.
			keys = append(keys, "o:\x00"+p.OperatorID, "o:"+rec.Transport+"\x00"+p.OperatorID)
		}
	}
	var out []transport.Report
	for _, k := range keys {
		for _, p := range slices.Clone(m.byKey[k]) {
			if m.remove(p) {
				out = append(out, p.r)
			}
		}
	}
	return out
}

// expireLoop drops held reports past their hold time until stop closes.
func (m *reportMatcher) expireLoop(stop <-chan struct{}) {
	every := min(max(m.hold_/4, 10*time.Millisecond), time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			m.expire(m.now())
		}
	}
}

func (m *reportMatcher) expire(now time.Time) {
	m.mu.Lock()
	n := 0
	for p := range m.all {
		if !now.Before(p.until) && m.remove(p) {
			n++
		}
	}
	m.mu.Unlock()
	if n > 0 {
		m.unmatched.Add(int64(n))
		m.c.log.Warn("advox: delivery reports matched no message", "transport", m.c.tr.Name(), "count", n)
	}
}

// dropAll forgets every held report, counting them unmatched.
func (m *reportMatcher) dropAll() {
	m.mu.Lock()
	n := len(m.all)
	m.byKey, m.all = make(map[string][]*heldReport), make(map[*heldReport]struct{})
	m.mu.Unlock()
	m.unmatched.Add(int64(n))
}
