package smpptransport

import (
	"bufio"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
)

// rawSMSC is one accepted connection of a hand-driven SMSC.
type rawSMSC struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

// acceptBound accepts the transport's connection and accepts its bind.
func acceptBound(t *testing.T, ln net.Listener) *rawSMSC {
	t.Helper()
	require.NoError(t, ln.(*net.TCPListener).SetDeadline(time.Now().Add(5*time.Second)))
	nc, err := ln.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { _ = nc.Close() })
	require.NoError(t, nc.SetDeadline(time.Now().Add(5*time.Second)))
	s := &rawSMSC{t: t, nc: nc, br: bufio.NewReader(nc)}
	h, _, err := wire.ReadFrame(s.br)
	require.NoError(t, err)
	require.Equal(t, pdu.BindTransceiverID, h.ID)
	s.write(h.ID|wire.RespBit, 0, h.Seq, []byte("fake\x00"))
	h, _, err = wire.ReadFrame(s.br) // the bind is confirmed with an enquire_link
	require.NoError(t, err)
	require.Equal(t, pdu.EnquireLinkID, h.ID)
	s.write(pdu.EnquireLinkRespID, 0, h.Seq, nil)
	return s
}

func (s *rawSMSC) write(id pdu.ID, status pdu.Status, seq uint32, body []byte) {
	b := make([]byte, 16, 16+len(body))
	binary.BigEndian.PutUint32(b[0:], uint32(16+len(body)))
	binary.BigEndian.PutUint32(b[4:], uint32(id))
	binary.BigEndian.PutUint32(b[8:], uint32(status))
	binary.BigEndian.PutUint32(b[12:], seq)
	_, err := s.nc.Write(append(b, body...))
	require.NoError(s.t, err)
}

// deliver sends a receipt for id as deliver_sm and returns the
// command_status of its deliver_sm_resp.
func (s *rawSMSC) deliver(seq uint32, id string) pdu.Status {
	f := deliverFrame(0x04, 0, []byte("id:"+id+" sub:001 dlvrd:001 submit date:2401021504 done date:2401021505 stat:DELIVRD err:000 text:x"), nil)
	binary.BigEndian.PutUint32(f[12:], seq)
	_, err := s.nc.Write(f)
	require.NoError(s.t, err)
	for {
		h, _, err := wire.ReadFrame(s.br)
		require.NoError(s.t, err)
		if h.ID == pdu.DeliverSMRespID {
			require.Equal(s.t, seq, h.Seq)
			return h.Status
		}
	}
}

// A receipt that arrives before a report handler is set must not be lost:
// it is answered with ESME_RX_T_APPN so that the SMSC keeps it and
// delivers it again; once a handler is set, receipts are acknowledged and
// handed on.
func TestReceiptBeforeHandlerIsDeferred(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	tr := newTransport(t, Config{
		Addr: ln.Addr().String(), SystemID: "advox", RespTimeout: 500 * time.Millisecond,
		Backoff: fastBackoff, Logger: quiet,
	})
	smsc := acceptBound(t, ln) // its Cleanup runs before Close: Close does not wait for unbind_resp

	assert.Equal(t, pdu.Status(StatusTempAppError), smsc.deliver(1, "1001"), "no handler yet: retry later")
	assert.Equal(t, int64(1), tr.Stats().Deferred)
	assert.Zero(t, tr.Stats().Reports)

	reports := collect(tr)
	assert.Equal(t, pdu.Status(0), smsc.deliver(2, "1001"), "the SMSC's retry is acknowledged")
	require.Eventually(t, func() bool { return reports.count("1001") == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, transport.StatusDelivered, reports.all()[0].Status)
	assert.Equal(t, int64(1), tr.Stats().Deferred)
	assert.Equal(t, int64(1), tr.Stats().Reports)
}
