package smpptransport

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport/smpptransport/smsctest"
	"github.com/fiorix/go-smpp/smpp"
	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
)

// TestGoSMPPTransceiverLosesCollidingReceipt shows that the simulator's
// CollidingDeliver fault reproduces go-smpp issue 87 against the pinned
// go-smpp Transceiver: the submit fails and the receipt never reaches the
// handler. TestCollidingDeliverSM runs the same fault against this package.
func TestGoSMPPTransceiverLosesCollidingReceipt(t *testing.T) {
	srv := newServer(t, &smsctest.Config{Receipts: smsctest.ReceiptsNever})
	var mu sync.Mutex
	var delivered int
	tc := &smpp.Transceiver{
		Addr: srv.Addr(), User: smsctest.DefaultSystemID, Passwd: smsctest.DefaultPassword,
		RespTimeout: time.Second,
		Handler: func(p pdu.Body) {
			if p.Header().ID == pdu.DeliverSMID {
				mu.Lock()
				delivered++
				mu.Unlock()
			}
		},
	}
	status := tc.Bind()
	require.Equal(t, smpp.Connected, (<-status).Status())
	defer tc.Close()

	srv.InjectFault(smsctest.Fault{CollidingDeliver: true})
	_, err := tc.Submit(&smpp.ShortMessage{
		Src: "Advox", Dst: "46701234567", Text: pdutext.Raw("hello"), Register: pdufield.FinalDeliveryReceipt,
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unexpected PDU ID")
	require.Eventually(t, func() bool { return srv.Stats().DeliverAcks == 1 }, 5*time.Second, time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	assert.Zero(t, delivered, "the receipt was taken for the submit's answer and lost")
	assert.Len(t, srv.Messages(), 1, "yet the SMSC accepted the message")
}
