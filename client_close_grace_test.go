package advox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
)

// A submit that waits with no deadline of its own (an SMPP transport
// waiting out an outage for a rebind, a caller's context.Background())
// must not hold Close for ever: after Options.CloseGrace, Close cancels
// it, and the message ends as the transport then says — not sent, or
// recorded as of unknown outcome when its request was out.
func TestCloseCancelsSubmitsAfterTheGrace(t *testing.T) {
	tests := []struct {
		name     string
		answer   error // what the transport says once its ctx ends
		code     advox.Code
		recorded bool
	}{
		{"waiting before the write", transport.ErrNotSent, advox.CodeClosed, false},
		{"request out", transport.ErrOutcomeUnknown, advox.CodeOutcomeUnknown, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entered := make(chan struct{})
			tr := submitFunc(func(ctx context.Context, _ *transport.Message) (transport.Result, error) {
				close(entered)
				<-ctx.Done()
				return transport.Result{}, fmt.Errorf("waited: %w: %w", tc.answer, ctx.Err())
			})
			st := memstore.New(nil)
			c, err := advox.NewClient(tr, noClose{st}, &advox.Options{Region: "SE", CloseGrace: 50 * time.Millisecond})
			require.NoError(t, err)
			type result struct {
				rcpt advox.Receipt
				err  error
			}
			done := make(chan result, 1)
			go func() {
				rcpt, err := c.Send(context.Background(), msg("during an outage"))
				done <- result{rcpt, err}
			}()
			<-entered

			start := time.Now()
			closed := make(chan error, 1)
			go func() { closed <- c.Close() }()
			select {
			case err := <-closed:
				assert.NoError(t, err)
			case <-time.After(10 * time.Second):
				t.Fatal("Close is still waiting for the submit")
			}
			assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "the submit had its grace")
			r := <-done
			assert.Equal(t, tc.code, advox.CodeOf(r.err), "%v", r.err)
			if tc.recorded {
				require.NotEmpty(t, r.rcpt.ID)
				rec, err := st.Get(context.Background(), r.rcpt.ID)
				require.NoError(t, err)
				assert.Equal(t, transport.StatusUnknown, rec.Status)
			} else {
				assert.Empty(t, r.rcpt.ID)
				n := 0
				for _, err := range st.Query(context.Background(), storage.Query{Account: msg("").Account}) {
					require.NoError(t, err)
					n++
				}
				assert.Zero(t, n, "nothing recorded")
			}
			require.NoError(t, st.Close())
		})
	}
}

// A submit that finishes within the grace is not cut short.
func TestCloseLetsSubmitsFinishWithinTheGrace(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	tr := submitFunc(func(ctx context.Context, _ *transport.Message) (transport.Result, error) {
		close(entered)
		select {
		case <-release:
			return transport.Result{OperatorIDs: []string{"op-1"}}, nil
		case <-ctx.Done():
			return transport.Result{}, fmt.Errorf("%w: %w", transport.ErrOutcomeUnknown, ctx.Err())
		}
	})
	c, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{Region: "SE", CloseGrace: time.Minute})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := c.Send(context.Background(), msg("finishes"))
		done <- err
	}()
	<-entered
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	time.Sleep(20 * time.Millisecond)
	close(release)
	assert.NoError(t, <-done)
	assert.NoError(t, <-closed)
}

func TestNewClientRefusesNegativeCloseGrace(t *testing.T) {
	_, err := advox.NewClient(submitFunc(nil), memstore.New(nil), &advox.Options{CloseGrace: -time.Second})
	assert.Equal(t, advox.CodeInvalidArgument, advox.CodeOf(err))
}
