package advox

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

func testKeyring(t *testing.T, st storage.KeyStore) *keyring {
	t.Helper()
	kek, err := NewStaticKEK(make([]byte, 32))
	require.NoError(t, err)
	return newKeyring(kek, st, time.Now)
}

// A read that fetched a key just before the account was erased must not
// leave the destroyed key in the cache: sealed copies (backups, replicas)
// must stay unreadable after the erase.
func TestKeyringDestroyDuringKeyFetchKeepsNothing(t *testing.T) {
	ctx := context.Background()
	st := newGatedKeyStore()
	kr := testKeyring(t, st)
	keyID, sealed, err := kr.seal(ctx, "acme", "m1", fieldRecipient, []byte("confidential"))
	require.NoError(t, err)
	kr.forget("acme") // a cold cache, as after a restart

	st.gateKey.Store(true)
	read := make(chan error, 1)
	go func() {
		_, err := kr.open(ctx, keyID, "m1", fieldRecipient, sealed)
		read <- err
	}()
	<-st.answered // the store has handed out the key; the erase runs now
	n, err := kr.destroy(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	close(st.release)
	assert.ErrorIs(t, <-read, storage.ErrErased, "the read overlapping the erase")

	_, err = kr.open(ctx, keyID, "m1", fieldRecipient, sealed)
	assert.ErrorIs(t, err, storage.ErrErased, "a read after the erase")
}

// A seal that obtained the account's key just before the erase must not
// make the destroyed key current again.
func TestKeyringDestroyDuringEnsureKeyKeepsNothing(t *testing.T) {
	ctx := context.Background()
	st := newGatedKeyStore()
	kr := testKeyring(t, st)
	oldID, _, err := kr.seal(ctx, "acme", "m1", fieldRecipient, []byte("confidential"))
	require.NoError(t, err)
	kr.forget("acme")

	st.gateEnsure.Store(true)
	sealed := make(chan string, 1)
	go func() {
		id, _, err := kr.seal(ctx, "acme", "m2", fieldRecipient, []byte("confidential"))
		assert.NoError(t, err)
		sealed <- id
	}()
	<-st.answered
	_, err = kr.destroy(ctx, "acme")
	require.NoError(t, err)
	close(st.release)
	<-sealed

	newID, _, err := kr.seal(ctx, "acme", "m3", fieldRecipient, []byte("confidential"))
	require.NoError(t, err)
	assert.NotEqual(t, oldID, newID, "new data sealed under the destroyed key")
	_, err = st.Key(ctx, newID)
	assert.NoError(t, err, "the current key exists in the store")
}
