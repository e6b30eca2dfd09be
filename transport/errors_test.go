package transport_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/transport"
)

func TestSafeToRetry(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		safe bool
	}{
		{"nil", nil, false},
		{"not sent", fmt.Errorf("dial: %w", transport.ErrNotSent), true},
		{"throttled", &transport.RetryAfterError{Err: transport.ErrThrottled}, true},
		{"outcome unknown", transport.ErrOutcomeUnknown, false},
		{"rejected", transport.ErrRejected, false},
		{"closed", transport.ErrClosed, false},
		{"bare context error", context.DeadlineExceeded, false},
		{"unclassified", errors.New("boom"), false},
		{"partial, nothing accepted", &transport.PartialError{Err: transport.ErrNotSent}, true},
		{"partial, a part accepted", &transport.PartialError{Accepted: []string{"op-1"}, Err: transport.ErrNotSent}, false},
		// An adapter that joins classes: "may be out" wins, since a retry
		// could send the message twice.
		{"not sent and outcome unknown", errors.Join(transport.ErrNotSent, transport.ErrOutcomeUnknown), false},
		{"throttled and outcome unknown", errors.Join(transport.ErrThrottled, transport.ErrOutcomeUnknown), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.safe, transport.SafeToRetry(tc.err))
		})
	}
}
