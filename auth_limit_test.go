package advox_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
)

// gatedUsers holds every FindUser call until release is closed, counting
// the calls: each one is a password guess that gets verified.
type gatedUsers struct {
	storage.AccountStore
	gated   atomic.Bool
	calls   atomic.Int32
	release chan struct{}
}

func (g *gatedUsers) FindUser(ctx context.Context, userID string) (storage.Customer, error) {
	if g.gated.Load() {
		g.calls.Add(1)
		select {
		case <-g.release:
		case <-ctx.Done():
			return storage.Customer{}, ctx.Err()
		}
	}
	return g.AccountStore.FindUser(ctx, userID)
}

func gatedAccounts(t *testing.T, limit advox.AuthLimit) (*advox.Accounts, *gatedUsers) {
	t.Helper()
	st := &gatedUsers{AccountStore: memstore.NewAccounts(), release: make(chan struct{})}
	p := cheapPasswords
	acc, err := advox.NewCheapAccounts(st, &advox.AccountsOptions{Now: newFakeClock(acctEpoch).Now, Password: &p, AuthLimit: limit})
	require.NoError(t, err)
	_, err = acc.Create(ctxT(t), demoCustomer("acme"))
	require.NoError(t, err)
	require.NoError(t, acc.SetPassword(ctxT(t), "acme-api", goodPassword))
	return acc, st
}

// Guesses made at the same time count against the limit like guesses made
// one after the other: an attacker cannot get more than Failures passwords
// verified by sending them concurrently.
func TestAuthenticateLimitHoldsForConcurrentGuesses(t *testing.T) {
	const failures, guesses = 2, 12
	acc, st := gatedAccounts(t, advox.AuthLimit{Failures: failures, Every: time.Hour})
	st.gated.Store(true)
	var wg sync.WaitGroup
	for range guesses {
		wg.Go(func() {
			_, err := acc.Authenticate(ctxT(t), "acme-api", "wrong guess", "192.0.2.10:1")
			assert.True(t, err == advox.ErrAuthFailed || errors.Is(err, advox.ErrThrottled), "%v", err)
		})
	}
	// Let the guesses pile up in the store (or be held back by the limit).
	deadline := time.Now().Add(200 * time.Millisecond)
	for st.calls.Load() < guesses && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(st.release)
	wg.Wait()
	assert.LessOrEqual(t, int(st.calls.Load()), failures, "passwords verified past the limit")

	_, err := acc.Authenticate(ctxT(t), "acme-api", goodPassword, "192.0.2.10:1")
	assert.ErrorIs(t, err, advox.ErrThrottled, "the user is limited")
}

// Holding concurrent attempts to the limit never refuses logins that
// succeed: more concurrent right passwords than Failures all get in.
func TestAuthenticateConcurrentSuccessesBeyondTheLimit(t *testing.T) {
	acc, _ := gatedAccounts(t, advox.AuthLimit{Failures: 2, Every: time.Hour})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := acc.Authenticate(ctxT(t), "acme-api", goodPassword, "192.0.2.10:1")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
}

// An attempt held back by concurrent ones ends with its context.
func TestAuthenticateHeldAttemptHonoursContext(t *testing.T) {
	acc, st := gatedAccounts(t, advox.AuthLimit{Failures: 1, Every: time.Hour})
	st.gated.Store(true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = acc.Authenticate(ctxT(t), "acme-api", "wrong guess", "192.0.2.10:1")
	}()
	require.Eventually(t, func() bool { return st.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithCancel(ctxT(t))
	cancel()
	_, err := acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.10:1")
	assert.ErrorIs(t, err, context.Canceled)
	close(st.release)
	<-done
}
