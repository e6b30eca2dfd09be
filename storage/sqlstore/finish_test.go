package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// commitCutter is a connection to PostgreSQL that, once armed, cancels a
// context when the server's answer to a write arrives (its command tag,
// "COMMIT" for a transaction) and then, if the driver reacts by setting a
// deadline (pgx does, for the context it watches), fails the read as that
// deadline would: the answer is lost although the server committed. It
// makes the race of a context that ends while a commit's answer is on its
// way happen every time.
type commitCutter struct {
	net.Conn
	tag      []byte // the command tag that ends the write, NUL-terminated
	armed    *atomic.Pointer[context.CancelFunc]
	deadline chan struct{} // a deadline was set
}

// cutterStore opens a store on a fresh schema whose connections are
// commitCutters for tag; arming it with a cancel function cuts the next
// answer so tagged.
func cutterStore(t *testing.T, tag string) (*Store, *atomic.Pointer[context.CancelFunc]) {
	t.Helper()
	cfg := pgSchema(t)
	armed := new(atomic.Pointer[context.CancelFunc])
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &commitCutter{Conn: c, tag: []byte(tag + "\x00"), armed: armed, deadline: make(chan struct{}, 1)}, nil
	}
	s, err := NewPostgres(context.Background(), pgPool(t, cfg), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, armed
}

func (c *commitCutter) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && bytes.Contains(b[:n], c.tag) {
		if cancel := c.armed.Swap(nil); cancel != nil {
			(*cancel)()
			select {
			case <-c.deadline:
				return 0, os.ErrDeadlineExceeded
			case <-time.After(200 * time.Millisecond): // nobody watches that context
			}
		}
	}
	return n, err
}

func (c *commitCutter) SetDeadline(t time.Time) error {
	if !t.IsZero() {
		select {
		case c.deadline <- struct{}{}:
		default:
		}
	}
	return c.Conn.SetDeadline(t)
}

// TestAccountWritesCanceledAtCommit: on PostgreSQL, an account write whose
// context ends while the answer to its COMMIT is on its way reports the
// commit's outcome. It used to report context.Canceled for a write the
// server had committed: a reservation then stayed counted that the caller
// would neither use nor release (quota leaked), an account existed that
// its creator believed was not stored.
func TestAccountWritesCanceledAtCommit(t *testing.T) {
	period := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		setup   bool // create acct-w first
		call    func(ctx context.Context, a *Accounts) error
		written func(t *testing.T, ctx context.Context, a *Accounts) bool
	}{
		{"create", false, func(ctx context.Context, a *Accounts) error {
			return a.CreateAccount(ctx, testCustomer("acct-w", "user-w"))
		}, func(t *testing.T, ctx context.Context, a *Accounts) bool {
			_, err := a.GetAccount(ctx, "acct-w")
			return err == nil
		}},
		{"update", true, func(ctx context.Context, a *Accounts) error {
			_, err := a.UpdateAccount(ctx, "acct-w", func(c *storage.Customer) error {
				c.Organisation = "Changed AB"
				return nil
			})
			return err
		}, func(t *testing.T, ctx context.Context, a *Accounts) bool {
			c, err := a.GetAccount(ctx, "acct-w")
			require.NoError(t, err)
			return c.Organisation == "Changed AB"
		}},
		{"password", true, func(ctx context.Context, a *Accounts) error {
			_, err := a.UpdateAccount(ctx, "acct-w", func(c *storage.Customer) error {
				c.Users[0].PasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3"
				return nil
			})
			return err
		}, func(t *testing.T, ctx context.Context, a *Accounts) bool {
			c, err := a.GetAccount(ctx, "acct-w")
			require.NoError(t, err)
			return c.Users[0].PasswordHash == "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3"
		}},
		{"delete", true, func(ctx context.Context, a *Accounts) error {
			return a.DeleteAccount(ctx, "acct-w")
		}, func(t *testing.T, ctx context.Context, a *Accounts) bool {
			_, err := a.GetAccount(ctx, "acct-w")
			return errors.Is(err, storage.ErrNotFound)
		}},
		{"reserve", true, func(ctx context.Context, a *Accounts) error {
			_, _, err := a.ReserveSegments(ctx, "acct-w", period, 3, 0)
			return err
		}, func(t *testing.T, ctx context.Context, a *Accounts) bool {
			used, _, err := a.ReserveSegments(ctx, "acct-w", period, 0, 0)
			require.NoError(t, err)
			return used == 3
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, armed := cutterStore(t, "COMMIT")
			a := s.Accounts()
			ctx := testCtx(t)
			if tt.setup {
				require.NoError(t, a.CreateAccount(ctx, testCustomer("acct-w", "user-w")))
			}

			callCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			armed.Store(&cancel)
			err := tt.call(callCtx, a)
			require.Nil(t, armed.Load(), "the write committed")
			require.Error(t, callCtx.Err(), "and its context ended meanwhile")
			if assert.NoError(t, err, "the commit's outcome, not the context's") {
				assert.True(t, tt.written(t, ctx, a), "written")
			}
		})
	}
}

// TestDestroyKeysCanceledAtCommit: on PostgreSQL, a DestroyKeys whose
// context ends while the answer to its DELETE is on its way reports the
// key destroyed. It used to report context.Canceled for a key that was
// gone.
func TestDestroyKeysCanceledAtCommit(t *testing.T) {
	s, armed := cutterStore(t, "DELETE 1")
	ctx := testCtx(t)
	_, err := s.EnsureKey(ctx, storage.DataKey{ID: "k", Account: "acct", Wrapped: []byte("w"), CreatedAt: t0})
	require.NoError(t, err)

	callCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	armed.Store(&cancel)
	n, err := s.DestroyKeys(callCtx, "acct")
	require.Nil(t, armed.Load(), "the key was deleted")
	require.Error(t, callCtx.Err(), "and the context ended meanwhile")
	assert.NoError(t, err, "the delete's outcome, not the context's")
	assert.Equal(t, 1, n)
	_, err = s.Key(ctx, "k")
	assert.ErrorIs(t, err, storage.ErrErased)
}
