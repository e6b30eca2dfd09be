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
	// nothing; a repeat of a final record's report that was held, see
	// Options.OperatorIDReuse, counts when its hold ends).
	Applied int64
	// Held reports are waiting for their record (also those whose
	// operator id is only on final records: a newer message may have been
	// given it), or for the store to take them, right now.
	Held int64
	// Unmatched reports found no record (or no store to take them) within
	// the hold time, or were malformed.
	Unmatched int64
}

// ReportStats returns the Client's delivery-report counters.
func (c *Client) ReportStats() ReportStats {
	m := c.reports
	m.mu.Lock()
	held := int64(len(m.all) + m.trying)
	m.mu.Unlock()
	return ReportStats{Applied: m.applied.Load(), Held: held, Unmatched: m.unmatched.Load()}
}

// handleReport is the transport.ReportHandler the Client registers. A
// report that matches no record yet (it overtook the submit response, or
// the record is being written, here or by another Client sharing the
// store) is held for Options.ReportHold and matched when the record
// appears. So is one whose operator id is only on final records (see
// Options.OperatorIDReuse). A report the store failed to take (it was
// unavailable) is held too. Held reports are tried again until the hold
// time ends. After Close nothing is held: a report that comes then and
// cannot be applied is counted unmatched, and the error returned asks the
// transport to have the operator deliver it again (to the next Client).
// Malformed and refused reports are taken (nil): a redelivery would
// change nothing.
func (c *Client) handleReport(ctx context.Context, r transport.Report) error {
	if !r.Status.Valid() || (r.OperatorID == "" && r.MessageID == "") {
		c.reports.unmatched.Add(1)
		c.log.Warn("advox: malformed delivery report dropped", "transport", c.tr.Name(), "status", string(r.Status))
		return nil
	}
	arrived := c.now()
	err := c.applyReport(ctx, r, arrived)
	if err == nil {
		return nil
	}
	c.logReportErr(err, r)
	if errors.Is(err, storage.ErrInvalid) { // refused: trying again changes nothing
		c.reports.unmatched.Add(1)
		return nil
	}
	p, held := c.reports.hold(r, arrived, !errors.Is(err, storage.ErrNotFound), c.isRepeat(err))
	if !held {
		return fmt.Errorf("advox: delivery report not taken, the client is closed: %w", err)
	}
	// The record may have been written between the first look and the
	// hold; Send claims held reports only after writing, so either Send's
	// claim or this second look sees the other. Whoever takes the held
	// report out applies it, so it is applied once.
	if c.recordExists(ctx, r) && c.reports.release(p) {
		c.applyTaken(ctx, p)
	}
	return nil
}

// applyTaken applies a report taken out of the held set. One that fails
// is held again, to be tried again, until its hold time ends: the store
// may be back, or the record written, by the next try (a Send that wrote
// it while the report was out found nothing to claim). Only a refused
// update is given up at once, counted unmatched.
func (c *Client) applyTaken(ctx context.Context, p *heldReport) {
	err := c.applyReport(ctx, p.r, p.arrived)
	switch {
	case err == nil:
	case errors.Is(err, storage.ErrInvalid):
		c.logReportErr(err, p.r)
		c.reports.unmatched.Add(1)
	default:
		if !p.logged && !errors.Is(err, storage.ErrNotFound) { // logged once, not on every try
			c.logReportErr(err, p.r)
			p.logged = true
		}
		p.repeat = c.isRepeat(err)
		p.gap = min(2*p.gap+1, maxRetryGap)
		p.wait = p.gap
		c.reports.add(p)
	}
}

// recordExists reports whether the record a report is about is stored.
func (c *Client) recordExists(ctx context.Context, r transport.Report) bool {
	_, _, err := c.target(ctx, r)
	return err == nil
}

// applyReport applies r, which arrived at the given time, to its record;
// storage.ErrNotFound means no record that can take it is (yet) there.
func (c *Client) applyReport(ctx context.Context, r transport.Report, arrived time.Time) error {
	target, part, err := c.target(ctx, r)
	if err != nil {
		return err
	}
	u := storage.StatusUpdate{ID: target.ID, Part: part, Status: r.Status, ErrorCode: r.ErrorCode,
		At: c.reportTime(r.At, target.CreatedAt, arrived)}
	rec, err := c.tel.UpdateStatus(ctx, c.store, u)
	if err != nil {
		return err
	}
	c.reports.applied.Add(1)
	c.log.Debug("advox: delivery report", "id", rec.ID, "status", string(rec.Status))
	return nil
}

