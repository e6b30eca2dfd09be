package smpptransport

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
)

// maxSeq is the largest sequence number SMPP allows; sequence numbers wrap
// back to 1 after it.
const maxSeq = 0x7FFFFFFF

// sequence hands out one connection's sequence numbers, 1..maxSeq, wrapping.
type sequence struct{ last atomic.Uint32 }

func (s *sequence) next() uint32 {
	for {
		old := s.last.Load()
		n := old + 1
		if n > maxSeq {
			n = 1
		}
		if s.last.CompareAndSwap(old, n) {
			return n
		}
	}
}

// Errors of a connection, classified by the caller.
var (
	errNotConnected = errors.New("smpp: not connected")
	errTimeout      = errors.New("smpp: response timeout")
	errConnLost     = errors.New("smpp: connection lost")
	errHung         = errors.New("smpp: session hung, the SMSC answers nothing")
)

// response is what answered a request: its header and raw body. The
// bodies the transport reads (a message_id) need no decoder.
type response struct {
	h    *pdu.Header
	body []byte
}

// call is a request awaiting its response.
type call struct {
	want pdu.ID // the response command_id expected
	ch   chan response
}

// requestHandler handles a request PDU from the SMSC (deliver_sm,
// data_sm, enquire_link, unbind, …): its header and its body, undecoded.
type requestHandler func(c *conn, h *pdu.Header, body []byte)

// conn is one bound (or binding) SMPP connection: our own sequence numbers,
// responses matched on sequence number only among responses (so an SMSC
// request whose sequence number equals a pending one can never be taken
// for its answer), and a reader that hands requests to a handler.
type conn struct {
	nc     net.Conn
	w      *wire.Writer
	seq    sequence
	handle requestHandler
	late   *atomic.Int64 // responses nobody waited for
	held   bool          // answers buffered, not flushed; reader only

	// answers counts the submit_sm answers read (submit_sm_resp and
	// generic_nack, awaited or late): a submit that sees it unchanged
	// long after its write knows the SMSC is answering nothing.
	answers atomic.Uint64

	mu      sync.Mutex
	pending map[uint32]*call
	binding bool // the bind is the only request out: see dispatch
	err     error
	dead    chan struct{} // closed when the connection is finished
	stale   error         // why the SMSC no longer takes submits here
	retired chan struct{} // closed when stale is set
	unfit   chan struct{} // closed when dead or retired, whichever is first
	idle    chan struct{} // closed when pending empties; see drained

	// delivering counts the deliver_sm and data_sm whose handler runs,
	// at most window (Config.DeliverWindow); quiet is closed when it drops
	// to zero (nil while nobody waits). Guarded by mu.
	delivering, window int
	quiet              chan struct{}
}

func newConn(nc net.Conn, writeTimeout time.Duration, h requestHandler, late *atomic.Int64, window int) *conn {
	return &conn{
		window:  window,
		nc:      nc,
		w:       wire.NewWriter(nc, writeTimeout),
		handle:  h,
		late:    late,
		pending: make(map[uint32]*call),
		dead:    make(chan struct{}),
		retired: make(chan struct{}),
		unfit:   make(chan struct{}),
	}
}

// readLoop reads PDUs until the connection breaks. Run it in a goroutine.
func (c *conn) readLoop() {
	br := bufio.NewReaderSize(c.nc, 32<<10)
	for {
		h, frame, err := wire.ReadFrame(br)
		if h == nil {
			c.close(err)
			return
		}
		if h.ID&wire.RespBit != 0 {
			if h.ID == pdu.SubmitSMRespID || h.ID == pdu.GenericNACKID {
				c.answers.Add(1)
			}
			c.dispatch(h, frame[pdu.HeaderLen:])
		} else {
			c.handle(c, h, frame[pdu.HeaderLen:])
		}
		if c.held && br.Buffered() == 0 {
			c.held = false
			_ = c.w.Flush() // the answers buffered while input was queued
		}
	}
}

