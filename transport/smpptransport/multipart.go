package smpptransport

import (
	"context"

	"github.com/azenna/advox/transport"
)

var _ transport.PartSubmitter = (*Transport)(nil)

// SubmitParts implements transport.PartSubmitter: it sends the parts of m
// that p lists, in order, each in a submit_sm whose user data header
// carries p.Ref and the part's own number, as Submit sent the others. In
// message_payload mode (Config.Payload) a message is one submit_sm, which
// no part can fail alone: there, p must list every part.
func (t *Transport) SubmitParts(ctx context.Context, m *transport.Message, p transport.Parts) (transport.Result, error) {
	if m == nil {
		return transport.Result{}, rejectf("nil message")
	}
	if err := p.Check(len(m.Parts)); err != nil {
		return transport.Result{}, err
	}
	if t.cfg.Payload && len(p.Indices) != len(m.Parts) {
		return transport.Result{}, rejectf("some parts of a message sent in message_payload")
	}
	return t.submitParts(ctx, m, &p)
}

// submitParts sends the parts of m that p lists (every part when p is
// nil, under a fresh reference of the session's).
func (t *Transport) submitParts(ctx context.Context, m *transport.Message, p *transport.Parts) (transport.Result, error) {
	t.submitMu.RLock()
	defer t.submitMu.RUnlock()
	if t.closed.Load() {
		return transport.Result{}, closedErr()
	}
	if m == nil {
		return transport.Result{}, rejectf("nil message")
	}
	if err := ctx.Err(); err != nil {
		return transport.Result{}, notSent("context done before submit", err)
	}
	texts, coding, err := encodeParts(m)
	if err != nil {
		return transport.Result{}, err
	}
	l, err := t.pick(ctx)
	if err != nil {
		return transport.Result{}, err
	}
	var ref uint16
	var idx []int
	if p != nil {
		ref, idx = p.Ref, p.Indices
	} else {
		ref = uint16(l.ref.Add(1))
	}
	if m.Concat != transport.Concat16 {
		ref &= 0xFF // what an 8-bit reference puts on the wire
	}
	frames, err := t.build(m, texts, coding, ref, idx)
	if err != nil {
		return transport.Result{}, err
	}
	ids := make([]string, 0, len(frames))
	for _, f := range frames {
		id, err := l.submit(ctx, f)
		if err != nil {
			if len(ids) > 0 {
				return transport.Result{OperatorIDs: ids}, &transport.PartialError{Accepted: ids, Err: err,
					Resumable: true, Ref: ref}
			}
			return transport.Result{}, err
		}
		ids = append(ids, id)
	}
	return transport.Result{OperatorIDs: ids}, nil
}
