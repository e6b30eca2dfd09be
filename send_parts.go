package advox

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/azenna/advox/transport"
)

// IncompleteError is the cause of a CodeIncomplete error: a multipart
// message of which only some parts went out. Its record says the same:
// each part as it ended (accepted, unknown, or rejected by the operator),
// and the parts never sent as rejected with error code "not_sent"; its
// segments (Receipt.Segments, Record.Segments, the account's usage and
// quota) count the parts that reached the operator, never those that did
// not.
type IncompleteError struct {
	// Parts is how many parts the message has.
	Parts int
	// Sent are the numbers (1-based) of the parts the operator accepted.
	Sent []int
	// Unknown are the numbers of the parts that may have gone out: their
	// answer never came.
	Unknown []int
	// Err is the failure that stopped the sending: the last part's, or
	// the context's or Close's.
	Err error
}

// Error implements error.
func (e *IncompleteError) Error() string {
	s := "message incomplete: part(s) " + partList(e.Sent) + " of " + strconv.Itoa(e.Parts) + " sent"
	if len(e.Unknown) > 0 {
		s += ", " + partList(e.Unknown) + " unknown"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the failure that stopped the sending.
func (e *IncompleteError) Unwrap() error { return e.Err }

func partList(nums []int) string {
	if len(nums) == 0 {
		return "none"
	}
	s := make([]string, len(nums))
	for i, n := range nums {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// errRestNotSent is what the retry policy is asked about when the parts
// left were never tried: the part before them has an unknown outcome, and
// they were not sent.
var errRestNotSent = fmt.Errorf("advox: the parts after one without an answer were never sent: %w", transport.ErrNotSent)

// codeNotSent is the error code of a part recorded as never sent.
const codeNotSent = "not_sent"

// parts follows a multipart message whose later part failed after others
// were accepted (a *transport.PartialError): what became of each part, and
// whether the rest can be sent (transport.PartSubmitter).
type parts struct {
	ids    []string
	status []transport.Status // accepted, unknown or rejected; "" not sent
	ps     transport.PartSubmitter
	ref    uint16
	// why is the error the retry policy is asked about before the parts
	// left are sent; nil: they cannot be.
	why error
	// last is the last failure; unknown the one that left a part unknown.
	last, unknown error
}

// partial returns the partial failure err reports for a multipart message
// of which some parts were accepted, or nil.
func partial(tm *transport.Message, err error) *transport.PartialError {
	var pe *transport.PartialError
	if len(tm.Parts) > 1 && errors.As(err, &pe) && len(pe.Accepted) > 0 {
		return pe
	}
	return nil
}

// newParts starts following tm, whose submit through tr failed as pe says.
// The rest is sent only through a PartSubmitter that said the failure is
// Resumable.
func newParts(tr transport.Transport, tm *transport.Message, pe *transport.PartialError) *parts {
	p := &parts{ids: make([]string, len(tm.Parts)), status: make([]transport.Status, len(tm.Parts))}
	if ps, ok := tr.(transport.PartSubmitter); ok && pe.Resumable {
		p.ps, p.ref = ps, pe.Ref
	}
	return p
}

// all lists every part index of the message.
func (p *parts) all() []int {
	idx := make([]int, len(p.status))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// settle applies the outcome of a submit of the parts pending (in order)
// and returns the parts still to send. The parts an error left were not
// sent: the first of them failed as the error classifies it (sent again
// only if that says it was never received), the others were never tried.
func (p *parts) settle(pending []int, res transport.Result, err error) []int {
	accepted, class := res.OperatorIDs, err
	var pe *transport.PartialError
	if errors.As(err, &pe) {
		accepted, class = pe.Accepted, pe.Err
	} else if err != nil {
		accepted = nil
	}
	k := min(len(accepted), len(pending))
	for j, i := range pending[:k] {
		p.ids[i], p.status[i] = accepted[j], transport.StatusAccepted
	}
	if err == nil {
		for _, i := range pending[k:] { // one id for all of them, or none
			p.status[i] = transport.StatusAccepted
		}
		p.why = nil
		return nil
	}
	p.last = err
	if k == len(pending) {
		p.why = nil
		return nil
	}
	failed := pending[k]
	switch {
	case transport.SafeToRetry(class):
		p.why = class
		return pending[k:]
	case errors.Is(class, transport.ErrClosed) && !errors.Is(class, transport.ErrOutcomeUnknown):
		p.why = nil // not sent, and never will be through this transport
		return pending[k:]
	case errors.Is(class, transport.ErrRejected):
		p.status[failed] = transport.StatusRejected
		p.why = nil // the message can no longer be whole
	default: // it may be out: never sent again, but the parts after it can be
		p.status[failed] = transport.StatusUnknown
		p.unknown = err
		p.why = errRestNotSent
	}
	return pending[k+1:]
}

// resumable reports whether the parts left can be sent: through a
// PartSubmitter, and with a reason the retry policy is asked about.
func (p *parts) resumable(pending []int) bool {
	return p.ps != nil && p.why != nil && len(pending) > 0
}

// sent counts the parts that reached the operator — accepted, refused
// or unanswered, as a whole message is counted — and so the message's
// segments: a part never sent is not one.
func (p *parts) sent() int {
	n := 0
	for _, s := range p.status {
		if s != "" {
			n++
		}
	}
	return n
}

// outcome is the error the message ends with: nil when every part was
// accepted, an *IncompleteError when a part was not sent or was refused,
// else (parts without an answer) the error that left them unknown.
func (p *parts) outcome() error {
	var sent, unknown []int
	incomplete := false
	for i, s := range p.status {
		switch s {
		case transport.StatusAccepted:
			sent = append(sent, i+1)
		case transport.StatusUnknown:
			unknown = append(unknown, i+1)
		default:
			incomplete = true
		}
	}
	switch {
	case incomplete:
		return &IncompleteError{Parts: len(p.status), Sent: sent, Unknown: unknown, Err: p.last}
	case len(unknown) > 0:
		return p.unknown
	}
	return nil
}
