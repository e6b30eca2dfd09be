package smpptransport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

// link is one bind (transceiver, transmitter or receiver) kept up by its
// own goroutine: dial, bind, serve, and rebind with backoff when the
// connection is lost.
type link struct {
	t       *Transport
	session int
	bind    pdu.ID        // the bind command_id
	window  chan struct{} // submit slots; nil on receivers
	ref     atomic.Uint32 // concatenation references, rotating

	mu      sync.Mutex
	conn    *conn // nil while not bound
	lastErr error
}

func newLink(t *Transport, session int, bind pdu.ID) *link {
	l := &link{t: t, session: session, bind: bind}
	if bind != pdu.BindReceiverID {
		l.window = make(chan struct{}, t.cfg.Window)
	}
	l.ref.Store(rand.Uint32())
	return l
}

// bindName names the link's bind in logs and errors.
func (l *link) bindName() string {
	switch l.bind {
	case pdu.BindTransmitterID:
		return "bind_transmitter"
	case pdu.BindReceiverID:
		return "bind_receiver"
	}
	return "bind_transceiver"
}

// state returns the bound connection (nil while not bound) and the last
// connection error.
func (l *link) state() (*conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conn, l.lastErr
}

// live is state without a connection that has died (or was retired) but
// whose loss the link has not handled yet.
func (l *link) live() (*conn, error) {
	c, err := l.state()
	if c != nil {
		if cause := c.unusable(); cause != nil {
			return nil, cause
		}
	}
	return c, err
}

func (l *link) set(c *conn, err error) {
	l.mu.Lock()
	l.conn, l.lastErr = c, err
	l.mu.Unlock()
	l.t.notifyChange()
}

// run keeps the link bound until ctx ends, then unbinds.
func (l *link) run(ctx context.Context) {
	defer l.t.wg.Done()
	log := l.t.cfg.Logger.With("transport", l.t.name, "session", l.session, "bind", l.bindName())
	for attempt := 0; ; {
		if attempt > 0 && !sleep(ctx, l.t.cfg.Backoff(attempt)) {
			return
		}
		if ctx.Err() != nil {
			return
		}
		c, err := l.connect(ctx)
		if err != nil {
			attempt++
			l.set(nil, err)
			if ctx.Err() == nil {
				log.Warn("smpp: bind failed", "attempt", attempt, "err", err)
			}
			continue
		}
		l.t.stats.binds.Add(1)
		l.set(c, nil)
		up := time.Now()
		err = l.serve(ctx, c)
		l.set(nil, err)
		if ctx.Err() != nil {
			return
		}
		// Only a session that stayed up starts the backoff over: one lost
		// right after its bind counts as one more failed attempt, so a
		// flapping SMSC sees the pause grow.
		if time.Since(up) >= l.t.cfg.stableAfter {
			attempt = 1
		} else {
			attempt++
		}
		log.Warn("smpp: connection lost, rebinding", "attempt", attempt, "err", err)
	}
}

// connect dials and binds, within RespTimeout.
func (l *link) connect(parent context.Context) (*conn, error) {
	cfg := &l.t.cfg
	ctx, cancel := context.WithTimeout(parent, cfg.RespTimeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	if cfg.TLS != nil {
		tc := tls.Client(nc, tlsConfig(cfg.TLS, cfg.Addr))
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = nc.Close()
			return nil, err
		}
		nc = tc
	}
	c := newConn(nc, cfg.RespTimeout, l.onRequest, &l.t.stats.late, cfg.DeliverWindow)
	l.t.wg.Add(1)
	go func() {
		defer l.t.wg.Done()
		c.readLoop()
	}()
	p := newBind(l.bind)
	f := p.Fields()
	_ = f.Set(pdufield.SystemID, cfg.SystemID)
	_ = f.Set(pdufield.Password, cfg.Password)
	_ = f.Set(pdufield.SystemType, cfg.SystemType)
	_ = f.Set(pdufield.InterfaceVersion, 0x34)
	c.setBinding(true)
	cl, seq, err := c.send(p)
	var r response
	if err == nil {
		r, err = c.wait(ctx, cl, seq, cfg.RespTimeout)
	}
	c.setBinding(false)
	if err == nil && r.h.Seq != seq && l.t.bindSeqLogged.CompareAndSwap(false, true) {
		l.t.cfg.Logger.Info("smpp: the SMSC answers binds with a sequence number of its own; taken as the bind's answer",
			"transport", l.t.name, "bind", l.bindName(), "sent", seq, "answered", r.h.Seq)
	}
	if err == nil && r.h.Status != 0 {
		err = &StatusError{Command: l.bindName(), Status: CommandStatus(r.h.Status)}
	} else if err == nil && r.h.ID != l.bind|0x80000000 {
		err = &StatusError{Command: l.bindName(), Status: 0xFF}
	}
	if err == nil {
		// A bind answered is not yet a session that answers: an SMSC that
		// takes binds and then answers nothing must not count as up (a
		// router would send it a message that can only end unknown).
		if err = l.confirm(ctx, c); err != nil && parent.Err() != nil {
			l.unbind(c) // closed meanwhile: leave the bound session politely
			return nil, err
		}
	}
	if err != nil {
		c.close(err)
		return nil, err
	}
	return c, nil
}

