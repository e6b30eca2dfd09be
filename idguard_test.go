package advox_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport/memtransport"
)

// An account id is an account field: a personal identity number in it is
// refused with ErrPersonalNumber wherever an account id is taken, before
// anything is sent, recorded or logged.
func TestAccountIDRefusesPersonalNumber(t *testing.T) {
	for _, id := range []string{"811218-9876", "198112189876", "kund-811218-9876", "19701063-2391"} {
		err := advox.ValidateAccountID(id)
		require.ErrorIs(t, err, advox.ErrPersonalNumber, "%q", id)
		assert.NotContains(t, err.Error(), id[len(id)-4:], "the number is never echoed")
	}
	for _, id := range []string{"acme", "acct-1", "556016-0680", "kund-4711"} {
		assert.NoError(t, advox.ValidateAccountID(id), "%q", id)
	}

	var logs bytes.Buffer
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	m := msg("hej")
	m.Account = "811218-9876"
	_, err := c.Send(context.Background(), m)
	require.ErrorIs(t, err, advox.ErrPersonalNumber)
	assert.Empty(t, tr.Sent(), "nothing is sent")
	_, err = c.EraseAccountTraffic(context.Background(), "811218-9876", advox.EraseOnRequest)
	require.ErrorIs(t, err, advox.ErrPersonalNumber)
	assert.NotContains(t, logs.String(), "9876")

	_, err = newAccounts(t, storage.ContractLimits{}).Create(ctxT(t), customer("811218-9876"))
	assert.ErrorIs(t, err, advox.ErrPersonalNumber, "nor is it an account of customer data")
}
