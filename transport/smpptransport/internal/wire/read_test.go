package wire

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

func TestReadKeepsStreamInSync(t *testing.T) {
	var in bytes.Buffer
	in.Write(frame(pdu.EnquireLinkID, 1, nil))
	in.Write(frame(pdu.DataSMID, 2, []byte("whatever go-smpp cannot decode")))
	in.Write(frame(pdu.ID(0x0000FFFF), 3, []byte{1, 2, 3}))
	in.Write(frame(pdu.SubmitSMRespID, 4, []byte("42\x00")))
	in.Write([]byte{0, 0, 0, 4}) // command_length below the header size

	h, p, err := Read(&in)
	require.NoError(t, err)
	assert.Equal(t, pdu.EnquireLinkID, p.Header().ID)
	assert.Equal(t, uint32(1), h.Seq)
	for _, seq := range []uint32{2, 3} {
		h, p, err = Read(&in)
		assert.ErrorIs(t, err, ErrUndecodable)
		assert.Nil(t, p)
		require.NotNil(t, h, "an undecodable frame is consumed whole")
		assert.Equal(t, seq, h.Seq)
	}
	h, p, err = Read(&in)
	require.NoError(t, err)
	assert.Equal(t, uint32(4), h.Seq)
	assert.Equal(t, "42", p.Fields()["message_id"].String())
	h, _, err = Read(&in)
	assert.Nil(t, h, "a bad length breaks the stream")
	assert.Error(t, err)
}

func TestReadOversized(t *testing.T) {
	big := frame(pdu.DeliverSMID, 9, make([]byte, pdu.MaxSize))
	h, _, err := Read(bytes.NewReader(big))
	assert.ErrorIs(t, err, ErrUndecodable)
	require.NotNil(t, h)
	assert.Equal(t, uint32(9), h.Seq)

	var huge [16]byte
	binary.BigEndian.PutUint32(huge[:], MaxLen+1)
	h, _, err = Read(bytes.NewReader(huge[:]))
	assert.Nil(t, h)
	assert.Error(t, err)
}

// FuzzRead checks that arbitrary bytes never panic the framer or the
// go-smpp decoder behind it, and that a frame is consumed exactly.
func FuzzRead(f *testing.F) {
	f.Add(frame(pdu.DeliverSMID, 1, []byte("\x00\x01\x0146\x00\x05\x00A\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x03abc")))
	f.Add(frame(pdu.SubmitSMRespID, 2, []byte("id\x00")))
	f.Add(frame(pdu.BindTransceiverID, 3, []byte("sys\x00pw\x00\x00\x34\x00\x00\x00")))
	f.Add(frame(pdu.DeliverSMID, 4, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 5, 4, 0, 3, 1}))
	f.Add([]byte{0, 0, 0, 16})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		h, _, _ := Read(r)
		if h != nil {
			assert.Equal(t, int64(h.Len), int64(len(b))-int64(r.Len()))
		}
		_, _ = Decode(b)
		_, _ = io.Copy(io.Discard, r)
	})
}
