package smpptransport

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/smpptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

var msgN atomic.Int64

// msg builds a GSM-7 message to a fresh number.
func msg(parts ...string) *transport.Message {
	n := msgN.Add(1)
	if len(parts) == 0 {
		parts = []string{fmt.Sprintf("message %d", n)}
	}
	return &transport.Message{
		ID:       fmt.Sprintf("m%d", n),
		From:     transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
		To:       fmt.Sprintf("+4670%07d", n),
		Encoding: transport.GSM7, Parts: parts, Concat: transport.Concat8, ReportRequested: true,
	}
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// waitBound waits until every link of tr is bound.
func waitBound(t testing.TB, tr *Transport) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, l := range tr.all {
			if c, _ := l.state(); c == nil {
				return false
			}
		}
		return true
	}, 5*time.Second, time.Millisecond, "transport never bound")
}

// waitUnbound waits until no link of tr is bound.
func waitUnbound(t testing.TB, tr *Transport) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, l := range tr.all {
			if c, _ := l.state(); c != nil {
				return false
			}
		}
		return true
	}, 5*time.Second, time.Millisecond, "transport never noticed the outage")
}

// collector records reports.
type collector struct {
	mu      sync.Mutex
	reports []transport.Report
}

func collect(tr *Transport) *collector {
	c := &collector{}
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error {
		c.mu.Lock()
		c.reports = append(c.reports, r)
		c.mu.Unlock()
		return nil
	})
	return c
}

func (c *collector) all() []transport.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]transport.Report(nil), c.reports...)
}

// count returns how many reports carry id.
func (c *collector) count(id string) int {
	n := 0
	for _, r := range c.all() {
		if r.OperatorID == id {
			n++
		}
	}
	return n
}

