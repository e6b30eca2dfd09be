package memstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/azenna/advox/storage"
)

// Accounts is an in-memory storage.AccountStore, for tests, examples and
// single-process deployments that keep customer data elsewhere.
type Accounts struct {
	mu     sync.Mutex
	closed bool
	byID   map[string]storage.Customer
	users  map[string]string // user id → account id
	usage  map[usageKey]int
	ids    map[string]bool // every account id ever created: never reused
}

type usageKey struct {
	account string
	period  int64 // UnixNano of the period start
}

var (
	_ storage.AccountStore = (*Accounts)(nil)
	_ storage.UsageLister  = (*Accounts)(nil)
)

// NewAccounts returns an empty account store.
func NewAccounts() *Accounts {
	return &Accounts{
		byID:  make(map[string]storage.Customer),
		users: make(map[string]string),
		usage: make(map[usageKey]int),
		ids:   make(map[string]bool),
	}
}

// errAccountChanged is UpdateAccount's refusal of an fn that changed the id.
var errAccountChanged = errors.New("memstore: update changed the account id")

// lock takes the mutex after checking ctx and the closed state; the caller
// unlocks when it gets nil.
func (s *Accounts) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return storage.ErrClosed
	}
	return nil
}

// userClash reports whether one of c's user ids belongs to another account
// or appears twice in c.
func (s *Accounts) userClash(c storage.Customer) bool {
	seen := make(map[string]bool, len(c.Users))
	for _, u := range c.Users {
		if owner, ok := s.users[u.ID]; (ok && owner != c.Account) || seen[u.ID] {
			return true
		}
		seen[u.ID] = true
	}
	return false
}

// CreateAccount implements storage.AccountStore.
func (s *Accounts) CreateAccount(ctx context.Context, c storage.Customer) error {
	if err := storage.CheckKeepable(&c); err != nil {
		return fmt.Errorf("memstore: create account: %w", err)
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if s.ids[c.Account] {
		return fmt.Errorf("memstore: account %s: taken, or retired by a delete: %w", c.Account, storage.ErrExists)
	}
	if s.userClash(c) {
		return fmt.Errorf("memstore: account %s: user id taken: %w", c.Account, storage.ErrExists)
	}
	s.ids[c.Account] = true
	s.put(c.Clone())
	return nil
}

// put stores c and indexes its users.
func (s *Accounts) put(c storage.Customer) {
	s.byID[c.Account] = c
	for _, u := range c.Users {
		s.users[u.ID] = c.Account
	}
}

// drop removes the account and its user index entries.
func (s *Accounts) drop(account string) {
	for _, u := range s.byID[account].Users {
		delete(s.users, u.ID)
	}
	delete(s.byID, account)
}

// GetAccount implements storage.AccountStore.
func (s *Accounts) GetAccount(ctx context.Context, account string) (storage.Customer, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Customer{}, err
	}
	defer s.mu.Unlock()
	c, ok := s.byID[account]
	if !ok {
		return storage.Customer{}, fmt.Errorf("memstore: account %s: %w", account, storage.ErrNotFound)
	}
	return c.Clone(), nil
}

// UpdateAccount implements storage.AccountStore. fn runs under the store's
// lock, exactly once.
func (s *Accounts) UpdateAccount(ctx context.Context, account string, fn func(*storage.Customer) error) (storage.Customer, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Customer{}, err
	}
	defer s.mu.Unlock()
	old, ok := s.byID[account]
	if !ok {
		return storage.Customer{}, fmt.Errorf("memstore: account %s: %w", account, storage.ErrNotFound)
	}
	c := old.Clone()
	if err := fn(&c); err != nil {
		return storage.Customer{}, err
	}
	if c.Account != account {
		return storage.Customer{}, errAccountChanged
	}
	if err := storage.CheckKeepable(&c); err != nil {
		return storage.Customer{}, fmt.Errorf("memstore: update account: %w", err)
	}
	if s.userClash(c) {
		return storage.Customer{}, fmt.Errorf("memstore: account %s: user id taken: %w", account, storage.ErrExists)
	}
	s.drop(account)
	s.put(c.Clone())
	return c, nil
}

// DeleteAccount implements storage.AccountStore. The id stays retired.
func (s *Accounts) DeleteAccount(ctx context.Context, account string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.byID[account]; !ok {
		return fmt.Errorf("memstore: account %s: %w", account, storage.ErrNotFound)
	}
	s.drop(account)
	for k := range s.usage {
		if k.account == account {
			delete(s.usage, k)
		}
	}
	return nil
}

// FindUser implements storage.AccountStore.
func (s *Accounts) FindUser(ctx context.Context, userID string) (storage.Customer, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Customer{}, err
	}
	defer s.mu.Unlock()
	account, ok := s.users[userID]
	if !ok {
		return storage.Customer{}, fmt.Errorf("memstore: user: %w", storage.ErrNotFound)
	}
	return s.byID[account].Clone(), nil
}

// ReserveSegments implements storage.AccountStore.
func (s *Accounts) ReserveSegments(ctx context.Context, account string, period time.Time, n, quota int) (int, bool, error) {
	if err := s.lock(ctx); err != nil {
		return 0, false, err
	}
	defer s.mu.Unlock()
	if _, ok := s.byID[account]; !ok {
		return 0, false, fmt.Errorf("memstore: account %s: %w", account, storage.ErrNotFound)
	}
	k := usageKey{account, period.UnixNano()}
	used := s.usage[k]
	if n > 0 && quota > 0 && n > quota-used {
		return used, false, nil
	}
	used = max(used+n, 0)
	s.usage[k] = used
	return used, true, nil
}

// SegmentUsage implements storage.UsageLister.
func (s *Accounts) SegmentUsage(ctx context.Context, account string) ([]storage.SegmentUsage, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if _, ok := s.byID[account]; !ok {
		return nil, fmt.Errorf("memstore: account %s: %w", account, storage.ErrNotFound)
	}
	var out []storage.SegmentUsage
	for k, used := range s.usage {
		if k.account == account {
			out = append(out, storage.SegmentUsage{Period: time.Unix(0, k.period).UTC(), Segments: used})
		}
	}
	slices.SortFunc(out, func(a, b storage.SegmentUsage) int { return a.Period.Compare(b.Period) })
	return out, nil
}

// Close implements storage.AccountStore. It is idempotent.
func (s *Accounts) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
