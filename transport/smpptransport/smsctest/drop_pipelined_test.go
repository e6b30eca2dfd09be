package smsctest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// A connection the simulator drops handles nothing more, not even the
// PDUs that arrived in the same read as the one that dropped it: they were
// never received by an SMSC whose connection died.
func TestDropIgnoresPipelinedPDUs(t *testing.T) {
	s := newServer(t, &Options{Receipts: ReceiptsAlways})
	rx := dialRaw(t, s)
	rx.bind(pdu.BindReceiverID)
	c := dialRaw(t, s)
	c.bind(pdu.BindTransmitterID)
	s.InjectFault(Fault{Drop: true})
	var burst []byte
	for i := range 3 {
		burst = append(burst, frame(pdu.SubmitSMID, 0, uint32(10+i), submitBody(alpha, intl, 0, 1, 0, []byte("x")))...)
	}
	_, err := c.nc.Write(burst)
	require.NoError(t, err)
	require.True(t, c.closed())
	assert.Len(t, s.Submits(), 1, "the PDUs behind the dropping one died with the connection")
	assert.Empty(t, s.Messages())
	assert.Zero(t, s.Stats().Delivers, "no receipt for a submit the SMSC never took")
}
