package advox

import (
	"context"
	"errors"
	"fmt"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// The optional health interfaces of both contracts are the same method.
var _ storage.Pinger = transport.Pinger(nil)

// Ping reports whether the Client can do its work, for a readiness check:
// that it is open, that its transport answers (when it is a
// transport.Pinger: an SMPP session bound and answering enquire_link, a
// router with a member that answers) and that its store answers (when it
// is a storage.Pinger), and the KeyStore of Options.Keys too. An adapter
// without the optional interface is taken to be up. Ping sends no message
// and changes nothing. A failure is an *Error of CodeUnavailable, or
// CodeClosed after Close, whose text says which part failed; ctx's error
// is returned as it is.
func (c *Client) Ping(ctx context.Context) error {
	const op = "ping"
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return &Error{Op: op, Code: CodeClosed}
	}
	type part struct {
		name string
		v    any
	}
	parts := []part{{"transport " + c.tr.Name(), c.tr}, {"store", c.store}}
	if k := c.opts.Keys; k != nil && any(k) != any(c.store) {
		parts = append(parts, part{"key store", k})
	}
	var errs []error
	for _, p := range parts {
		var err error
		// transport.Pinger and storage.Pinger have the one method.
		if pinger, ok := p.v.(transport.Pinger); ok {
			err = pinger.Ping(ctx)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	err := errors.Join(errs...)
	code := classify(err)
	if code != CodeClosed {
		code = CodeUnavailable // whatever the adapter's words: it does not answer
	}
	return &Error{Op: op, Code: code, Err: err}
}
