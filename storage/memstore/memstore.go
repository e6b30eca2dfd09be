package memstore

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/azenna/advox/storage"
)

// Options configures a Store. The zero value is usable.
type Options struct {
	// Now is the store's clock for retention on read; nil means time.Now.
	Now func() time.Time
}

// Store is an in-memory TrafficStore.
type Store struct {
	now func() time.Time

	mu     sync.RWMutex
	closed bool
	byID   map[string]*storage.Record
	byOp   map[opKey][]string             // (transport, operator id) → ids of the records holding it
	byAcct map[string]map[string]struct{} // account → message ids

	invoices map[string]*storage.Invoice
	erased   map[string]map[time.Time]storage.Usage // account → period → aggregate of erased records
	keys     map[string]storage.DataKey             // key id → key
	// destroyed holds the ids of the keys DestroyKeys removed: a record
	// sealed under one is refused. A key the store never held is not:
	// with a keyring apart (advox.Options.Keys) the store holds none.
	destroyed map[string]struct{}
	current   map[string]string // account → current key id
}

type opKey struct{ transport, operatorID string }

var (
	_ storage.TrafficStore = (*Store)(nil)
	_ storage.KeyStore     = (*Store)(nil)
	_ storage.Pinger       = (*Store)(nil)
)

// New returns an empty store. opts may be nil.
func New(opts *Options) *Store {
	s := &Store{
		now:       time.Now,
		byID:      make(map[string]*storage.Record),
		byOp:      make(map[opKey][]string),
		byAcct:    make(map[string]map[string]struct{}),
		invoices:  make(map[string]*storage.Invoice),
		erased:    make(map[string]map[time.Time]storage.Usage),
		keys:      make(map[string]storage.DataKey),
		destroyed: make(map[string]struct{}),
		current:   make(map[string]string),
	}
	if opts != nil && opts.Now != nil {
		s.now = opts.Now
	}
	return s
}

// lock takes the write lock of an open store for a call honouring ctx.
func (s *Store) lock(ctx context.Context) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, storage.ErrClosed
	}
	return s.mu.Unlock, nil
}

// rlock takes the read lock of an open store for a call honouring ctx.
func (s *Store) rlock(ctx context.Context) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, storage.ErrClosed
	}
	return s.mu.RUnlock, nil
}

// live reports whether r may be read now (storage.Visible). Called with
// s.mu held.
func (s *Store) live(r *storage.Record) bool {
	return s.visibleAt(r, s.now())
}

func (s *Store) visibleAt(r *storage.Record, now time.Time) bool {
	var inv *storage.Invoice
	if r.InvoiceID != "" {
		inv = s.invoices[r.InvoiceID]
	}
	return storage.Visible(r, inv, now)
}

// view is the copy of r a read returns: a body past its time is withheld.
func (s *Store) view(r *storage.Record) storage.Record {
	c := r.Clone()
	if !c.BodyUntil.IsZero() && !s.now().Before(c.BodyUntil) {
		c.Body, c.BodyUntil = storage.Sealed{}, time.Time{}
	}
	return c
}

// Record implements storage.TrafficStore.
func (s *Store) Record(ctx context.Context, recs ...storage.Record) error {
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	seen := make(map[string]bool, len(recs))
	for _, r := range recs {
		if r.ID == "" || r.Deadline.IsZero() {
			return fmt.Errorf("memstore: record without id or deadline: %w", storage.ErrInvalid)
		}
		if k := r.Recipient.KeyID; k != "" {
			if _, gone := s.destroyed[k]; gone {
				return fmt.Errorf("memstore: record %s sealed under a destroyed key: %w", r.ID, storage.ErrErased)
			}
		}
		if _, ok := s.byID[r.ID]; ok || seen[r.ID] {
			return fmt.Errorf("memstore: record %s: %w", r.ID, storage.ErrExists)
		}
		seen[r.ID] = true
	}
	for _, r := range recs {
		c := r.Clone()
		c.InvoiceID = ""
		s.byID[c.ID] = &c
		for _, p := range c.Parts {
			if k := (opKey{c.Transport, p.OperatorID}); p.OperatorID != "" && !slices.Contains(s.byOp[k], c.ID) {
				s.byOp[k] = append(s.byOp[k], c.ID)
			}
		}
		ids := s.byAcct[c.Account]
		if ids == nil {
			ids = make(map[string]struct{})
			s.byAcct[c.Account] = ids
		}
		ids[c.ID] = struct{}{}
	}
	return nil
}

