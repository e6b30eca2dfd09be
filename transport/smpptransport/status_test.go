package smpptransport

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

func TestStatusClassification(t *testing.T) {
	tests := []struct {
		status CommandStatus
		want   error
		name   string
		hint   bool
	}{
		{0x58, transport.ErrThrottled, "ESME_RTHROTTLED", true},
		{0x14, transport.ErrThrottled, "ESME_RMSGQFUL", true},
		{0x08, transport.ErrNotSent, "ESME_RSYSERR", false},
		{0x64, transport.ErrNotSent, "ESME_RX_T_APPN", false},
		{0x0B, transport.ErrRejected, "ESME_RINVDSTADR", false},
		{0x45, transport.ErrRejected, "ESME_RSUBMITFAIL", false},
		{0x65, transport.ErrRejected, "ESME_RX_P_APPN", false},
		{0x0401, transport.ErrRejected, "vendor-specific 0x00000401", false},
	}
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.InjectFault(smsctest.Fault{Status: smsctest.CommandStatus(tc.status)})
			m := msg()
			_, err := tr.Submit(ctxT(t, 5*time.Second), m)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			for _, other := range []error{transport.ErrThrottled, transport.ErrNotSent, transport.ErrRejected, transport.ErrOutcomeUnknown} {
				if other != tc.want {
					assert.NotErrorIs(t, err, other, "exactly one classification")
				}
			}
			var se *StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.status, se.Status)
			assert.Contains(t, err.Error(), tc.name, "the error names the status")
			assert.NotContains(t, err.Error(), strings.TrimPrefix(m.To, "+"))
			_, hint := transport.RetryAfter(err)
			assert.Equal(t, tc.hint, hint)
		})
	}
}