// target resolves the record and part a report is about: by operator id
// (scoped by transport), or by the message id the operator echoed.
//
// Operators reuse ids, so the store returns the newest record with the
// operator id that can still take a report. When even that one's part is
// final, the report is taken as its repeat only when it echoes that
// record's message id; otherwise it may be the report of a newer message
// whose record is not written yet, and target answers *onlyFinalError
// (storage.ErrNotFound) so that it is held for that record.
//
// An operator id on no record that can take the report falls back to the
// echoed message id (see unnamedPart): a message whose submit answer was
// lost (outcome unknown) has no operator id on record, and the client
// reference is what settles it.
func (c *Client) target(ctx context.Context, r transport.Report) (rec storage.Record, part int, err error) {
	if r.OperatorID == "" {
		rec, err = c.store.Get(ctx, r.MessageID)
		return rec, storage.AllParts, err
	}
	rec, part, err = c.store.FindByOperatorID(ctx, cmp.Or(r.Transport, c.tr.Name()), r.OperatorID)
	if err == nil && part >= 0 && part < len(rec.Parts) && rec.Parts[part].Status.Final() && rec.ID != r.MessageID {
		err = &onlyFinalError{created: rec.CreatedAt}
	}
	if errors.Is(err, storage.ErrNotFound) && r.MessageID != "" {
		named, part, uerr := c.unnamedPart(ctx, r.MessageID)
		if uerr == nil || !errors.Is(uerr, storage.ErrNotFound) {
			return named, part, uerr
		}
	}
	if err != nil {
		return storage.Record{}, 0, err
	}
	if len(rec.Parts) == 1 {
		part = storage.AllParts
	}
	return rec, part, nil
}

// onlyFinalError says a report's operator id is only on records that are
// final already; created is when the newest of them was.
type onlyFinalError struct{ created time.Time }

func (e *onlyFinalError) Error() string {
	return "advox: report's operator id is only on final records"
}

func (e *onlyFinalError) Unwrap() error { return storage.ErrNotFound }

// isRepeat reports whether err says a report's operator id is only on
// final records the newest of which is younger than the operator's id
// reuse horizon: unclaimed, the report is taken as a repeat of theirs.
func (c *Client) isRepeat(err error) bool {
	var of *onlyFinalError
	return errors.As(err, &of) && c.now().Sub(of.created) < c.opts.OperatorIDReuse
}

// reportTime is the time a report's status is recorded at: at, the
// operator's, when it lies within Options.ReportClockSkew of [the
// message's submit, the report's arrival]; else (none, or a clock or time
// zone far off) the arrival, never before the submit.
func (c *Client) reportTime(at, created, arrived time.Time) time.Time {
	skew := c.opts.ReportClockSkew
	if !at.IsZero() && !at.Before(created.Add(-skew)) && !at.After(arrived.Add(skew)) {
		return at
	}
	if !at.IsZero() && c.reports.badTime.CompareAndSwap(false, true) {
		c.log.Warn("advox: delivery report time out of range, the arrival time is used instead "+
			"(check the operator's clock and the transport's receipt time zone); logged once",
			"transport", c.tr.Name(), "report_time", at, "skew", skew)
	}
	return later(arrived, created)
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// unnamedPart resolves a report whose operator id is on no record that can
// take it but which echoes message id: to the record's parts that have no
// operator id — all of them (AllParts) when none has one, else the first —
// so that a report never settles a part another operator id names. A
// record whose every part has an operator id is not the one the report is
// about (storage.ErrNotFound).
func (c *Client) unnamedPart(ctx context.Context, id string) (storage.Record, int, error) {
	rec, err := c.store.Get(ctx, id)
	if err != nil {
		return storage.Record{}, 0, err
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
		return storage.Record{}, 0, fmt.Errorf("advox: report for %s names an unknown operator id: %w", id, storage.ErrNotFound)
	case len(rec.Parts):
		return rec, storage.AllParts, nil
	}
	return rec, first, nil
}

func (c *Client) logReportErr(err error, r transport.Report) {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return
	case errors.Is(err, context.Canceled):
		// Close cancelled it (or the transport's caller gave up): no error.
		c.log.Debug("advox: delivery report not applied: canceled", "transport", c.tr.Name(), "operator_id", r.OperatorID)
		return
	}
	c.log.Error("advox: delivery report not applied", "transport", c.tr.Name(), "operator_id", r.OperatorID, "error", err)
}

// claimReports applies the reports held for a record just written.
func (c *Client) claimReports(ctx context.Context, rec storage.Record) {
	for _, p := range c.reports.claim(rec) {
		c.applyTaken(ctx, p)
	}
}

// reportMatcher holds early reports until their record is written.
type reportMatcher struct {
	hold_ time.Duration
	now   func() time.Time

	mu    sync.Mutex
	byKey map[string][]*heldReport // a report is listed under each of its keys
	all   map[*heldReport]struct{}
	// trying counts the reports taken out to be tried again: they are
	// still held for ReportStats.
	trying int
	// closed is set by dropAll: nothing is held from then on.
	closed bool

	applied   atomic.Int64
	unmatched atomic.Int64
	// badTime is set once a report time out of range was logged.
	badTime atomic.Bool
	c       *Client
}

