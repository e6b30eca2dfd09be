package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// MaxLen is the largest command_length accepted. Longer frames break the
// connection; frames longer than pdu.MaxSize are read but not decoded.
const MaxLen = 64 << 10

// RespBit is set in the command_id of every response.
const RespBit pdu.ID = 0x80000000

// ErrUndecodable reports a whole frame that go-smpp could not decode. The
// stream is still in sync; the header is valid.
var ErrUndecodable = errors.New("smpp: undecodable PDU")

// ReadFrame reads one whole PDU frame, header included, without decoding
// its body. A nil header means the stream is broken and the connection
// must be closed.
func ReadFrame(r io.Reader) (*pdu.Header, []byte, error) {
	var hb [pdu.HeaderLen]byte
	if _, err := io.ReadFull(r, hb[:]); err != nil {
		return nil, nil, err
	}
	h := &pdu.Header{
		Len:    binary.BigEndian.Uint32(hb[0:4]),
		ID:     pdu.ID(binary.BigEndian.Uint32(hb[4:8])),
		Status: pdu.Status(binary.BigEndian.Uint32(hb[8:12])),
		Seq:    binary.BigEndian.Uint32(hb[12:16]),
	}
	if h.Len < pdu.HeaderLen || h.Len > MaxLen {
		return nil, nil, fmt.Errorf("smpp: bad command_length %d", h.Len)
	}
	frame := make([]byte, h.Len)
	copy(frame, hb[:])
	if _, err := io.ReadFull(r, frame[pdu.HeaderLen:]); err != nil {
		return nil, nil, err
	}
	return h, frame, nil
}

// Read reads and decodes one PDU. A nil header means the stream is broken
// and the connection must be closed. A header with ErrUndecodable means
// the frame was consumed whole but its body could not be decoded.
func Read(r io.Reader) (*pdu.Header, pdu.Body, error) {
	h, frame, err := ReadFrame(r)
	if h == nil {
		return nil, nil, err
	}
	b, err := Decode(frame)
	return h, b, err
}

// CString returns the C-octet string at the start of b (up to its NUL or
// the end of b).
func CString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// Decode decodes one whole frame with go-smpp's codec. Decoder panics on
// malformed input are turned into ErrUndecodable.
func Decode(frame []byte) (b pdu.Body, err error) {
	if len(frame) > pdu.MaxSize {
		return nil, ErrUndecodable
	}
	defer func() {
		if recover() != nil {
			b, err = nil, ErrUndecodable
		}
	}()
	b, err = pdu.Decode(bytes.NewReader(frame))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUndecodable, err)
	}
	return b, nil
}

// Encode serialises p.
func Encode(p pdu.Body) ([]byte, error) {
	var buf bytes.Buffer
	if err := p.SerializeTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
