package storage

import (
	"context"
	"errors"
	"time"
)

// ErrErased reports data whose account key was destroyed by an erase: what
// was sealed under it can never be read again, and nothing new may be
// recorded under it.
var ErrErased = errors.New("storage: erased")

// DataKey is an account's data key as stored: wrapped (encrypted) by the
// application's key-encryption key, never in the clear.
type DataKey struct {
	// ID identifies the key; records name the key their fields are sealed
	// under.
	ID string
	// Account is the account the key belongs to.
	Account string
	// Wrapped is the data key encrypted under the key-encryption key.
	Wrapped []byte
	// CreatedAt is when the key was made.
	CreatedAt time.Time
}

// KeyStore keeps accounts' wrapped data keys: the keyring behind
// encryption at rest. Destroying an account's key (crypto-shredding) makes
// everything sealed under it unreadable, in every copy and backup.
type KeyStore interface {
	// EnsureKey returns the account's current key, storing candidate as
	// that key if the account has none. Concurrent callers (also in other
	// processes sharing the store) all get the same key. A candidate
	// without id, account or wrapped key fails with ErrInvalid.
	EnsureKey(ctx context.Context, candidate DataKey) (DataKey, error)
	// Key returns the key with the given id, or ErrErased when it was
	// destroyed (or never existed).
	Key(ctx context.Context, id string) (DataKey, error)
	// DestroyKeys destroys every key of the account and returns how many
	// it destroyed. The account's next EnsureKey makes a new one.
	DestroyKeys(ctx context.Context, account string) (int, error)
}
