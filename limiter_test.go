package advox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport/memtransport"
)

// A contract rate changed through Accounts applies to the next Send, not
// only after the process restarts.
func TestSendAppliesAChangedContractRate(t *testing.T) {
	slow := storage.ContractLimits{Rate: 0.5, Burst: 1}
	fast := storage.ContractLimits{Rate: 1000, Burst: 10}
	tests := []struct {
		name     string
		from, to storage.ContractLimits
		opts     advox.Options
		blocks   bool
	}{
		{name: "raised", from: slow, to: fast},
		{name: "lowered", from: fast, to: slow, blocks: true},
		{name: "dropped: the Client's default applies", from: fast, to: storage.ContractLimits{},
			opts: advox.Options{AccountLimit: advox.Limit{Rate: 0.5, Burst: 1}}, blocks: true},
		{name: "dropped: the account's option applies", from: slow, to: storage.ContractLimits{},
			opts: advox.Options{AccountLimits: map[string]advox.Limit{"acme": advox.Unlimited()}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accts := newAccounts(t, tt.from)
			opts := tt.opts
			opts.Accounts = accts
			c, _ := newClient(t, memtransport.New(nil), &opts)
			m := advox.Message{Account: "acme", From: "Advox", To: to, Text: "hi"}
			_, err := c.Send(ctxT(t), m)
			require.NoError(t, err)

			cust, err := accts.Get(ctxT(t), "acme")
			require.NoError(t, err)
			cust.Limits = tt.to
			_, err = accts.Update(ctxT(t), cust)
			require.NoError(t, err)

			// Two more sends: the second needs a second token under the
			// new limit even if the old burst left one.
			// A held send fails at once: its wait would outlast the deadline.
			timeout := 5 * time.Second
			if tt.blocks {
				timeout = 50 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			_, err = c.Send(ctx, m)
			if err == nil {
				_, err = c.Send(ctx, m)
			}
			if tt.blocks {
				assert.ErrorIs(t, err, context.DeadlineExceeded, "the lowered rate holds the next sends")
			} else {
				assert.NoError(t, err, "the raised rate lets the next sends through")
			}
		})
	}
}
