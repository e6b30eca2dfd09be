package advox_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// Adapters with and without the optional Pinger, and ones whose Ping
// fails with err, for TestClientPing.
type (
	downTransport struct {
		*memtransport.Transport
		err error
	}
	// plainTransport hides memtransport's Ping: a third-party transport
	// written before Pinger.
	plainTransport struct{ transport.Transport }
	downStore      struct {
		*memstore.Store
		err error
	}
	// plainStore hides memstore's Ping.
	plainStore struct {
		storage.TrafficStore
		storage.KeyStore
	}
	downKeys struct {
		storage.KeyStore
		err error
	}
)

func (plainTransport) Local() bool                 { return true }
func (d downTransport) Ping(context.Context) error { return d.err }
func (d downStore) Ping(context.Context) error     { return d.err }
func (d downKeys) Ping(context.Context) error      { return d.err }

func TestClientPing(t *testing.T) {
	down := errors.New("connection refused")
	newStore := func() *memstore.Store { return memstore.New(nil) }
	tests := []struct {
		name  string
		tr    transport.Transport
		store storage.TrafficStore
		keys  storage.KeyStore
		code  advox.Code // CodeUnknown: Ping succeeds
		says  string
	}{
		{"both answer", memtransport.New(nil), newStore(), nil, advox.CodeUnknown, ""},
		{"adapters without Ping are taken to be up", plainTransport{memtransport.New(nil)}, func() storage.TrafficStore {
			s := newStore()
			return plainStore{s, s}
		}(), nil, advox.CodeUnknown, ""},
		{"transport does not answer", downTransport{memtransport.New(nil), transport.ErrNotSent}, newStore(), nil,
			advox.CodeUnavailable, "transport mem:"},
		{"transport fails its own way", downTransport{memtransport.New(nil), down}, newStore(), nil,
			advox.CodeUnavailable, "connection refused"},
		{"store does not answer", memtransport.New(nil), downStore{newStore(), storage.ErrUnavailable}, nil,
			advox.CodeUnavailable, "store"},
		{"key store apart does not answer", memtransport.New(nil), newStore(), downKeys{newStore(), down},
			advox.CodeUnavailable, "key store"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := advox.NewClient(tc.tr, tc.store, &advox.Options{Keys: tc.keys})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			err = c.Ping(ctxT(t))
			if tc.code == advox.CodeUnknown {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tc.code, advox.CodeOf(err))
			assert.ErrorIs(t, err, advox.ErrUnavailable)
			assert.Contains(t, err.Error(), tc.says)
		})
	}
}

func TestClientPingClosedAndCanceled(t *testing.T) {
	c, _ := newClient(t, memtransport.New(nil), nil)
	ctx, cancel := context.WithCancel(ctxT(t))
	cancel()
	assert.Equal(t, context.Canceled, c.Ping(ctx), "ctx's error as it is")
	require.NoError(t, c.Close())
	assert.ErrorIs(t, c.Ping(ctxT(t)), advox.ErrClosed)
}

// Ping backs a readiness check: nil while the transport and the store
// answer, an error naming the part that does not (ErrUnavailable, or
// ErrClosed for a part that was closed).
func ExampleClient_Ping() {
	tr := memtransport.New(nil)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	fmt.Println("ready:", client.Ping(ctx) == nil)

	if err := tr.Close(); err != nil { // the transport goes away
		log.Fatal(err)
	}
	err = client.Ping(ctx)
	fmt.Println("ready:", err == nil, advox.CodeOf(err))
	// Output:
	// ready: true
	// ready: false closed
}
