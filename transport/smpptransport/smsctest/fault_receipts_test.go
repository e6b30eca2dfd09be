package smsctest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// Faults that are about receipts send theirs whatever the receipt policy
// says (ReceiptsNever: "faults that need a receipt still send it"), and
// on top of the normal receipt when the policy sends one.
func TestReceiptFaultsAndPolicy(t *testing.T) {
	tests := []struct {
		name         string
		policy       ReceiptPolicy
		registered   byte
		fault        Fault
		wantDelivers int64
	}{
		{"duplicate, policy never", ReceiptsNever, 1, Fault{DuplicateReceipt: true}, 2},
		{"duplicate, not requested", ReceiptsWhenRequested, 0, Fault{DuplicateReceipt: true}, 2},
		{"duplicate, requested", ReceiptsWhenRequested, 1, Fault{DuplicateReceipt: true}, 2},
		{"first, policy never", ReceiptsNever, 1, Fault{ReceiptFirst: true}, 1},
		{"first, requested", ReceiptsWhenRequested, 1, Fault{ReceiptFirst: true}, 2},
		{"colliding, policy never", ReceiptsNever, 1, Fault{CollidingDeliver: true}, 1},
		{"colliding, requested", ReceiptsAlways, 0, Fault{CollidingDeliver: true}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, &Options{Receipts: tc.policy})
			c := dialRaw(t, s)
			c.bind(pdu.BindTransceiverID)
			s.InjectFault(tc.fault)
			c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, tc.registered, 0, []byte("x")))
			delivers, answered := int64(0), false
			for !answered || delivers < tc.wantDelivers {
				h, _ := c.read()
				switch h.ID {
				case pdu.DeliverSMID:
					delivers++
					c.sendSeq(pdu.DeliverSMRespID, 0, h.Seq, []byte{0})
				case pdu.SubmitSMRespID:
					answered = true
				}
			}
			require.Eventually(t, func() bool { return s.Stats().DeliverAcks == tc.wantDelivers }, time.Second, time.Millisecond)
			assert.Equal(t, tc.wantDelivers, s.Stats().Delivers)
		})
	}
}
