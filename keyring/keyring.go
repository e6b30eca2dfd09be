// Package keyring seals what the traffic records keep confidential —
// recipient numbers, kept message texts — under a data key per account,
// and finds numbers again without storing them. It holds the KEK interface
// that wraps the data keys (StaticKEK for a key from configuration, or a
// KMS of your own), the Keyring that creates, caches, seals with and
// destroys the data keys (crypto-shredding: an erased account's copies and
// backups become unreadable), the keyed blind index of numbers, and
// FromEnv and FromFile, which load the KEK and the index key from the
// environment or a file in one call.
//
// It keeps no keys itself: wrapped data keys live in a storage.KeyStore,
// apart from the traffic. It decides nothing about what is sealed or when
// an account is erased: the Client (package advox) does.
package keyring

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sync"
	"time"

	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/storage"
)

// KEK (key-encryption key) wraps and unwraps accounts' data keys.
// Applications supply one from their configuration or a KMS; advox never
// stores it.
type KEK interface {
	// WrapKey encrypts a new 32-byte data key. The result is stored as it
	// is, beside the account's other keys (never beside the traffic), so
	// it must carry whatever UnwrapKey needs, such as a KMS key version.
	WrapKey(ctx context.Context, dataKey []byte) ([]byte, error)
	// UnwrapKey decrypts what WrapKey returned. It must fail, never return
	// a wrong key, when wrapped was made under another key-encryption key
	// or altered. It honours ctx: a KMS call is a network round trip.
	UnwrapKey(ctx context.Context, wrapped []byte) ([]byte, error)
}

// StaticKEK is a KEK held in memory: AES-256-GCM under a
// 32-byte key from the application's configuration.
type StaticKEK struct{ aead cipher.AEAD }

// NewStaticKEK returns a StaticKEK for a 32-byte key.
func NewStaticKEK(key []byte) (*StaticKEK, error) {
	if len(key) != 32 {
		return nil, errs.New("new kek", errs.CodeInvalidArgument, "key-encryption key must be 32 bytes, got %d", len(key))
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return &StaticKEK{aead: aead}, nil
}

// WrapKey implements KEK.
func (k *StaticKEK) WrapKey(_ context.Context, dataKey []byte) ([]byte, error) {
	return sealGCM(k.aead, dataKey, []byte("advox data key"))
}

// UnwrapKey implements KEK.
func (k *StaticKEK) UnwrapKey(_ context.Context, wrapped []byte) ([]byte, error) {
	return openGCM(k.aead, wrapped, []byte("advox data key"))
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealGCM returns nonce || ciphertext.
func sealGCM(aead cipher.AEAD, plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return aead.Seal(out, out, plaintext, aad), nil
}

var errSealed = errors.New("advox: sealed data is malformed or was tampered with")

func openGCM(aead cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return nil, errSealed
	}
	pt, err := aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, errSealed
	}
	return pt, nil
}

// Keyring seals confidential fields under per-account data keys kept
// wrapped in a storage.KeyStore, caching unwrapped keys in memory. Each
// ciphertext is bound to the record and field it belongs to. It is safe
// for concurrent use.
type Keyring struct {
	kek   KEK
	store storage.KeyStore
	now   func() time.Time

	mu      sync.RWMutex        // read-locked on every seal and open
	current map[string]*dataKey // account → key new data is sealed under
	byID    map[string]*dataKey
	// epoch counts forgets; forgotAt is the epoch of each account's last
	// one. A key fetched from the store is cached only if its account was
	// not forgotten since the fetch began, so that a key destroyed while it
	// was being fetched never lingers in memory.
	epoch    uint64
	forgotAt map[string]uint64
}

// fetchTries bounds how often a fetch overtaken by a forget of the same
// account is repeated before its key is used once without being cached.
const fetchTries = 3

type dataKey struct {
	id, account string
	aead        cipher.AEAD
}

// New returns a Keyring whose data keys kek wraps and store keeps; now
// dates new keys.
func New(kek KEK, store storage.KeyStore, now func() time.Time) *Keyring {
	return &Keyring{kek: kek, store: store, now: now, current: map[string]*dataKey{}, byID: map[string]*dataKey{},
		forgotAt: map[string]uint64{}}
}

// Prepare makes sure the account has a current data key — cached, or
// fetched or created and cached — so that sealing can no longer fail for
// want of one: a KEK that cannot wrap or unwrap it (another KEK than the
// stored keys', a KMS out of reach) fails here.
func (k *Keyring) Prepare(ctx context.Context, account string) error {
	_, err := k.currentKey(ctx, account)
	return err
}

// currentKey returns the key new data of the account is sealed under.
func (k *Keyring) currentKey(ctx context.Context, account string) (*dataKey, error) {
	return k.cached(ctx, func() *dataKey { return k.current[account] }, func() (storage.DataKey, error) {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return storage.DataKey{}, err
		}
		wrapped, err := k.kek.WrapKey(ctx, raw)
		if err != nil {
			return storage.DataKey{}, fmt.Errorf("wrap data key: %w", err)
		}
		id := make([]byte, 16)
		if _, err := rand.Read(id); err != nil {
			return storage.DataKey{}, err
		}
		return k.store.EnsureKey(ctx, storage.DataKey{ID: hex.EncodeToString(id), Account: account, Wrapped: wrapped, CreatedAt: k.now()})
	}, true)
}

