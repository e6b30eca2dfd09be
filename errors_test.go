package advox

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

type adapterErr struct{ code int }

func (e *adapterErr) Error() string { return fmt.Sprintf("adapter code %d", e.code) }

func TestErrorUnwrapYieldsCauseAndSentinel(t *testing.T) {
	cause := fmt.Errorf("smpp: %w: %w", &adapterErr{0x58}, transport.ErrThrottled)
	err := wrap("send", cause)
	assert.ErrorIs(t, err, ErrThrottled)
	assert.ErrorIs(t, err, transport.ErrThrottled)
	var ae *adapterErr
	assert.ErrorAs(t, err, &ae)
	assert.Equal(t, 0x58, ae.code)
	assert.Equal(t, CodeThrottled, CodeOf(err))
	assert.NotErrorIs(t, err, ErrRejected)
	assert.Equal(t, "advox: send: throttled: smpp: adapter code 88: transport: throttled", err.Error())
}

func TestWrapOnceAndContextUntouched(t *testing.T) {
	first := wrap("send", transport.ErrRejected)
	assert.Same(t, first, wrap("other", first), "wrapped exactly once")
	assert.Equal(t, context.Canceled, wrap("send", context.Canceled))
	joined := fmt.Errorf("x: %w", context.DeadlineExceeded)
	assert.Equal(t, joined, wrap("send", joined))
	assert.Nil(t, wrap("send", nil))
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want Code
	}{
		{transport.ErrNotSent, CodeUnavailable},
		{transport.ErrThrottled, CodeThrottled},
		{transport.ErrOutcomeUnknown, CodeOutcomeUnknown},
		{transport.ErrRejected, CodeRejected},
		{transport.ErrClosed, CodeClosed},
		{storage.ErrClosed, CodeClosed},
		{storage.ErrNotFound, CodeNotFound},
		{storage.ErrUnavailable, CodeUnavailable},
		{storage.ErrExists, CodeInvalidArgument},
		{storage.ErrInvalid, CodeInvalidArgument},
		{errors.New("mystery"), CodeUnknown},
		{ErrErased, CodeErased},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, CodeOf(fmt.Errorf("wrapped: %w", tt.err)), "%v", tt.err)
	}
}

func TestCodeStrings(t *testing.T) {
	for c := CodeUnknown; c <= CodeClosed; c++ {
		assert.NotContains(t, c.String(), "Code(", "code %d has a name", int(c))
		assert.ErrorIs(t, &Error{Op: "x", Code: c}, errs.Sentinel(c))
	}
	assert.Equal(t, "Code(99)", Code(99).String())
}