// dispatch hands a response to the request waiting for it. A response
// with the wrong command_id for its sequence number (other than
// generic_nack) or with no request waiting is counted and dropped, except
// while binding: the bind is then the only request out, so its response
// is taken whatever its sequence number (some SMSCs, go-smpp's smpptest
// among them, number it their own way). The hand-over happens under c.mu,
// so a call that is no longer pending has its response in cl.ch or never
// gets one (see abandon).
func (c *conn) dispatch(h *pdu.Header, body []byte) {
	c.mu.Lock()
	seq := h.Seq
	cl := c.pending[seq]
	if cl == nil && c.binding && len(c.pending) == 1 {
		for s, only := range c.pending {
			seq, cl = s, only
		}
	}
	ok := cl != nil && (cl.want == h.ID || h.ID == pdu.GenericNACKID)
	if ok {
		c.settle(seq)
		cl.ch <- response{h: h, body: body} // buffered, one send per call
	}
	c.mu.Unlock()
	if !ok {
		c.late.Add(1)
	}
}

// close ends the connection once; err says why.
func (c *conn) close(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	if err == nil {
		err = errConnLost
	}
	c.err = err
	_ = c.nc.Close()
	clear(c.pending)
	close(c.dead)
	if c.stale == nil {
		close(c.unfit)
	}
}

// cause returns why the connection ended, or nil while it is alive.
func (c *conn) cause() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// retire marks a live connection as no longer fit for submits (the SMSC
// says it is not bound): new submits avoid it and its link unbinds and
// rebinds, while the answers to requests in flight still arrive.
func (c *conn) retire(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || c.stale != nil {
		return
	}
	c.stale = err
	close(c.retired)
	close(c.unfit)
}

// unusable returns why no new request should go on the connection: it
// ended or was retired. nil means it is fit.
func (c *conn) unusable() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	return c.stale
}

// send writes request p under a fresh sequence number. An error means p
// was not (completely) written: the SMSC cannot have acted on it.
func (c *conn) send(p pdu.Body) (*call, uint32, error) {
	b, err := wire.Encode(p)
	if err != nil {
		return nil, 0, err
	}
	return c.sendFrame(b)
}

// sendFrame writes an encoded request, setting its sequence number in
// place.
func (c *conn) sendFrame(b []byte) (*call, uint32, error) {
	seq := c.seq.next()
	binary.BigEndian.PutUint32(b[12:16], seq)
	cl := &call{want: pdu.ID(binary.BigEndian.Uint32(b[4:8])) | wire.RespBit, ch: make(chan response, 1)}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, 0, errNotConnected
	}
	c.pending[seq] = cl
	c.mu.Unlock()
	if err := c.w.Write(b); err != nil {
		c.forget(seq)
		return nil, 0, err
	}
	return cl, seq, nil
}

// wait waits for the response to a sent request. Its errors all mean the
// request was written: errTimeout, errConnLost or ctx's error.
func (c *conn) wait(ctx context.Context, cl *call, seq uint32, timeout time.Duration) (response, error) {
	return c.watch(ctx, cl, seq, timeout, 0, 0)
}

// watch is wait for a submit_sm written when the connection had read
// before answers to submits: once hang (0 < hang < timeout) has passed
// with no submit answered since, the SMSC is answering nothing, and the
// connection is retired as hung — no new submit goes on it, submits
// waiting for it are handed back, its link rebinds — while this wait goes
// on until timeout, for the SMSC may still answer. hang 0: no watch.
func (c *conn) watch(ctx context.Context, cl *call, seq uint32, timeout, hang time.Duration, before uint64) (response, error) {
	first := timeout
	if hang > 0 && hang < timeout {
		first = hang
	} else {
		hang = 0
	}
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case r := <-cl.ch:
			return r, nil
		case <-c.dead:
			select {
			case r := <-cl.ch:
				return r, nil
			default:
			}
			return response{}, errConnLost
		case <-t.C:
			if hang > 0 {
				if c.answers.Load() == before {
					c.retire(fmt.Errorf("%w: no submit_sm answered for %s, rebinding", errHung, hang))
				}
				t.Reset(timeout - hang)
				hang = 0
				continue
			}
			if r, ok := c.abandon(cl, seq); ok {
				return r, nil
			}
			return response{}, errTimeout
		case <-ctx.Done():
			if r, ok := c.abandon(cl, seq); ok {
				return r, nil
			}
			return response{}, ctx.Err()
		}
	}
}

