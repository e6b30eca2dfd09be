package smsctest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// MaxRate is a rate per second, not a minimum gap between two submits: a
// client within the rate is not throttled for sending a few submits
// together (a window), only for going above MaxRate in a second.
func TestMaxRateIsPerSecond(t *testing.T) {
	tests := []struct {
		name          string
		rate          float64
		burst         int
		wantThrottled int
	}{
		{"within the rate", 10, 5, 0},
		{"a second's worth", 10, 10, 0},
		{"above the rate", 10, 25, 15},
		{"below one per second", 0.001, 3, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, &Options{MaxRate: tc.rate, Receipts: ReceiptsNever})
			c := dialRaw(t, s)
			c.bind(pdu.BindTransmitterID)
			var burst []byte
			for i := range tc.burst {
				burst = append(burst, frame(pdu.SubmitSMID, 0, uint32(10+i), submitBody(alpha, intl, 0, 0, 0, []byte("x")))...)
			}
			_, err := c.nc.Write(burst)
			require.NoError(t, err)
			throttled := 0
			for range tc.burst {
				h, _ := c.read()
				require.Equal(t, pdu.SubmitSMRespID, h.ID)
				if CommandStatus(h.Status) == StatusThrottled {
					throttled++
				}
			}
			// The bucket refills while the burst is handled: allow one.
			assert.InDelta(t, tc.wantThrottled, throttled, 1)
		})
	}
}