// UpdateStatus implements storage.TrafficStore.
func (s *Store) UpdateStatus(ctx context.Context, u storage.StatusUpdate) (storage.Record, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return storage.Record{}, err
	}
	defer unlock()
	r, ok := s.byID[u.ID]
	if !ok || !s.live(r) {
		return storage.Record{}, fmt.Errorf("memstore: record %s: %w", u.ID, storage.ErrNotFound)
	}
	if u.Part != storage.AllParts && (u.Part < 0 || u.Part >= len(r.Parts)) {
		return storage.Record{}, fmt.Errorf("memstore: record %s has no part %d: %w", u.ID, u.Part, storage.ErrNotFound)
	}
	storage.Apply(r, u)
	return s.view(r), nil
}

// Get implements storage.TrafficStore.
func (s *Store) Get(ctx context.Context, id string) (storage.Record, error) {
	unlock, err := s.rlock(ctx)
	if err != nil {
		return storage.Record{}, err
	}
	defer unlock()
	r, ok := s.byID[id]
	if !ok || !s.live(r) {
		return storage.Record{}, fmt.Errorf("memstore: record %s: %w", id, storage.ErrNotFound)
	}
	return s.view(r), nil
}

// FindByOperatorID implements storage.TrafficStore.
func (s *Store) FindByOperatorID(ctx context.Context, transportName, operatorID string) (storage.Record, int, error) {
	unlock, err := s.rlock(ctx)
	if err != nil {
		return storage.Record{}, 0, err
	}
	defer unlock()
	now := s.now()
	candidates := func(yield func(*storage.Record) bool) {
		for _, id := range s.byOp[opKey{transportName, operatorID}] {
			if r := s.byID[id]; r != nil && s.visibleAt(r, now) && !yield(r) {
				return
			}
		}
	}
	if r, part := storage.ByOperatorID(operatorID, candidates); r != nil {
		return s.view(r), part, nil
	}
	return storage.Record{}, 0, fmt.Errorf("memstore: operator id on %s: %w", transportName, storage.ErrNotFound)
}

