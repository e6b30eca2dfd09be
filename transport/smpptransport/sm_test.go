package smpptransport

import (
	"testing"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSMRefusesUnreadable(t *testing.T) {
	good := deliverFrame(0, 0, []byte("hello"), map[uint16][]byte{0x1401: {1}})[pdu.HeaderLen:]
	for n := range len(good) - 5 {
		_, err := parseSM(pdu.DeliverSMID, good[:n])
		require.Error(t, err, "cut at %d", n)
	}
	_, err := parseSM(pdu.DeliverSMID, good[:len(good)-2])
	assert.ErrorIs(t, err, errTLVStream, "a TLV cut short")
	assert.Equal(t, statusInvalidTLVs, answerOf(err))
	_, err = parseSM(pdu.DeliverSMID, good[:10])
	assert.ErrorIs(t, err, errTruncated)
	assert.Equal(t, statusInvalidCmdLen, answerOf(err))
}
