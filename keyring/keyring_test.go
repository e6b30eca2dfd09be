package keyring

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
)

// gatedKeyStore can hold one Key or EnsureKey call after the store has
// answered it, as a slow network round trip would. Like a database, it
// hands out copies of the wrapped keys.
type gatedKeyStore struct {
	storage.KeyStore
	gateKey, gateEnsure atomic.Bool
	answered, release   chan struct{}
}

func newGatedKeyStore() *gatedKeyStore {
	return &gatedKeyStore{KeyStore: memstore.New(nil), answered: make(chan struct{}), release: make(chan struct{})}
}

func (g *gatedKeyStore) hold(gate *atomic.Bool, k storage.DataKey) storage.DataKey {
	k.Wrapped = slices.Clone(k.Wrapped)
	if gate.CompareAndSwap(true, false) {
		g.answered <- struct{}{}
		<-g.release
	}
	return k
}

func (g *gatedKeyStore) Key(ctx context.Context, id string) (storage.DataKey, error) {
	k, err := g.KeyStore.Key(ctx, id)
	return g.hold(&g.gateKey, k), err
}

func (g *gatedKeyStore) EnsureKey(ctx context.Context, candidate storage.DataKey) (storage.DataKey, error) {
	k, err := g.KeyStore.EnsureKey(ctx, candidate)
	return g.hold(&g.gateEnsure, k), err
}

func testKeyring(t *testing.T, st storage.KeyStore) *Keyring {
	t.Helper()
	kek, err := NewStaticKEK(make([]byte, 32))
	require.NoError(t, err)
	return New(kek, st, time.Now)
}

// A read that fetched a key just before the account was erased must not
// leave the destroyed key in the cache: sealed copies (backups, replicas)
// must stay unreadable after the erase.
func TestKeyringDestroyDuringKeyFetchKeepsNothing(t *testing.T) {
	ctx := context.Background()
	st := newGatedKeyStore()
	kr := testKeyring(t, st)
	keyID, sealed, err := kr.Seal(ctx, "acme", "m1", "recipient", []byte("confidential"))
	require.NoError(t, err)
	kr.Forget("acme") // a cold cache, as after a restart

	st.gateKey.Store(true)
	read := make(chan error, 1)
	go func() {
		_, err := kr.Open(ctx, keyID, "m1", "recipient", sealed)
		read <- err
	}()
	<-st.answered // the store has handed out the key; the erase runs now
	n, err := kr.Destroy(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	close(st.release)
	assert.ErrorIs(t, <-read, storage.ErrErased, "the read overlapping the erase")

	_, err = kr.Open(ctx, keyID, "m1", "recipient", sealed)
	assert.ErrorIs(t, err, storage.ErrErased, "a read after the erase")
}

// A seal that obtained the account's key just before the erase must not
// make the destroyed key current again.
func TestKeyringDestroyDuringEnsureKeyKeepsNothing(t *testing.T) {
	ctx := context.Background()
	st := newGatedKeyStore()
	kr := testKeyring(t, st)
	oldID, _, err := kr.Seal(ctx, "acme", "m1", "recipient", []byte("confidential"))
	require.NoError(t, err)
	kr.Forget("acme")

	st.gateEnsure.Store(true)
	sealed := make(chan string, 1)
	go func() {
		id, _, err := kr.Seal(ctx, "acme", "m2", "recipient", []byte("confidential"))
		assert.NoError(t, err)
		sealed <- id
	}()
	<-st.answered
	_, err = kr.Destroy(ctx, "acme")
	require.NoError(t, err)
	close(st.release)
	<-sealed

	newID, _, err := kr.Seal(ctx, "acme", "m3", "recipient", []byte("confidential"))
	require.NoError(t, err)
	assert.NotEqual(t, oldID, newID, "new data sealed under the destroyed key")
	_, err = st.Key(ctx, newID)
	assert.NoError(t, err, "the current key exists in the store")
}

// BenchmarkSeal measures sealing one record's recipient (AES-256-GCM under
// the account's cached data key) plus its blind index (HMAC-SHA256): the
// per-record cost of encryption at rest. Target: ≤ 2 µs.
func BenchmarkSeal(b *testing.B) {
	kek, err := NewStaticKEK(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	kr := New(kek, memstore.New(nil), time.Now)
	idx, err := NewBlindIndex(make([]byte, MinIndexKeyLen))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := kr.Seal(ctx, "acme", "warm", "recipient", []byte("+46701234567")); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, _, err := kr.Seal(ctx, "acme", "01a21bc83aa377ccba471a6a1e99449a", "recipient", []byte("+46701234567")); err != nil {
			b.Fatal(err)
		}
		_ = idx.Of("acme", "+46701234567")
	}
}

func TestBlindIndex(t *testing.T) {
	_, err := NewBlindIndex(make([]byte, MinIndexKeyLen-1))
	require.Error(t, err, "a short key")
	key := make([]byte, MinIndexKeyLen)
	idx, err := NewBlindIndex(key)
	require.NoError(t, err)
	a := idx.Of("acme", "+46701234567")
	assert.Len(t, a, 32)
	assert.Equal(t, a, idx.Of("acme", "+46701234567"), "deterministic")
	assert.NotEqual(t, a, idx.Of("globex", "+46701234567"), "equal numbers of different accounts do not link")
	assert.NotEqual(t, a, idx.Of("acme", "+46701234568"))
	key[0] = 1
	assert.Equal(t, a, idx.Of("acme", "+46701234567"), "the index keeps its own copy of the key")
	other, err := NewBlindIndex(key)
	require.NoError(t, err)
	assert.NotEqual(t, a, other.Of("acme", "+46701234567"), "another key, another index")
}
