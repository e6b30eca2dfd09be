package advox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// recordFailingStore loses every record: the disk is gone.
type recordFailingStore struct{ *memstore.Store }

func (recordFailingStore) Record(context.Context, ...storage.Record) error {
	return fmt.Errorf("disk gone: %w", storage.ErrUnavailable)
}

// A message handed to the operator whose record could not be written must
// not come back with a code that says nothing was sent (Unavailable,
// Throttled): a caller retrying on those sends it again.
func TestSendUnrecordedMessageNeverSaysNothingWasSent(t *testing.T) {
	tests := []struct {
		name  string
		fault memtransport.Fault // for memtransport
		tr    transport.Transport
		text  string
		code  advox.Code
	}{
		{name: "accepted", tr: memtransport.New(nil), code: advox.CodeOutcomeUnknown},
		{name: "outcome unknown", fault: memtransport.OutcomeUnknown, code: advox.CodeOutcomeUnknown},
		// The rest is not resumed (not Resumable): the message went out incomplete.
		{name: "first part accepted, rest throttled", text: strings.Repeat("p", 300), code: advox.CodeIncomplete,
			tr: &partialTransport{Transport: memtransport.New(nil), fail: fmt.Errorf("slow down: %w", transport.ErrThrottled)}},
		{name: "first part accepted, rest not sent", text: strings.Repeat("p", 300), code: advox.CodeIncomplete,
			tr: &partialTransport{Transport: memtransport.New(nil), fail: transport.ErrNotSent}},
		{name: "rejected whole: nothing is out", fault: memtransport.Reject, code: advox.CodeRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := tt.tr
			if tr == nil {
				mt := memtransport.New(nil)
				mt.Inject(tt.fault)
				tr = mt
			}
			c, err := advox.NewClient(tr, recordFailingStore{memstore.New(nil)}, &advox.Options{Backoff: fastBackoff})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			text := tt.text
			if text == "" {
				text = "handed over"
			}
			rcpt, err := c.Send(context.Background(), msg(text))
			require.Error(t, err)
			assert.NotEmpty(t, rcpt.ID, "the receipt tells the message was handed over")
			assert.Equal(t, tt.code, advox.CodeOf(err), "%v", err)
			assert.NotErrorIs(t, err, advox.ErrUnavailable)
			assert.NotErrorIs(t, err, advox.ErrThrottled)
			assert.ErrorIs(t, err, storage.ErrUnavailable, "the store's failure stays reachable")
		})
	}
}
