package router

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/azenna/advox/transport"
)

// Submit implements transport.Transport: it picks the first route that
// takes m and tries the route's transports in order until one answers,
// moving on only when a transport certainly did not take the message (see
// the package documentation). Result.Transport and Result.Route say which
// transport and route were used, alongside an error too.
func (r *Router) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	if r.closed.Load() {
		return transport.Result{}, errClosed
	}
	if m == nil {
		return transport.Result{}, fmt.Errorf("router: nil message: %w", transport.ErrRejected)
	}
	rt := r.route(m)
	if rt == nil {
		return transport.Result{}, fmt.Errorf("router %s: no route for the message: %w", r.name, transport.ErrRejected)
	}
	var (
		order     [8]int
		errs      []error
		retryAt   time.Time
		last      string
		throttled = true // every transport passed over or answered for throttling
	)
	later := func(t time.Time) { // the earliest time a transport may take it
		if retryAt.IsZero() || t.Before(retryAt) {
			retryAt = t
		}
	}
	for _, i := range r.order(rt, order[:0]) {
		mem := r.members[i]
		if r.closed.Load() {
			// Closed meanwhile: hand the message to no other transport
			// (the error says closed, see below).
			break
		}
		if mem.linkDown() {
			// Waiting for the link would hold the message while another
			// transport could take it; the breaker probes once it is back.
			r.tel.passedOver(mem, "link_down")
			errs = append(errs, fmt.Errorf("%s: link down", mem.name))
			throttled = false
			continue
		}
		now := r.now()
		if d := mem.br.pausedFor(now); d > 0 && rt.spill {
			r.tel.passedOver(mem, "throttled")
			errs = append(errs, fmt.Errorf("%s: paused after throttling: %w", mem.name, transport.ErrThrottled))
			later(now.Add(d))
			continue
		}
		ok, probe, retry := mem.br.admit(now)
		if !ok {
			reason := "probing"
			if !retry.IsZero() {
				reason = "open"
				later(retry)
			}
			r.tel.passedOver(mem, reason)
			errs = append(errs, fmt.Errorf("%s: out of rotation", mem.name))
			throttled = false
			continue
		}
		last = mem.name
		if err := r.pace(ctx, mem, now); err != nil {
			mem.br.done(probe, neutral, time.Time{})
			return transport.Result{Transport: mem.name, Route: rt.name}, err
		}
		res, err := mem.t.Submit(ctx, m)
		res.Transport = cmp.Or(res.Transport, mem.name)
		res.Route = rt.name
		if err == nil {
			mem.br.done(probe, healthy, time.Time{})
			return res, nil
		}
		next, o := classify(ctx, err)
		answered := r.now() // the submit took time: now is stale
		mem.br.done(probe, o, answered)
		reason := "not_sent"
		if errors.Is(err, transport.ErrThrottled) {
			hint, _ := transport.RetryAfter(err)
			until := answered.Add(r.throttle.pause(hint))
			mem.br.throttled(until)
			if rt.spill && transport.SafeToRetry(err) && ctx.Err() == nil {
				next, reason = true, "throttled"
				later(until)
			}
		}
		if !next {
			return res, fmt.Errorf("router %s: route %s via %s: %w", r.name, rt.name, mem.name, err)
		}
		if reason != "throttled" {
			throttled = false
		}
		r.tel.failover(mem, rt, reason)
		errs = append(errs, notSentCause(mem.name, err))
	}
	e := &exhausted{what: "route " + rt.name + ": no transport took the message", errs: errs}
	if throttled && len(errs) > 0 {
		e.class = transport.ErrThrottled
	} else {
		e.class = transport.ErrNotSent
		for i, err := range e.errs { // one classification: throttling is only a cause here
			if errors.Is(err, transport.ErrThrottled) {
				e.errs[i] = errors.New(err.Error())
			}
		}
	}
	if r.closed.Load() {
		e.what = "route " + rt.name + ": closed before a transport took the message"
		e.closed = true
	}
	if !retryAt.IsZero() {
		e.retryAfter = max(retryAt.Sub(r.now()), time.Millisecond)
	}
	return transport.Result{Transport: last, Route: rt.name}, e
}

// classify says whether the router may try the next transport after err
// (only when the message certainly was not taken, no part of it either,
// and the caller still waits), and what err tells the breaker: the
// failure of a later part of a multipart message says as much about the
// transport as that of a first part.
func classify(ctx context.Context, err error) (next bool, o outcome) {
	var pe *transport.PartialError
	whole := !errors.As(err, &pe) || len(pe.Accepted) == 0 // no part was taken
	switch {
	case ctx.Err() != nil:
		return false, neutral
	case errors.Is(err, transport.ErrRejected), errors.Is(err, transport.ErrThrottled):
		return false, healthy
	case errors.Is(err, transport.ErrOutcomeUnknown):
		return false, failed
	case errors.Is(err, transport.ErrNotSent), errors.Is(err, transport.ErrClosed):
		return whole, failed
	}
	return false, failed // unclassified: the conservative reading, outcome unknown
}

// notSentCause keeps a failed transport's error for the final error, but
// not its ErrClosed: the router itself is open.
func notSentCause(name string, err error) error {
	if errors.Is(err, transport.ErrClosed) && !errors.Is(err, transport.ErrNotSent) {
		return fmt.Errorf("%s: closed", name)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// pace waits out the transport's throttle pause at now, bounded by ctx and
// Close. A wait cut short means nothing was sent.
func (r *Router) pace(ctx context.Context, mem *member, now time.Time) error {
	d := mem.br.pausedFor(now)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("router %s: waiting out the throttling of %s: %w: %w", r.name, mem.name, transport.ErrNotSent, ctx.Err())
	case <-r.done:
		return fmt.Errorf("router %s: closed while waiting: %w: %w", r.name, transport.ErrNotSent, transport.ErrClosed)
	}
}

// exhausted is the error of a submit that no transport took: it wraps
// its class — transport.ErrThrottled when every transport was throttled,
// else transport.ErrNotSent —, each transport's error and, when
// transports were out of rotation or paused, a retry hint for the
// earliest one.
type exhausted struct {
	what       string
	class      error
	errs       []error
	retryAfter time.Duration
	closed     bool // the router was closed meanwhile: wraps ErrClosed too
}

// Error implements error.
func (e *exhausted) Error() string {
	s := "router: " + e.what
	for i, err := range e.errs {
		if i == 0 {
			s += ": "
		} else {
			s += "; "
		}
		s += err.Error()
	}
	return s
}

// Unwrap returns the class (and transport.ErrClosed when the router was
// closed meanwhile), the retry hint and the causes.
func (e *exhausted) Unwrap() []error {
	class := cmp.Or(e.class, transport.ErrNotSent)
	out := make([]error, 0, len(e.errs)+3)
	out = append(out, class)
	if e.closed {
		out = append(out, transport.ErrClosed)
	}
	if e.retryAfter > 0 {
		out = append(out, &transport.RetryAfterError{After: e.retryAfter, Err: class})
	}
	return append(out, e.errs...)
}
