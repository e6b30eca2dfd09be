package smsctest

import (
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// CommandStatus is the command_status of an SMPP response (SMPP 3.4
// section 5.1.3): 0, ESME_ROK, for success, else the reason for a
// refusal. The simulator has its own type for the number: it does not
// import the transport it tests.
type CommandStatus uint32

// The command_status values the faults commonly use.
const (
	StatusSystemError  CommandStatus = 0x08 // ESME_RSYSERR
	StatusInvalidDest  CommandStatus = 0x0B // ESME_RINVDSTADR
	StatusQueueFull    CommandStatus = 0x14 // ESME_RMSGQFUL
	StatusThrottled    CommandStatus = 0x58 // ESME_RTHROTTLED
	StatusTempAppError CommandStatus = 0x64 // ESME_RX_T_APPN
	StatusInvalidBind  CommandStatus = 0x04 // ESME_RINVBNDSTS
	StatusInvalidPass  CommandStatus = 0x0E // ESME_RINVPASWD
	StatusInvalidSysID CommandStatus = 0x0F // ESME_RINVSYSID
)

// Fault is how the simulator treats one submit_sm. The zero Fault accepts
// it normally, so a sequence of faults can leave some submits alone.
type Fault struct {
	// Status refuses the submit with this command_status.
	Status CommandStatus
	// Delay answers after Delay instead of at once.
	Delay time.Duration
	// NoAnswer never answers (the submit counts as received).
	NoAnswer bool
	// Drop closes the connection instead of answering.
	Drop bool
	// DropAfter closes the connection once the answer (Status, or the
	// acceptance) is written: a link lost between two parts of a message,
	// the client holding its answer but no link for the next part.
	DropAfter bool
	// CollidingDeliver sends the part's receipt, before the answer, as a
	// deliver_sm whose sequence number is the submit_sm's own (when the
	// connection takes deliver_sm; otherwise to a receiver bind). The
	// normal receipt follows the answer too when the receipt policy sends
	// one.
	CollidingDeliver bool
	// ReceiptFirst sends the part's receipt before the submit_sm_resp. The
	// normal receipt follows the answer too when the receipt policy sends
	// one.
	ReceiptFirst bool
	// DuplicateReceipt sends the part's receipt twice after the answer,
	// whatever the receipt policy.
	DuplicateReceipt bool
	// ReceiptStat overrides Options.ReceiptStat for this part.
	ReceiptStat string
}

// InjectFault queues f for the next submit_sm that has no fault yet:
// faults apply one per submit_sm (one per part), in order.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// nextFault pops the next queued fault, or applies the standing ones
// (Hang, ThrottleEvery, MaxRate). Call with s.mu held.
func (s *Server) nextFault() Fault {
	s.count++
	if s.outage.hung {
		return Fault{NoAnswer: true}
	}
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		return f
	}
	if n := s.cfg.ThrottleEvery; n > 0 && s.count%n == 0 {
		return Fault{Status: StatusThrottled}
	}
	if s.limiter != nil && !s.limiter.Allow() {
		return Fault{Status: StatusThrottled}
	}
	return Fault{}
}

// DropConnections closes every client connection at once, as a network
// failure would.
func (s *Server) DropConnections() {
	for _, c := range s.connections() {
		c.close()
	}
}

// Restart simulates an SMSC restart that loses its message-id counter:
// every client connection is closed and message ids start again from the
// first one, so the ids given before are given again, as a restarted SMSC
// reissues ids from 1. Receipts on their way, queued faults and what was
// recorded are kept.
func (s *Server) Restart() {
	s.nextID.Store(firstID)
	s.DropConnections()
}

// UnbindAll sends unbind to every bound client, as an SMSC going into
// maintenance does, and closes each connection when it answers.
func (s *Server) UnbindAll() {
	for _, c := range s.connections() {
		if c.bound() {
			_ = c.write(pdu.UnbindID, 0, c.nextSeq(), nil)
		}
	}
}
