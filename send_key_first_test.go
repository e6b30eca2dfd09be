package advox_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// A keyring that cannot give the account's data key (here a KEK other
// than the one its key was wrapped with, as after a misconfigured
// restart) refuses the message before it goes out: after the submit it
// could only be sent and never recorded.
func TestSendWithoutDataKeySendsNothing(t *testing.T) {
	ctx := context.Background()
	st := memstore.New(nil)
	client := func(tr *memtransport.Transport) *advox.Client {
		kek := make([]byte, 32)
		_, err := rand.Read(kek)
		require.NoError(t, err)
		k, err := keyring.NewStaticKEK(kek)
		require.NoError(t, err)
		c, err := advox.NewClient(tr, noClose{st}, &advox.Options{Region: "SE", KEK: k, IndexKey: indexKey})
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, c.Close()) })
		return c
	}
	first := client(memtransport.New(nil))
	_, err := first.Send(ctx, msg("seals the account's first key"))
	require.NoError(t, err)

	tr := memtransport.New(nil)
	second := client(tr) // another KEK: the stored key does not open
	rcpt, err := second.Send(ctx, msg("must not go out"))
	require.Error(t, err)
	assert.Empty(t, rcpt.ID, "no receipt: nothing was sent")
	assert.Empty(t, tr.Sent(), "the transport got nothing")
	assert.NotEqual(t, advox.CodeOutcomeUnknown, advox.CodeOf(err))
}

// noClose keeps a store shared by two Clients open when one closes.
type noClose struct{ *memstore.Store }

func (noClose) Close() error { return nil }