// cached returns the key find sees in the cache (under k.mu), or else
// loads it with load, opens it and caches it — as the account's current
// key too, when current. A load overtaken by a forget of the key's
// account is not cached but repeated, up to fetchTries, so that a key
// destroyed meanwhile never lingers in memory.
func (k *Keyring) cached(ctx context.Context, find func() *dataKey, load func() (storage.DataKey, error), current bool) (*dataKey, error) {
	for try := 1; ; try++ {
		k.mu.RLock()
		dk, since := find(), k.epoch
		k.mu.RUnlock()
		if dk != nil {
			return dk, nil
		}
		sk, err := load()
		if err != nil {
			return nil, err
		}
		if dk, err = k.unwrap(ctx, sk); err != nil {
			return nil, err
		}
		if k.cache(dk, since, current) || try == fetchTries {
			return dk, nil
		}
	}
}

// unwrap opens a stored key; it does not cache it.
func (k *Keyring) unwrap(ctx context.Context, sk storage.DataKey) (*dataKey, error) {
	raw, err := k.kek.UnwrapKey(ctx, sk.Wrapped)
	if err != nil {
		return nil, fmt.Errorf("unwrap data key: %w", err)
	}
	aead, err := newGCM(raw)
	clear(raw)
	if err != nil {
		return nil, err
	}
	return &dataKey{id: sk.ID, account: sk.Account, aead: aead}, nil
}

// cache keeps dk (as the account's current key too, when current) unless
// its account was forgotten after epoch since, and reports whether it did.
func (k *Keyring) cache(dk *dataKey, since uint64, current bool) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.forgotAt[dk.account] > since {
		return false
	}
	k.byID[dk.id] = dk
	if current {
		k.current[dk.account] = dk
	}
	return true
}

// key returns the key with the given id, or storage.ErrErased.
func (k *Keyring) key(ctx context.Context, id string) (*dataKey, error) {
	return k.cached(ctx, func() *dataKey { return k.byID[id] }, func() (storage.DataKey, error) {
		return k.store.Key(ctx, id)
	}, false)
}

// Seal encrypts plaintext under the account's current key, bound to the
// record and field it belongs to, and returns the key's id with the
// ciphertext.
func (k *Keyring) Seal(ctx context.Context, account, recordID, field string, plaintext []byte) (keyID string, sealed []byte, err error) {
	dk, err := k.currentKey(ctx, account)
	if err != nil {
		return "", nil, err
	}
	sealed, err = sealGCM(dk.aead, plaintext, aad(recordID, field))
	return dk.id, sealed, err
}

// Open decrypts a field sealed under key keyID for the record and field
// given; storage.ErrErased if its key is gone.
func (k *Keyring) Open(ctx context.Context, keyID, recordID, field string, sealed []byte) ([]byte, error) {
	dk, err := k.key(ctx, keyID)
	if err != nil {
		return nil, err
	}
	return openGCM(dk.aead, sealed, aad(recordID, field))
}

func aad(recordID, field string) []byte { return []byte(recordID + "\x00" + field) }

// Destroy crypto-shreds every key of the account, here and in the store,
// and returns how many the store destroyed. From then on every copy of
// what was sealed under them is unreadable.
func (k *Keyring) Destroy(ctx context.Context, account string) (int, error) {
	k.Forget(account)
	n, err := k.store.DestroyKeys(ctx, account)
	k.Forget(account) // stops fetches that began before the store destroyed the keys
	return n, err
}

// Forget drops the account's keys from the cache, and keeps fetches under
// way from caching them again: another process destroyed them.
func (k *Keyring) Forget(account string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.epoch++
	k.forgotAt[account] = k.epoch
	delete(k.current, account)
	for id, dk := range k.byID {
		if dk.account == account {
			delete(k.byID, id)
		}
	}
}

// MinIndexKeyLen is the shortest key a BlindIndex takes.
const MinIndexKeyLen = 32

// BlindIndex is a keyed HMAC-SHA256 of a number, scoped to the account, so
// lookups by number never need the number stored, and equal numbers of
// different accounts do not link. It is safe for concurrent use.
type BlindIndex struct {
	key  []byte
	pool *sync.Pool // of keyed HMACs, reset between uses
}

// NewBlindIndex returns the index keyed with a copy of key, which must be
// at least MinIndexKeyLen bytes (an *advox.Error of CodeInvalidArgument
// otherwise).
func NewBlindIndex(key []byte) (BlindIndex, error) {
	if len(key) < MinIndexKeyLen {
		return BlindIndex{}, errs.New("new blind index", errs.CodeInvalidArgument, "index key must be at least %d bytes", MinIndexKeyLen)
	}
	key = append([]byte(nil), key...)
	return BlindIndex{key: key, pool: &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}, nil
}

// Of returns the index of number within account.
func (b BlindIndex) Of(account, number string) []byte {
	m := b.pool.Get().(hash.Hash)
	defer b.pool.Put(m)
	m.Reset()
	m.Write([]byte(account))
	m.Write([]byte{0})
	m.Write([]byte(number))
	return m.Sum(make([]byte, 0, sha256.Size))
}
