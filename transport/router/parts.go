package router

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/azenna/advox/transport"
)

var _ transport.PartSubmitter = (*Router)(nil)

// SubmitParts implements transport.PartSubmitter: it sends the parts p
// lists through the transport that took the message's other parts — the
// one p.Transport names, as the Result of that submit did, or the nested
// router that holds it — and through no other, whatever the route says
// now: the handset joins only parts that reach it through one operator,
// whose ids and receipts are scoped by that transport.
//
// The transport's breaker and throttle pause apply as they do to Submit,
// but nothing fails over: when the transport cannot take the parts now
// (out of rotation, its link down) the error wraps transport.ErrNotSent,
// with the end of the breaker's back-off as retry hint, and the caller
// tries again later. A p that names no transport of the router, or one
// that more than one member answers to, and a transport that is not a
// PartSubmitter send nothing and fail with transport.ErrRejected, as an
// invalid p does. Result.Transport and Result.Route are set as by Submit.
func (r *Router) SubmitParts(ctx context.Context, m *transport.Message, p transport.Parts) (transport.Result, error) {
	if r.closed.Load() {
		return transport.Result{}, errClosed
	}
	if m == nil {
		return transport.Result{}, fmt.Errorf("router: nil message: %w", transport.ErrRejected)
	}
	if err := p.Check(len(m.Parts)); err != nil {
		return transport.Result{}, fmt.Errorf("router %s: %w", r.name, err)
	}
	var res transport.Result
	if rt := r.route(m); rt != nil {
		res.Route = rt.name
	}
	mem, err := r.holder(p.Transport)
	if err != nil {
		return res, err
	}
	res.Transport = mem.name
	ps, ok := mem.t.(transport.PartSubmitter)
	if !ok {
		return res, fmt.Errorf("router %s: %s cannot send parts of a message: %w", r.name, mem.name, transport.ErrRejected)
	}
	if mem.linkDown() {
		r.tel.passedOver(mem, "link_down")
		return res, fmt.Errorf("router %s: %s: link down: %w", r.name, mem.name, transport.ErrNotSent)
	}
	now := r.now()
	ok, probe, retry := mem.br.admit(now)
	if !ok {
		e := &exhausted{what: "the parts wait for " + mem.name, class: transport.ErrNotSent,
			errs: []error{fmt.Errorf("%s: out of rotation", mem.name)}}
		reason := "probing"
		if !retry.IsZero() {
			reason = "open"
			e.retryAfter = max(retry.Sub(now), minRetryAfter)
		}
		r.tel.passedOver(mem, reason)
		return res, e
	}
	if err := r.pace(ctx, mem, now); err != nil {
		mem.br.done(probe, neutral, time.Time{})
		return res, err
	}
	a := r.call(ctx, mem, probe, func(ctx context.Context) (transport.Result, error) { return ps.SubmitParts(ctx, m, p) })
	a.res.Route = res.Route
	if a.err != nil {
		return a.res, fmt.Errorf("router %s: parts via %s: %w", r.name, mem.name, a.err)
	}
	return a.res, nil
}

// holder returns the member that took a message's first parts, by the
// name the Result of that submit gave: the member of that name, or the
// nested router (a transport.Composite) that has a transport of that name.
// A name no member answers to, or more than one, finds none: the parts
// must not go to a transport that may not be the one.
func (r *Router) holder(name string) (*member, error) {
	if name == "" {
		return nil, fmt.Errorf("router %s: the parts name no transport (Parts.Transport): %w", r.name, transport.ErrRejected)
	}
	var found *member
	for _, mem := range r.members {
		if mem.name != name && !holds(mem.t, name) {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("router %s: %s and %s both answer to %q: %w", r.name, found.name, mem.name, name, transport.ErrRejected)
		}
		found = mem
	}
	if found == nil {
		return nil, fmt.Errorf("router %s: no transport %q: %w", r.name, name, transport.ErrRejected)
	}
	return found, nil
}

// holds reports whether t hands messages to a transport named name.
func holds(t transport.Transport, name string) bool {
	c, ok := t.(transport.Composite)
	return ok && slices.Contains(c.Transports(), name)
}

// passOn wraps the error of mem that ends a submit on route rt. A partial
// failure stays Resumable only when mem is a transport.PartSubmitter: the
// rest can be sent through mem alone, so a member that cannot must not
// have the caller ask the router to.
func (r *Router) passOn(rt *route, mem *member, err error) error {
	err = fmt.Errorf("router %s: route %s via %s: %w", r.name, rt.name, mem.name, err)
	var pe *transport.PartialError
	if !errors.As(err, &pe) || !pe.Resumable {
		return err
	}
	if _, ok := mem.t.(transport.PartSubmitter); ok {
		return err
	}
	nr := &notResumable{err: err, pe: *pe}
	nr.pe.Resumable, nr.pe.Ref = false, 0
	return nr
}

// notResumable is a member's error whose partial failure said Resumable
// although the member cannot send parts: errors.As finds a copy of the
// *transport.PartialError that is not, and otherwise it is the member's
// error.
type notResumable struct {
	err error
	pe  transport.PartialError
}

// Error implements error.
func (e *notResumable) Error() string { return e.err.Error() }

// Unwrap returns the partial failure, not resumable, and then the
// member's error.
func (e *notResumable) Unwrap() []error { return []error{&e.pe, e.err} }