// abandon stops waiting for the response to seq. A response that arrived
// meanwhile is returned: it is the request's outcome (for a submit_sm,
// the message id that correlates its receipts).
func (c *conn) abandon(cl *call, seq uint32) (response, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending[seq] == cl {
		c.settle(seq)
		return response{}, false
	}
	select {
	case r := <-cl.ch:
		return r, true
	default:
		return response{}, false
	}
}

// settle removes seq from the requests awaiting a response. Call with
// c.mu held.
func (c *conn) settle(seq uint32) {
	delete(c.pending, seq)
	if len(c.pending) == 0 && c.idle != nil {
		close(c.idle)
		c.idle = nil
	}
}

// drained returns a channel closed once no request awaits a response.
func (c *conn) drained() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		done := make(chan struct{})
		close(done)
		return done
	}
	if c.idle == nil {
		c.idle = make(chan struct{})
	}
	return c.idle
}

// setBinding marks the bind as the only request out (see dispatch).
func (c *conn) setBinding(on bool) {
	c.mu.Lock()
	c.binding = on
	c.mu.Unlock()
}

// roundTrip sends p and waits for its response.
func (c *conn) roundTrip(ctx context.Context, p pdu.Body, timeout time.Duration) (response, error) {
	cl, seq, err := c.send(p)
	if err != nil {
		return response{}, err
	}
	return c.wait(ctx, cl, seq, timeout)
}

func (c *conn) forget(seq uint32) {
	c.mu.Lock()
	c.settle(seq)
	c.mu.Unlock()
}

// reply buffers a response to an SMSC request; the reader flushes it
// once no more input is queued. Only the reader calls it. A failure
// breaks the connection, which the reader notices.
func (c *conn) reply(p pdu.Body, seq uint32, status pdu.Status) {
	h := p.Header()
	h.Seq, h.Status = seq, status
	if b, err := wire.Encode(p); err == nil {
		_ = c.w.Buffer(b)
		c.held = true
	}
}

// answer is reply for a deliver_sm or data_sm (command id): only the
// reader calls it.
func (c *conn) answer(id pdu.ID, seq uint32, status CommandStatus) {
	_ = c.w.Buffer(respFrame(id, seq, status))
	c.held = true
}

// respond writes the response to a deliver_sm or data_sm from the
// goroutine that handled it. On a connection that is gone it is lost, and
// the SMSC, which never got it, delivers the PDU again.
func (c *conn) respond(id pdu.ID, seq uint32, status CommandStatus) {
	_ = c.w.Write(respFrame(id, seq, status))
}

// startDeliver takes a slot of the deliver window for a handler about to
// run, or reports false when every slot is taken. Only the reader calls
// it.
func (c *conn) startDeliver() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.delivering >= c.window {
		return false
	}
	c.delivering++
	return true
}

// endDeliver gives back the slot of a handler that has returned.
func (c *conn) endDeliver() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delivering--
	if c.delivering == 0 && c.quiet != nil {
		close(c.quiet)
		c.quiet = nil
	}
}

// delivered returns a channel closed once no handler of the connection
// runs.
func (c *conn) delivered() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.delivering == 0 {
		done := make(chan struct{})
		close(done)
		return done
	}
	if c.quiet == nil {
		c.quiet = make(chan struct{})
	}
	return c.quiet
}
