package smsctest

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox/transport/smpptransport/internal/wire"
)

// rawClient speaks SMPP frame by frame, to test the simulator without any
// client library in the way.
type rawClient struct {
	t   *testing.T
	nc  net.Conn
	seq uint32
}

func dialRaw(t *testing.T, s *Server) *rawClient {
	nc, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { _ = nc.Close() })
	return &rawClient{t: t, nc: nc}
}

func (c *rawClient) send(id pdu.ID, body []byte) uint32 {
	c.seq++
	c.sendSeq(id, 0, c.seq, body)
	return c.seq
}

func (c *rawClient) sendSeq(id pdu.ID, status CommandStatus, seq uint32, body []byte) {
	_, err := c.nc.Write(frame(id, status, seq, body))
	require.NoError(c.t, err)
}

// read returns the next PDU, failing the test after a second.
func (c *rawClient) read() (*pdu.Header, pdu.Body) {
	require.NoError(c.t, c.nc.SetReadDeadline(time.Now().Add(time.Second)))
	h, p, err := wire.Read(c.nc)
	require.NoError(c.t, err)
	return h, p
}

// closed reports whether the server closed the connection.
func (c *rawClient) closed() bool {
	_ = c.nc.SetReadDeadline(time.Now().Add(time.Second))
	_, _, err := wire.Read(c.nc)
	return err != nil
}

func bindBody(systemID, password string) []byte {
	b := cstring(nil, systemID)
	b = cstring(b, password)
	b = cstring(b, "")
	return append(b, 0x34, 0, 0, 0)
}

func (c *rawClient) bind(kind pdu.ID) {
	c.send(kind, bindBody(DefaultSystemID, DefaultPassword))
	h, _ := c.read()
	require.Equal(c.t, kind|wire.RespBit, h.ID)
	require.Zero(c.t, h.Status)
}

// submitBody builds a submit_sm body.
func submitBody(src, dst Addr, esm, registered, coding byte, sm []byte) []byte {
	b := cstring(nil, "")
	b = append(b, src.TON, src.NPI)
	b = cstring(b, src.Value)
	b = append(b, dst.TON, dst.NPI)
	b = cstring(b, dst.Value)
	b = append(b, esm, 0, 0)
	b = cstring(b, "")
	b = cstring(b, "")
	b = append(b, registered, 0, coding, 0, byte(len(sm)))
	return append(b, sm...)
}

var (
	alpha = Addr{TON: 5, NPI: 0, Value: "Advox"}
	intl  = Addr{TON: 1, NPI: 1, Value: "46701234567"}
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newServer(t *testing.T, cfg *Options) *Server {
	s, err := NewServer(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// silent reports whether nothing arrives on c for d.
func (c *rawClient) silent(d time.Duration) bool {
	_ = c.nc.SetReadDeadline(time.Now().Add(d))
	_, _, err := wire.ReadFrame(c.nc)
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// pendingTimers is the number of answers and receipts scheduled.
func (s *Server) pendingTimers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.timers)
}
