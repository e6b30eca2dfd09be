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
	"github.com/azenna/advox/transport"
)

// A transport closed while a request was out may say both "closed" and
// "outcome unknown": the message may be out, so it is recorded (as
// unknown) and its quota kept, never treated as not sent.
func TestSendClosedWithUnknownOutcomeIsRecorded(t *testing.T) {
	accts := newAccounts(t, storage.ContractLimits{MonthlySegments: 10})
	tr := submitFunc(func(context.Context, *transport.Message) (transport.Result, error) {
		return transport.Result{}, fmt.Errorf("closed while awaiting the response: %w: %w",
			transport.ErrOutcomeUnknown, transport.ErrClosed)
	})
	c, _ := newClient(t, tr, &advox.Options{Accounts: accts})
	rcpt, err := c.Send(context.Background(), advox.Message{Account: "acme", From: "Advox", To: to, Text: "maybe out"})
	require.Error(t, err)
	assert.Equal(t, advox.CodeOutcomeUnknown, advox.CodeOf(err))
	require.NotEmpty(t, rcpt.ID, "the message is recorded")
	r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, transport.StatusUnknown, r.Status)
	used, err := accts.SegmentsUsed(context.Background(), "acme", time.Now())
	require.NoError(t, err)
	assert.Equal(t, 1, used, "a message that may be out keeps its segment")
}
