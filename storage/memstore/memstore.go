package memstore

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
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
	byOp   map[opKey]string               // (transport, operator id) → message id
	byAcct map[string]map[string]struct{} // account → message ids
}

type opKey struct{ transport, operatorID string }

var _ storage.TrafficStore = (*Store)(nil)

// New returns an empty store. opts may be nil.
func New(opts *Options) *Store {
	s := &Store{
		now:    time.Now,
		byID:   make(map[string]*storage.Record),
		byOp:   make(map[opKey]string),
		byAcct: make(map[string]map[string]struct{}),
	}
	if opts != nil && opts.Now != nil {
		s.now = opts.Now
	}
	return s
}

func (s *Store) live(r *storage.Record) bool {
	return r.Deadline.IsZero() || r.Deadline.After(s.now())
}

// Record implements storage.TrafficStore.
func (s *Store) Record(ctx context.Context, recs ...storage.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return storage.ErrClosed
	}
	seen := make(map[string]bool, len(recs))
	for _, r := range recs {
		if r.ID == "" {
			return fmt.Errorf("memstore: record without id: %w", storage.ErrExists)
		}
		if _, ok := s.byID[r.ID]; ok || seen[r.ID] {
			return fmt.Errorf("memstore: record %s: %w", r.ID, storage.ErrExists)
		}
		seen[r.ID] = true
	}
	for _, r := range recs {
		c := r.Clone()
		s.byID[c.ID] = &c
		for _, p := range c.Parts {
			if p.OperatorID != "" {
				s.byOp[opKey{c.Transport, p.OperatorID}] = c.ID
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
	if err := ctx.Err(); err != nil {
		return storage.Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return storage.Record{}, storage.ErrClosed
	}
	r, ok := s.byID[u.ID]
	if !ok || !s.live(r) {
		return storage.Record{}, fmt.Errorf("memstore: record %s: %w", u.ID, storage.ErrNotFound)
	}
	if u.Part != storage.AllParts && (u.Part < 0 || u.Part >= len(r.Parts)) {
		return storage.Record{}, fmt.Errorf("memstore: record %s has no part %d: %w", u.ID, u.Part, storage.ErrNotFound)
	}
	storage.Apply(r, u)
	return r.Clone(), nil
}

// Get implements storage.TrafficStore.
func (s *Store) Get(ctx context.Context, id string) (storage.Record, error) {
	if err := ctx.Err(); err != nil {
		return storage.Record{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return storage.Record{}, storage.ErrClosed
	}
	r, ok := s.byID[id]
	if !ok || !s.live(r) {
		return storage.Record{}, fmt.Errorf("memstore: record %s: %w", id, storage.ErrNotFound)
	}
	return r.Clone(), nil
}

// FindByOperatorID implements storage.TrafficStore.
func (s *Store) FindByOperatorID(ctx context.Context, transportName, operatorID string) (storage.Record, int, error) {
	if err := ctx.Err(); err != nil {
		return storage.Record{}, 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return storage.Record{}, 0, storage.ErrClosed
	}
	id, ok := s.byOp[opKey{transportName, operatorID}]
	if ok {
		if r, ok := s.byID[id]; ok && s.live(r) {
			for i, p := range r.Parts {
				if p.OperatorID == operatorID {
					return r.Clone(), i, nil
				}
			}
		}
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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, storage.ErrClosed
	}
	var out []storage.Record
	for id := range s.byAcct[q.Account] {
		r := s.byID[id]
		if !s.live(r) || !inRange(r.CreatedAt, q.From, q.To) {
			continue
		}
		out = append(out, r.Clone())
	}
	slices.SortFunc(out, func(a, b storage.Record) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func inRange(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

// Usage implements storage.TrafficStore.
func (s *Store) Usage(ctx context.Context, account string, from, to time.Time) (storage.Usage, error) {
	recs, err := s.snapshot(ctx, storage.Query{Account: account, From: from, To: to})
	if err != nil {
		return storage.Usage{}, err
	}
	u := storage.Usage{Account: account, From: from, To: to}
	for _, r := range recs {
		u.Messages++
		u.Segments += r.Segments
		switch {
		case r.Status == transport.StatusDelivered:
			u.Delivered++
		case r.Status.Final():
			u.Failed++
		}
	}
	return u, nil
}

// Purge implements storage.TrafficStore.
func (s *Store) Purge(ctx context.Context, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, storage.ErrClosed
	}
	n := 0
	for id, r := range s.byID {
		if !r.Deadline.IsZero() && !r.Deadline.After(now) {
			s.removeLocked(id)
			n++
		}
	}
	return n, nil
}

// EraseAccount implements storage.TrafficStore.
func (s *Store) EraseAccount(ctx context.Context, account string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, storage.ErrClosed
	}
	n := 0
	for id := range s.byAcct[account] {
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
			if s.byOp[k] == id {
				delete(s.byOp, k)
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

// Close implements storage.TrafficStore. It drops every record.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.byID, s.byOp, s.byAcct = nil, nil, nil
	return nil
}
