package smpptransport

import (
	"fmt"

	"github.com/azenna/advox/transport"
)

// CommandStatus is the command_status of an SMPP response (SMPP 3.4
// section 5.1.3): 0, ESME_ROK, for success, else the reason the peer
// refused the request. String gives its SMPP name.
type CommandStatus uint32

// The command_status values classified as retryable (see the package doc);
// every other non-zero status is a permanent refusal.
const (
	StatusInvalidBind  CommandStatus = 0x04 // ESME_RINVBNDSTS: not sent, rebind
	StatusSystemError  CommandStatus = 0x08 // ESME_RSYSERR: not sent, retry
	StatusQueueFull    CommandStatus = 0x14 // ESME_RMSGQFUL: throttled
	StatusThrottled    CommandStatus = 0x58 // ESME_RTHROTTLED: throttled
	StatusTempAppError CommandStatus = 0x64 // ESME_RX_T_APPN: not sent, retry
)

// statusNames are the SMPP 3.4 names of command_status values.
var statusNames = map[CommandStatus]string{
	0x00: "ESME_ROK", 0x01: "ESME_RINVMSGLEN", 0x02: "ESME_RINVCMDLEN",
	0x03: "ESME_RINVCMDID", 0x04: "ESME_RINVBNDSTS", 0x05: "ESME_RALYBND",
	0x06: "ESME_RINVPRTFLG", 0x07: "ESME_RINVREGDLVFLG", 0x08: "ESME_RSYSERR",
	0x0A: "ESME_RINVSRCADR", 0x0B: "ESME_RINVDSTADR", 0x0C: "ESME_RINVMSGID",
	0x0D: "ESME_RBINDFAIL", 0x0E: "ESME_RINVPASWD", 0x0F: "ESME_RINVSYSID",
	0x11: "ESME_RCANCELFAIL", 0x13: "ESME_RREPLACEFAIL", 0x14: "ESME_RMSGQFUL",
	0x15: "ESME_RINVSERTYP", 0x33: "ESME_RINVNUMDESTS", 0x34: "ESME_RINVDLNAME",
	0x40: "ESME_RINVDESTFLAG", 0x42: "ESME_RINVSUBREP", 0x43: "ESME_RINVESMCLASS",
	0x44: "ESME_RCNTSUBDL", 0x45: "ESME_RSUBMITFAIL", 0x48: "ESME_RINVSRCTON",
	0x49: "ESME_RINVSRCNPI", 0x50: "ESME_RINVDSTTON", 0x51: "ESME_RINVDSTNPI",
	0x53: "ESME_RINVSYSTYP", 0x54: "ESME_RINVREPFLAG", 0x55: "ESME_RINVNUMMSGS",
	0x58: "ESME_RTHROTTLED", 0x61: "ESME_RINVSCHED", 0x62: "ESME_RINVEXPIRY",
	0x63: "ESME_RINVDFTMSGID", 0x64: "ESME_RX_T_APPN", 0x65: "ESME_RX_P_APPN",
	0x66: "ESME_RX_R_APPN", 0x67: "ESME_RQUERYFAIL", 0xC0: "ESME_RINVOPTPARSTREAM",
	0xC1: "ESME_ROPTPARNOTALLWD", 0xC2: "ESME_RINVPARLEN", 0xC3: "ESME_RMISSINGOPTPARAM",
	0xC4: "ESME_RINVOPTPARAMVAL", 0xFE: "ESME_RDELIVERYFAILURE", 0xFF: "ESME_RUNKNOWNERR",
}

// String returns the SMPP 3.4 name of the status, such as
// "ESME_RTHROTTLED", or a hex form for codes the spec does not name.
func (s CommandStatus) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	if s >= 0x400 && s <= 0x4FF {
		return fmt.Sprintf("vendor-specific 0x%08X", uint32(s))
	}
	return fmt.Sprintf("reserved 0x%08X", uint32(s))
}

// StatusError is an SMSC's refusal of a request: the command it answered
// and the command_status it answered with. It unwraps to the classification
// sentinel of the status (see the package doc), so errors.Is(err,
// transport.ErrThrottled) works on it.
type StatusError struct {
	// Command is the refused request, for example "submit_sm".
	Command string
	// Status is the command_status of the response.
	Status CommandStatus
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("smpp: %s refused: %s (0x%08X)", e.Command, e.Status, uint32(e.Status))
}

// Unwrap returns the classification sentinel of the status.
func (e *StatusError) Unwrap() error { return classOf(e.Status) }

// classOf maps a command_status to a classification sentinel.
func classOf(s CommandStatus) error {
	switch s {
	case StatusThrottled, StatusQueueFull:
		return transport.ErrThrottled
	case StatusSystemError, StatusTempAppError, StatusInvalidBind:
		return transport.ErrNotSent
	}
	return transport.ErrRejected
}
