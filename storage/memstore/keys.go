package memstore

import (
	"context"
	"fmt"

	"github.com/azenna/advox/storage"
)

// EnsureKey implements storage.KeyStore.
func (s *Store) EnsureKey(ctx context.Context, candidate storage.DataKey) (storage.DataKey, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return storage.DataKey{}, err
	}
	defer unlock()
	if id, ok := s.current[candidate.Account]; ok {
		return own(s.keys[id]), nil
	}
	if candidate.ID == "" || candidate.Account == "" || len(candidate.Wrapped) == 0 {
		return storage.DataKey{}, fmt.Errorf("memstore: incomplete data key: %w", storage.ErrInvalid)
	}
	if _, ok := s.keys[candidate.ID]; ok {
		return storage.DataKey{}, fmt.Errorf("memstore: data key %s: %w", candidate.ID, storage.ErrExists)
	}
	candidate = own(candidate)
	s.keys[candidate.ID] = candidate
	s.current[candidate.Account] = candidate.ID
	return own(candidate), nil
}

// own returns a copy of k that shares no memory with the store, so a
// caller may keep and read it while DestroyKeys clears the stored one.
func own(k storage.DataKey) storage.DataKey {
	k.Wrapped = append([]byte(nil), k.Wrapped...)
	return k
}

// Key implements storage.KeyStore.
func (s *Store) Key(ctx context.Context, id string) (storage.DataKey, error) {
	unlock, err := s.rlock(ctx)
	if err != nil {
		return storage.DataKey{}, err
	}
	defer unlock()
	k, ok := s.keys[id]
	if !ok {
		return storage.DataKey{}, fmt.Errorf("memstore: data key %s: %w", id, storage.ErrErased)
	}
	return own(k), nil
}

// DestroyKeys implements storage.KeyStore.
func (s *Store) DestroyKeys(ctx context.Context, account string) (int, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	n := 0
	for id, k := range s.keys {
		if k.Account == account {
			clear(k.Wrapped)
			delete(s.keys, id)
			s.destroyed[id] = struct{}{}
			n++
		}
	}
	delete(s.current, account)
	return n, nil
}
