package transport

import (
	"context"
	"fmt"
)

// PartSubmitter is the optional interface of transports that can send the
// rest of a multipart message after a later part failed: the parts a
// *PartialError left unsent, as parts of the same message — the same
// concatenation reference, each with its own part number — so that the
// handset joins them with the parts it already has.
//
// The Client calls SubmitParts only when both hold: the transport
// implements PartSubmitter, and the *PartialError it returned says
// Resumable. It sends only parts the classification says were never
// received (ErrNotSent, ErrThrottled) or were never tried, under its retry
// policy, backoff and the caller's context. A transport without
// PartSubmitter is never asked to send part of a message: when a later
// part fails there, the Client reports the message incomplete rather than
// submit it again, which would send the accepted parts twice.
//
// A wrapper that embeds a PartSubmitter and overrides Submit must override
// SubmitParts too, or clear Resumable on the errors it passes on: else the
// Client resumes through the embedded transport.
type PartSubmitter interface {
	// SubmitParts sends the parts of m that p lists, in order, each with
	// reference p.Ref and its part number (index+1) of len(m.Parts) — as
	// Submit sent the others — and no other part. It follows Submit's
	// rules (one attempt per part, ctx, classification of every failure),
	// with the listed parts in place of the message: Result.OperatorIDs
	// has one id per part sent, in the order of p.Indices (or none); when a
	// part fails after others of p were accepted the error is a
	// *PartialError (Resumable, with p.Ref); in every error the first part
	// of p not accepted failed as the error classifies it and the parts
	// after it were not sent. An invalid p (see Parts.Check) sends nothing
	// and fails with ErrRejected.
	SubmitParts(ctx context.Context, m *Message, p Parts) (Result, error)
}

// Parts selects the parts of a message SubmitParts sends.
type Parts struct {
	// Ref is the concatenation reference every part carries: the Ref of
	// the *PartialError that left them unsent.
	Ref uint16
	// Indices are the parts to send, as indices into Message.Parts, in
	// ascending order.
	Indices []int
}

// Check reports whether p can select parts of a message of n parts: at
// least one index, each in [0, n), ascending without repeats, and a
// multipart message (n > 1). Its error wraps ErrRejected.
func (p Parts) Check(n int) error {
	if n < 2 || len(p.Indices) == 0 {
		return fmt.Errorf("transport: parts %v of a message of %d part(s): %w", p.Indices, n, ErrRejected)
	}
	prev := -1
	for _, i := range p.Indices {
		if i <= prev || i >= n {
			return fmt.Errorf("transport: parts %v of a message of %d parts: %w", p.Indices, n, ErrRejected)
		}
		prev = i
	}
	return nil
}