type heldReport struct {
	keys    []string
	r       transport.Report
	arrived time.Time
	until   time.Time
	// repeat is set when the last try found the report's operator id only
	// on final records younger than the id reuse horizon: unclaimed, it
	// counts as their repeat (applied), not unmatched. Written like logged.
	repeat bool
	// logged is set once a store error applying the report was logged,
	// so that one outage is not logged on every try. Only whoever holds
	// or took out the report writes it, before adding it (under mu).
	logged bool
	// trying is set while retry has the report out (under mu).
	trying bool
	// wait is how many more ticks of the expiry loop pass before retry
	// tries the report again, and gap the wait it got last time: it
	// doubles (up to maxRetryGap), so that a report whose record never
	// comes (another system's, on a shared account) costs a few lookups
	// rather than one a tick for its whole hold. Written by whoever holds
	// or took out the report (under mu while held).
	wait, gap int
}

// maxRetryGap bounds the ticks between two tries of a held report.
const maxRetryGap = 15

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

// hold holds r, which arrived at the given time, for the hold time;
// logged says its error was logged, repeat that it is one (heldReport).
// It reports false when the matcher is closed and holds nothing (see add).
func (m *reportMatcher) hold(r transport.Report, arrived time.Time, logged, repeat bool) (*heldReport, bool) {
	p := &heldReport{keys: keysOf(r), r: r, arrived: arrived, until: arrived.Add(m.hold_), logged: logged, repeat: repeat}
	return p, m.add(p)
}

// add holds p (again) until p.until and reports true; once the matcher is
// closed, p is counted unmatched instead, as no expiry loop would ever
// drop it, and add reports false.
func (m *reportMatcher) add(p *heldReport) bool {
	m.mu.Lock()
	m.untry(p)
	if m.closed {
		m.mu.Unlock()
		m.drop(p)
		return false
	}
	for _, k := range p.keys {
		m.byKey[k] = append(m.byKey[k], p)
	}
	m.all[p] = struct{}{}
	m.mu.Unlock()
	return true
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
func (m *reportMatcher) claim(rec storage.Record) []*heldReport {
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
	var out []*heldReport
	for _, k := range keys {
		for _, p := range slices.Clone(m.byKey[k]) {
			if m.remove(p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// expireLoop, until ctx ends, tries the held reports again, then drops
// those past their hold time.
func (m *reportMatcher) expireLoop(ctx context.Context) {
	every := min(max(m.hold_/4, 10*time.Millisecond), time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.retry(ctx)
			m.expire(m.now())
		}
	}
}

// retry tries the held reports that are due (see heldReport.wait) again:
// a store error may have kept them from applying, or their record may
// have been written meanwhile where no claim sees it (by another Client
// sharing the store, or while the report was out of the held set). Each
// is taken out of the held set before it is applied, so that a Send
// claiming it at the same time does not apply it too.
func (m *reportMatcher) retry(ctx context.Context) {
	m.mu.Lock()
	var due []*heldReport
	for p := range m.all {
		if p.wait > 0 {
			p.wait--
			continue
		}
		due = append(due, p)
	}
	m.mu.Unlock()
	for _, p := range due {
		if ctx.Err() != nil {
			return
		}
		m.mu.Lock()
		taken := m.remove(p)
		if taken {
			p.trying = true
			m.trying++
		}
		m.mu.Unlock()
		if !taken {
			continue
		}
		m.c.applyTaken(ctx, p) // holds p again if it still waits
		m.mu.Lock()
		m.untry(p)
		m.mu.Unlock()
	}
}

// untry ends p's count as out to be tried again, if it was; m.mu is held.
func (m *reportMatcher) untry(p *heldReport) {
	if p.trying {
		p.trying = false
		m.trying--
	}
}

func (m *reportMatcher) expire(now time.Time) {
	m.mu.Lock()
	var gone []*heldReport
	for p := range m.all {
		if !now.Before(p.until) && m.remove(p) {
			gone = append(gone, p)
		}
	}
	m.mu.Unlock()
	n := 0
	for _, p := range gone {
		if !m.drop(p) {
			n++
		}
	}
	if n > 0 {
		m.c.log.Warn("advox: delivery reports matched no message", "transport", m.c.tr.Name(), "count", n)
	}
}

// drop gives up a held report that no record claimed: a repeat of a final
// record's report (heldReport.repeat) counts as applied, any other as
// unmatched. It reports whether p was a repeat.
func (m *reportMatcher) drop(p *heldReport) bool {
	if p.repeat {
		m.applied.Add(1)
	} else {
		m.unmatched.Add(1)
	}
	return p.repeat
}

// dropAll forgets every held report, counting them (drop), and holds none
// from then on.
func (m *reportMatcher) dropAll() {
	m.mu.Lock()
	m.closed = true
	all := m.all
	m.byKey, m.all = make(map[string][]*heldReport), make(map[*heldReport]struct{})
	m.mu.Unlock()
	for p := range all {
		m.drop(p)
	}
}