// fixed reads a one-octet field of a decoded PDU.
func fixed(f pdufield.Map, n pdufield.Name) uint8 {
	if v, ok := f[n].(*pdufield.Fixed); ok {
		return v.Data
	}
	return 0
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// quiet is the logger of every test transport.
var quiet = slog.New(slog.DiscardHandler)

// fastBackoff rebinds quickly in tests.
func fastBackoff(int) time.Duration { return 5 * time.Millisecond }

// newServer starts a simulator closed at the end of the test.
func newServer(t testing.TB, cfg *smsctest.Options) *smsctest.Server {
	t.Helper()
	s, err := smsctest.NewServer(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// testConfig is a Config for srv with short timeouts.
func testConfig(srv *smsctest.Server) Config {
	return Config{
		Addr: srv.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		RespTimeout: 500 * time.Millisecond, Backoff: fastBackoff, Logger: quiet,
		ThrottleRetryAfter: time.Millisecond,
	}
}

// newTransport makes a transport closed at the end of the test.
func newTransport(t testing.TB, cfg Config) *Transport {
	t.Helper()
	tr, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// rawSMSC is one accepted connection of a hand-driven SMSC.
type rawSMSC struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

// rawBound starts a transport bound to a raw SMSC of the test's own on a
// loopback listener (returned too, for the transport's next bind); edit,
// if not nil, changes the transport's Config first.
func rawBound(t *testing.T, edit func(*Config)) (*Transport, *rawSMSC, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	cfg := Config{
		Addr: ln.Addr().String(), SystemID: "advox", RespTimeout: 500 * time.Millisecond,
		Backoff: fastBackoff, Logger: quiet,
	}
	if edit != nil {
		edit(&cfg)
	}
	tr := newTransport(t, cfg)
	return tr, acceptBound(t, ln), ln
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

// exchange writes a whole PDU frame (its sequence number set to seq) and
// returns the header of the response to it.
func (s *rawSMSC) exchange(frame []byte, seq uint32) *pdu.Header {
	s.t.Helper()
	binary.BigEndian.PutUint32(frame[12:], seq)
	_, err := s.nc.Write(frame)
	require.NoError(s.t, err)
	for {
		h, _, err := wire.ReadFrame(s.br)
		require.NoError(s.t, err)
		if h.ID&wire.RespBit != 0 && h.Seq == seq {
			return h
		}
	}
}

// sentinels are the classification sentinels; every Submit error wraps
// exactly one of them.
var sentinels = []error{transport.ErrNotSent, transport.ErrThrottled, transport.ErrOutcomeUnknown, transport.ErrRejected}

func assertOnlyClass(t *testing.T, err, want error) {
	t.Helper()
	require.ErrorIs(t, err, want)
	for _, other := range sentinels {
		if other != want {
			assert.NotErrorIs(t, err, other, "exactly one classification")
		}
	}
}

// goSMPPSMSC is go-smpp's own test SMSC (smpptest) answering submit_sm,
// enquire_link and unbind as a real SMSC does. smpptest answers every
// bind with a sequence number of its own, not the bind's.
type goSMPPSMSC struct {
	*smpptest.Server

	mu      sync.Mutex
	conns   []smpptest.Conn
	submits int
}

func newGoSMPPSMSC(t *testing.T) *goSMPPSMSC {
	s := &goSMPPSMSC{Server: smpptest.NewUnstartedServer()}
	s.User, s.Passwd = "advox", "secret"
	s.Handler = s.handle
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *goSMPPSMSC) handle(c smpptest.Conn, p pdu.Body) {
	var resp pdu.Body
	switch p.Header().ID {
	case pdu.SubmitSMID:
		resp = pdu.NewSubmitSMResp()
		s.mu.Lock()
		s.submits++
		_ = resp.Fields().Set(pdufield.MessageID, fmt.Sprintf("gosmpp-%d", s.submits))
		s.conns = append(s.conns, c)
		s.mu.Unlock()
	case pdu.EnquireLinkID:
		resp = pdu.NewEnquireLinkResp()
	case pdu.UnbindID:
		resp = pdu.NewUnbindResp()
	default:
		return
	}
	resp.Header().Seq = p.Header().Seq
	_ = c.Write(resp)
}

// dropSubmitters closes every connection a submit_sm arrived on.
func (s *goSMPPSMSC) dropSubmitters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

func (s *goSMPPSMSC) submitted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.submits
}

// dataFrame builds a data_sm from 46 (international) to A with the given
// esm_class, data_coding and TLVs, in order.
func dataFrame(esm, coding byte, tlvs ...tlv) []byte {
	b := make([]byte, 16)
	b = append(b, 0)                 // service_type
	b = append(b, 1, 1, '4', '6', 0) // source
	b = append(b, 5, 0, 'A', 0)      // destination
	b = append(b, esm, 0, coding)    // esm_class, registered_delivery, data_coding
	for _, t := range tlvs {
		b = binary.BigEndian.AppendUint16(b, t.tag)
		b = binary.BigEndian.AppendUint16(b, uint16(len(t.val)))
		b = append(b, t.val...)
	}
	binary.BigEndian.PutUint32(b[0:], uint32(len(b)))
	binary.BigEndian.PutUint32(b[4:], uint32(pdu.DataSMID))
	binary.BigEndian.PutUint32(b[12:], 1)
	return b
}

// deliverFrame builds a deliver_sm frame the way an SMSC would.
func deliverFrame(esm, coding byte, sm []byte, tlvs map[uint16][]byte) []byte {
	b := make([]byte, 16)
	b = append(b, 0)                 // service_type
	b = append(b, 1, 1, '4', '6', 0) // source
	b = append(b, 5, 0, 'A', 0)      // destination
	b = append(b, esm, 0, 0, 0, 0)   // esm, protocol, priority, schedule, validity
	b = append(b, 0, 0, coding, 0, byte(len(sm)))
	b = append(b, sm...)
	for tag, v := range tlvs {
		b = binary.BigEndian.AppendUint16(b, tag)
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	binary.BigEndian.PutUint32(b[0:], uint32(len(b)))
	binary.BigEndian.PutUint32(b[4:], uint32(pdu.DeliverSMID))
	binary.BigEndian.PutUint32(b[12:], 1)
	return b
}
