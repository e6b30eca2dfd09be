package advox

import (
	"cmp"
	"context"
	"errors"
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
	held := int64(m.held)
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

// recordExists reports whether the record a report is about is stored.
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
// (scoped by transport), or by the message id the operator echoed.
func (c *Client) target(ctx context.Context, r transport.Report) (id string, part int, err error) {
	if r.OperatorID == "" {
		return r.MessageID, storage.AllParts, nil
	}
	rec, part, err := c.store.FindByOperatorID(ctx, cmp.Or(r.Transport, c.tr.Name()), r.OperatorID)
	if err != nil {
		return "", 0, err
	}
	if len(rec.Parts) == 1 {
		part = storage.AllParts
	}
	return rec.ID, part, nil
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
	byKey map[string][]*heldReport
	held  int

	applied   atomic.Int64
	unmatched atomic.Int64
	c         *Client
}

type heldReport struct {
	key   string
	r     transport.Report
	until time.Time
}

func newReportMatcher(c *Client) *reportMatcher {
	return &reportMatcher{hold_: c.opts.ReportHold, now: c.now, byKey: make(map[string][]*heldReport), c: c}
}

func keyOf(r transport.Report) string {
	if r.OperatorID != "" {
		return "o:" + r.Transport + "\x00" + r.OperatorID
	}
	return "m:" + r.MessageID
}

func (m *reportMatcher) hold(r transport.Report) *heldReport {
	p := &heldReport{key: keyOf(r), r: r, until: m.now().Add(m.hold_)}
	m.mu.Lock()
	m.byKey[p.key] = append(m.byKey[p.key], p)
	m.held++
	m.mu.Unlock()
	return p
}

// release removes p if it is still held and reports whether it was.
func (m *reportMatcher) release(p *heldReport) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	list := m.byKey[p.key]
	i := slices.Index(list, p)
	if i < 0 {
		return false
	}
	m.byKey[p.key] = slices.Delete(list, i, i+1)
	if len(m.byKey[p.key]) == 0 {
		delete(m.byKey, p.key)
	}
	m.held--
	return true
}

// claim removes and returns the reports held for rec's ids.
func (m *reportMatcher) claim(rec storage.Record) []transport.Report {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.held == 0 {
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
		for _, p := range m.byKey[k] {
			out = append(out, p.r)
			m.held--
		}
		delete(m.byKey, k)
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
	for k, list := range m.byKey {
		kept := list[:0]
		for _, p := range list {
			if now.Before(p.until) {
				kept = append(kept, p)
				continue
			}
			n++
		}
		if len(kept) == 0 {
			delete(m.byKey, k)
		} else {
			m.byKey[k] = kept
		}
	}
	m.held -= n
	m.mu.Unlock()
	if n > 0 {
		m.unmatched.Add(int64(n))
		m.c.log.Warn("advox: delivery reports matched no message", "transport", m.c.tr.Name(), "count", n)
	}
}

// dropAll forgets every held report, counting them unmatched.
func (m *reportMatcher) dropAll() {
	m.mu.Lock()
	n := m.held
	m.byKey, m.held = make(map[string][]*heldReport), 0
	m.mu.Unlock()
	m.unmatched.Add(int64(n))
}