// confirm checks a fresh bind with one enquire_link round trip.
func (l *link) confirm(ctx context.Context, c *conn) error {
	r, err := c.roundTrip(ctx, pdu.NewEnquireLink(), l.t.cfg.RespTimeout)
	switch {
	case err != nil:
		return fmt.Errorf("smpp: %s answered, enquire_link after it not: %w", l.bindName(), err)
	case CommandStatus(r.h.Status) == StatusInvalidBind:
		return fmt.Errorf("smpp: enquire_link after %s answered ESME_RINVBNDSTS", l.bindName())
	}
	return nil
}

// tlsConfig completes a TLS config with the server name from addr.
func tlsConfig(base *tls.Config, addr string) *tls.Config {
	cfg := base.Clone()
	if cfg.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cfg.ServerName = host
		}
	}
	return cfg
}

func newBind(id pdu.ID) pdu.Body {
	switch id {
	case pdu.BindTransmitterID:
		return pdu.NewBindTransmitter()
	case pdu.BindReceiverID:
		return pdu.NewBindReceiver()
	}
	return pdu.NewBindTransceiver()
}

// serve keeps a bound connection alive with enquire_link until it breaks
// or ctx ends; then it unbinds. It returns why the connection ended.
func (l *link) serve(ctx context.Context, c *conn) error {
	cfg := &l.t.cfg
	tick := time.NewTicker(cfg.EnquireLink)
	defer tick.Stop()
	for {
		select {
		case <-c.dead:
			return c.cause()
		case <-c.retired:
			err := c.unusable()
			l.set(nil, err) // no new submit picks it while it unbinds
			// The submits written on it may still be answered (a slow SMSC
			// taken for a hung one): unbind once they are settled.
			wait := time.NewTimer(cfg.RespTimeout)
			select {
			case <-c.drained():
			case <-c.dead:
			case <-ctx.Done():
			case <-wait.C:
			}
			wait.Stop()
			l.unbind(c)
			return err
		case <-ctx.Done():
			// Closing: the handlers running were told (their context
			// ended); their answers go out before the unbind, or the SMSC
			// delivers those PDUs again.
			wait := time.NewTimer(cfg.RespTimeout)
			select {
			case <-c.delivered():
			case <-c.dead:
			case <-wait.C:
			}
			wait.Stop()
			l.unbind(c)
			return ctx.Err()
		case <-tick.C:
			r, err := c.roundTrip(ctx, pdu.NewEnquireLink(), cfg.RespTimeout)
			switch {
			case err != nil:
				if ctx.Err() == nil {
					c.close(fmt.Errorf("smpp: enquire_link: %w", err))
				}
			case CommandStatus(r.h.Status) == StatusInvalidBind:
				// The connection answers but the SMSC no longer counts
				// the session as bound: rebind before a submit finds out.
				c.retire(errors.New("smpp: enquire_link answered ESME_RINVBNDSTS: session not bound, rebinding"))
			}
		}
	}
}

// unbind ends a connection politely: unbind, wait for unbind_resp (which
// the SMSC sends after answering the submits still in flight), close.
func (l *link) unbind(c *conn) {
	ctx, cancel := context.WithTimeout(context.Background(), l.t.cfg.RespTimeout)
	defer cancel()
	_, _ = c.roundTrip(ctx, pdu.NewUnbind(), l.t.cfg.RespTimeout)
	c.close(errors.New("smpp: unbound"))
}

// onRequest answers the SMSC's requests. deliver_sm and data_sm are
// handed to their handler on a goroutine of their own (onDeliver), so a
// slow handler never stalls the reader, and submits keep their answers.
func (l *link) onRequest(c *conn, h *pdu.Header, body []byte) {
	switch h.ID {
	case pdu.DeliverSMID, pdu.DataSMID:
		l.onDeliver(c, h, body)
	case pdu.EnquireLinkID:
		c.reply(pdu.NewEnquireLinkResp(), h.Seq, 0)
	case pdu.UnbindID:
		c.reply(pdu.NewUnbindResp(), h.Seq, 0)
		_ = c.w.Flush()
		c.close(errors.New("smpp: SMSC unbound"))
	case pdu.AlertNotificationID:
		// No response exists for alert_notification.
	default:
		c.reply(pdu.NewGenericNACK(), h.Seq, 0x03) // ESME_RINVCMDID
	}
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
