package smpptransport

import (
	"fmt"
	"log/slog"
	"strings"
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
	"github.com/fiorix/go-smpp/smpp/smpptest"
)

// TestGoSMPPTransceiverLosesCollidingReceipt shows that the simulator's
// CollidingDeliver fault reproduces go-smpp issue 87 against the pinned
// go-smpp Transceiver: the submit fails and the receipt never reaches the
// handler. TestCollidingDeliverSM runs the same fault against this package.
func TestGoSMPPTransceiverLosesCollidingReceipt(t *testing.T) {
	srv := newServer(t, &smsctest.Options{Receipts: smsctest.ReceiptsNever})
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

// TestBindAgainstGoSMPPTestServer binds to go-smpp's smpptest SMSC, which
// numbers its bind responses its own way: during a bind only one request
// is outstanding, so its response is taken whatever its sequence number.
// This broke: the bind response was dropped, transmitter+receiver never
// bound and every rebind failed.
func TestBindAgainstGoSMPPTestServer(t *testing.T) {
	for _, mode := range []struct {
		name  string
		mode  BindMode
		links int64 // binds per (re)connection of the session
	}{
		{"transceiver", Transceiver, 1},
		{"transmitter+receiver", TransmitterReceiver, 2},
	} {
		t.Run(mode.name, func(t *testing.T) {
			smsc := newGoSMPPSMSC(t)
			var logs strings.Builder // read once the transport is closed
			tr := newTransport(t, Config{
				Addr: smsc.Addr(), SystemID: "advox", Password: "secret", BindMode: mode.mode,
				RespTimeout: 2 * time.Second, Backoff: fastBackoff,
				Logger: slog.New(slog.NewTextHandler(&logs, nil)), // the handler serialises writes
			})
			waitBound(t, tr)
			require.Equal(t, mode.links, tr.Stats().Binds)
			res, err := tr.Submit(ctxT(t, 5*time.Second), msg())
			require.NoError(t, err)
			assert.Equal(t, []string{"gosmpp-1"}, res.OperatorIDs)
			require.NoError(t, tr.Ping(ctxT(t, 5*time.Second)))

			// A lost connection rebinds, with the same tolerance.
			smsc.dropSubmitters()
			require.Eventually(t, func() bool {
				_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
				return err == nil
			}, 5*time.Second, 5*time.Millisecond, "the session rebinds")
			assert.GreaterOrEqual(t, tr.Stats().Binds, mode.links+1)
			assert.GreaterOrEqual(t, smsc.submitted(), 2)
			require.NoError(t, tr.Close())
			assert.Equal(t, 1, strings.Count(logs.String(), "sequence number of its own"), "logged once: %s", logs.String())
		})
	}
}
