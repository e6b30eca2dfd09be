package advox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/transport/memtransport"
)

// The Client keeps the per-account limits it was given: a caller changing
// its own map afterwards neither races with Send (a concurrent map write
// is fatal) nor slips in a limit NewClient would have refused.
func TestClientKeepsItsOwnAccountLimits(t *testing.T) {
	opts := &advox.Options{AccountLimits: map[string]advox.Limit{"other": {Rate: 1000, Burst: 10}}}
	c, _ := newClient(t, memtransport.New(nil), opts)
	opts.AccountLimits["acct-1"] = advox.Limit{Rate: -1, Burst: 1}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := range 3 {
		_, err := c.Send(ctx, msg("not held"))
		require.NoError(t, err, "send %d", i+1)
	}
	assert.Len(t, opts.AccountLimits, 2, "the caller's map is left alone")
}
