package smsctest

import (
	"crypto/tls"
	"errors"
	"net"

	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
)

// outage is the server's standing misbehaviour (Hang, Freeze, Stop).
// Guarded by Server.mu.
type outage struct {
	hung    bool
	frozen  chan struct{} // non-nil while frozen; closed when it ends
	stopped bool
}

// resume ends Hang and Freeze.
func (o *outage) resume() {
	o.hung = false
	if o.frozen != nil {
		close(o.frozen)
		o.frozen = nil
	}
}

// Hang makes the server answer binds and nothing else, on every
// connection, open or new, until Resume: submit_sm are taken as under
// Fault.NoAnswer (recorded with Answered false, and in Messages: their
// outcome is unknown to the client, and a copy sent elsewhere would be a
// duplicate) and never answered, and enquire_link and unbind go
// unanswered — an SMSC whose front end takes binds while its core is
// stuck.
func (s *Server) Hang() {
	s.mu.Lock()
	s.outage.hung = true
	s.mu.Unlock()
}

// Freeze makes the server stop reading and writing on every connection,
// open or new, until Resume, while TCP connections stay up and new ones
// are accepted: binds go unanswered too, as from a stopped process or a
// stalled network path. What arrived meanwhile is read and answered when
// the freeze ends.
func (s *Server) Freeze() {
	s.mu.Lock()
	if s.outage.frozen == nil {
		s.outage.frozen = make(chan struct{})
	}
	s.mu.Unlock()
}

// Resume ends Hang and Freeze.
func (s *Server) Resume() {
	s.mu.Lock()
	s.outage.resume()
	s.mu.Unlock()
}

// Stop kills the server as a crash would: it stops listening, so that
// connection attempts are refused, and drops every connection; answers
// and receipts it was about to send die with it. What it recorded
// (Submits, Messages, Stats) and receipts waiting for a receiver bind are
// kept. Start brings it back on the same address.
func (s *Server) Stop() {
	s.mu.Lock()
	if s.closed || s.outage.stopped {
		s.mu.Unlock()
		return
	}
	s.outage.stopped = true
	s.outage.resume() // nothing waits on a dead process
	s.stopTimers()
	ln := s.ln
	s.mu.Unlock()
	_ = ln.Close()
	s.DropConnections()
}

// Start listens again, on the address of the server, after Stop: the
// SMSC is back after a crash, with what it had recorded.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return net.ErrClosed
	case !s.outage.stopped:
		return errors.New("smsctest: Start without Stop")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	s.ln = ln
	s.outage.stopped = false
	s.wg.Add(1)
	go s.accept(ln)
	return nil
}

// hangs reports whether the server ignores PDU id under Hang: every
// request but a bind (submit_sm is recorded first, see nextFault).
func (s *Server) hangs(id pdu.ID) bool {
	switch {
	case id&wire.RespBit != 0,
		id == pdu.BindTransceiverID, id == pdu.BindTransmitterID, id == pdu.BindReceiverID, id == pdu.SubmitSMID:
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outage.hung
}

// thawed waits until no Freeze holds c; false when c closed meanwhile.
func (s *Server) thawed(c *sconn) bool {
	s.mu.Lock()
	frozen := s.outage.frozen
	s.mu.Unlock()
	if frozen == nil {
		return true
	}
	select {
	case <-frozen:
		return true
	case <-c.done:
		return false
	}
}
