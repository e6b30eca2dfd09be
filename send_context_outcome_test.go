package advox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// submitFunc is a transport whose Submit is a function: for outcomes the
// in-memory fake does not produce.
type submitFunc func(ctx context.Context, m *transport.Message) (transport.Result, error)

func (submitFunc) Name() string { return "func" }
func (submitFunc) Local() bool  { return true }
func (submitFunc) Close() error { return nil }
func (f submitFunc) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	return f(ctx, m)
}

// A deadline that ends a submit after the request left leaves the message
// possibly sent: Send must say so in a way a caller matching
// advox.ErrOutcomeUnknown sees, or a caller retrying on timeouts sends it
// twice. The error still matches the context error.
func TestSendDeadlineMidSubmitIsOutcomeUnknown(t *testing.T) {
	tests := []struct {
		name string
		text string
		fail func(ctx context.Context) error
	}{
		{"adapter says outcome unknown", "one part", func(ctx context.Context) error {
			return fmt.Errorf("stopped waiting for the response: %w: %w", transport.ErrOutcomeUnknown, ctx.Err())
		}},
		{"bare context error, read as outcome unknown", "one part", func(ctx context.Context) error { return ctx.Err() }},
		{"first part accepted, the rest timed out", strings.Repeat("p", 200), func(ctx context.Context) error {
			return &transport.PartialError{Accepted: []string{"op-1"},
				Err: fmt.Errorf("part 2: %w: %w", transport.ErrOutcomeUnknown, ctx.Err())}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := submitFunc(func(ctx context.Context, _ *transport.Message) (transport.Result, error) {
				<-ctx.Done() // the request left; no response came
				return transport.Result{}, tt.fail(ctx)
			})
			c, _ := newClient(t, tr, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			rcpt, err := c.Send(ctx, msg(tt.text))
			require.Error(t, err)
			require.NotEmpty(t, rcpt.ID, "the message is recorded")
			assert.ErrorIs(t, err, context.DeadlineExceeded, "still the caller's deadline")
			assert.ErrorIs(t, err, advox.ErrOutcomeUnknown, "must not be retried")
			assert.Equal(t, advox.CodeOutcomeUnknown, advox.CodeOf(err))
			assert.Equal(t, transport.StatusUnknown, rcpt.Status)
			r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			assert.Equal(t, transport.StatusUnknown, r.Status)
		})
	}
}

// A context that has already ended sends nothing, whatever the adapter
// does with it: no submit, no record of a message that never left.
func TestSendWithEndedContextSubmitsNothing(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"canceled", canceled, context.Canceled},
		{"deadline passed", expired, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			// A careless adapter: it answers an ended context with the bare
			// context error, which the Client must read as outcome unknown.
			tr := submitFunc(func(ctx context.Context, _ *transport.Message) (transport.Result, error) {
				calls++
				return transport.Result{}, ctx.Err()
			})
			c, st := newClient(t, tr, nil)
			rcpt, err := c.Send(tc.ctx, msg("never leaves"))
			require.ErrorIs(t, err, tc.want)
			var e *advox.Error
			assert.False(t, errors.As(err, &e), "a context error that sent nothing comes back as it is")
			assert.Zero(t, calls, "nothing is handed to the transport")
			assert.Empty(t, rcpt.ID)
			n := 0
			for _, err := range st.Query(context.Background(), storage.Query{Account: "acct-1"}) {
				require.NoError(t, err)
				n++
			}
			assert.Zero(t, n, "a message that never left is not traffic")
		})
	}
}