// Query implements storage.TrafficStore. It takes a snapshot of the
// matching records, so the caller may call the store while iterating.
func (s *Store) Query(ctx context.Context, q storage.Query) iter.Seq2[storage.Record, error] {
	return func(yield func(storage.Record, error) bool) {
		recs, err := s.snapshot(ctx, q)
		if err != nil {
			yield(storage.Record{}, err)
			return
		}
		for _, r := range recs {
			if err := ctx.Err(); err != nil {
				yield(storage.Record{}, err)
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (s *Store) snapshot(ctx context.Context, q storage.Query) ([]storage.Record, error) {
	unlock, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var out []storage.Record
	for r := range s.matching(q) {
		out = append(out, s.view(r))
	}
	slices.SortFunc(out, func(a, b storage.Record) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// matching yields the live records q selects, unordered and uncapped
// (q.Limit is the caller's). Called with s.mu held.
func (s *Store) matching(q storage.Query) iter.Seq[*storage.Record] {
	return func(yield func(*storage.Record) bool) {
		now := s.now()
		for id := range s.byAcct[q.Account] {
			r := s.byID[id]
			if !s.visibleAt(r, now) || !inRange(r.CreatedAt, q.From, q.To) ||
				(q.RecipientIndex != nil && !bytes.Equal(q.RecipientIndex, r.RecipientIndex)) {
				continue
			}
			if !yield(r) {
				return
			}
		}
	}
}

func inRange(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

// Usage implements storage.TrafficStore. Records and erased aggregates
// are read under one lock, so an erase running meanwhile is counted once.
func (s *Store) Usage(ctx context.Context, account string, from, to time.Time) (storage.Usage, error) {
	unlock, err := s.rlock(ctx)
	if err != nil {
		return storage.Usage{}, err
	}
	defer unlock()
	u := storage.Usage{Account: account, From: from, To: to}
	for r := range s.matching(storage.Query{Account: account, From: from, To: to}) {
		u.Add(r.Segments, r.Status)
	}
	for period, e := range s.erased[account] {
		if inRange(period, from, to) {
			u.Messages += e.Messages
			u.Segments += e.Segments
			u.Delivered += e.Delivered
			u.Failed += e.Failed
		}
	}
	return u, nil
}

// Purge implements storage.TrafficStore.
func (s *Store) Purge(ctx context.Context, now time.Time) (storage.PurgeResult, error) {
	var res storage.PurgeResult
	unlock, err := s.lock(ctx)
	if err != nil {
		return res, err
	}
	defer unlock()
	for id, r := range s.byID {
		if !s.visibleAt(r, now) {
			s.removeLocked(id)
			res.Deleted++
			continue
		}
		if !r.Body.IsZero() && !r.BodyUntil.IsZero() && !now.Before(r.BodyUntil) {
			r.Body, r.BodyUntil = storage.Sealed{}, time.Time{}
			res.BodiesDropped++
		}
		if res.OldestDeadline.IsZero() || r.Deadline.Before(res.OldestDeadline) {
			res.OldestDeadline = r.Deadline
		}
	}
	for _, inv := range s.invoices {
		if !inv.State.Final() && !now.Before(inv.TimeBar) {
			inv.State, inv.FinalAt = storage.InvoiceTimeBarred, inv.TimeBar
		}
	}
	return res, nil
}

// EraseAccount implements storage.TrafficStore.
func (s *Store) EraseAccount(ctx context.Context, account string) (int, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	n := 0
	agg := s.erased[account]
	for id := range s.byAcct[account] {
		r := s.byID[id]
		if s.live(r) {
			if agg == nil {
				agg = make(map[time.Time]storage.Usage)
				s.erased[account] = agg
			}
			p := storage.MonthOf(r.CreatedAt)
			u := agg[p]
			u.Add(r.Segments, r.Status)
			agg[p] = u
		}
		s.removeLocked(id)
		n++
	}
	delete(s.byAcct, account)
	return n, nil
}

func (s *Store) removeLocked(id string) {
	r := s.byID[id]
	if r == nil {
		return
	}
	for _, p := range r.Parts {
		if p.OperatorID != "" {
			k := opKey{r.Transport, p.OperatorID}
			if ids := slices.DeleteFunc(s.byOp[k], func(x string) bool { return x == id }); len(ids) == 0 {
				delete(s.byOp, k)
			} else {
				s.byOp[k] = ids
			}
		}
	}
	if ids := s.byAcct[r.Account]; ids != nil {
		delete(ids, id)
		if len(ids) == 0 {
			delete(s.byAcct, r.Account)
		}
	}
	delete(s.byID, id)
}

// Ping implements storage.Pinger: an open store always answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return storage.ErrClosed
	}
	return nil
}

// Close implements storage.TrafficStore. It drops every record.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.byID, s.byOp, s.byAcct, s.invoices, s.erased, s.keys, s.current = nil, nil, nil, nil, nil, nil, nil
	return nil
}

// InMemory reports that the store keeps nothing beyond the process, so
// that the Client does not warn about a per-process KEK: the records are
// gone with it anyway.
func (*Store) InMemory() bool { return true }
