package smsctest

import (
	"bufio"
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"golang.org/x/time/rate"
)

// Server is an SMPP 3.4 SMSC simulator listening on 127.0.0.1. It is safe
// for concurrent use.
type Server struct {
	cfg     Options
	addr    string
	ln      net.Listener // replaced by Start; guarded by mu after New
	limiter *rate.Limiter
	nextID  atomic.Uint64
	stats   counters
	wg      sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	conns     map[*sconn]struct{}
	faults    []Fault
	count     int // submit_sm seen, for ThrottleEvery
	rr        int // receipt round robin
	submits   []Submit
	messages  []Message
	partial   map[concatKey]*assembly
	waiting   []outbound // receipts and MO parts waiting for a receiver bind
	moAnswers []MOAnswer
	timers    map[*time.Timer]struct{}
	outage    outage // Hang, Freeze, Stop
}

// firstID is the first message id handed out: large enough that hex ids
// contain letters.
const firstID = 0xA0000000

// NewServer starts a simulator on a free loopback port. opts may be nil
// (the defaults). Close it when done.
func NewServer(opts *Options) (*Server, error) {
	c := opts.withDefaults()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if c.TLS != nil {
		ln = tls.NewListener(ln, c.TLS)
	}
	s := &Server{
		cfg:     c,
		addr:    ln.Addr().String(),
		ln:      ln,
		conns:   make(map[*sconn]struct{}),
		partial: make(map[concatKey]*assembly),
		timers:  make(map[*time.Timer]struct{}),
	}
	if c.MaxRate > 0 {
		// A second's worth of burst: submits sent together within the
		// rate (a window) are not throttled, as a per-second limit says.
		s.limiter = rate.NewLimiter(rate.Limit(c.MaxRate), max(1, int(c.MaxRate)))
	}
	s.nextID.Store(firstID)
	s.wg.Add(1)
	go s.accept(ln)
	return s, nil
}

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string { return s.addr }

// Close stops the server: it closes the listener and every connection,
// cancels pending answers and receipts, and waits for its goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.stopTimers()
	ln, stopped := s.ln, s.outage.stopped
	s.outage.resume()
	s.mu.Unlock()
	var err error
	if !stopped {
		err = ln.Close()
	}
	s.DropConnections()
	s.wg.Wait()
	return err
}

// stopTimers cancels pending answers and receipts. Call with s.mu held.
func (s *Server) stopTimers() {
	for t := range s.timers {
		if t.Stop() {
			s.wg.Done()
		}
	}
	clear(s.timers)
}

func (s *Server) accept(ln net.Listener) {
	defer s.wg.Done()
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		c := &sconn{s: s, nc: nc, w: wire.NewWriter(nc, 5*time.Second), done: make(chan struct{})}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go c.serve()
	}
}

func (s *Server) connections() []*sconn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*sconn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// after runs f after d unless the server closes first.
func (s *Server) after(d time.Duration, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		defer s.wg.Done()
		s.mu.Lock()
		_, live := s.timers[t]
		delete(s.timers, t)
		s.mu.Unlock()
		if live {
			f()
		}
	})
	s.timers[t] = struct{}{}
}

// sconn is one client connection.
type sconn struct {
	s   *Server
	nc  net.Conn
	w   *wire.Writer
	seq atomic.Uint32

	mu       sync.Mutex
	kind     pdu.ID // the bind command_id, 0 before the bind
	systemID string
	closed   bool
	done     chan struct{}       // closed with closed
	inflight map[uint32]outbound // receipts sent and not answered yet, by sequence number
}

// sent files a receipt sent with sequence number seq until it is answered;
// false when the connection is closed already.
func (c *sconn) sent(seq uint32, o outbound) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	if c.inflight == nil {
		c.inflight = make(map[uint32]outbound)
	}
	c.inflight[seq] = o
	return true
}

// takeInflight takes the receipts sent and never answered, once the
// connection is closed.
func (c *sconn) takeInflight() map[uint32]outbound {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.inflight
	c.inflight = nil
	return m
}

// answered takes the receipt sent with sequence number seq, if any.
func (c *sconn) answered(seq uint32) (outbound, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.inflight[seq]
	delete(c.inflight, seq)
	return o, ok
}

func (c *sconn) bound() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kind != 0 && !c.closed
}

// receives reports whether the connection takes deliver_sm.
func (c *sconn) receives(systemID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.closed && c.systemID == systemID && (c.kind == pdu.BindReceiverID || c.kind == pdu.BindTransceiverID)
}

func (c *sconn) nextSeq() uint32 {
	n := c.seq.Add(1) & 0x7FFFFFFF
	if n == 0 {
		n = c.seq.Add(1) & 0x7FFFFFFF
	}
	return n
}

// isClosed reports whether the connection was closed (dropped by a fault,
// DropConnections or Close).
func (c *sconn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (c *sconn) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.done)
	}
	c.mu.Unlock()
	_ = c.nc.Close()
}

// write sends a PDU at once (once a Freeze is over).
func (c *sconn) write(id pdu.ID, status CommandStatus, seq uint32, body []byte) error {
	if !c.s.thawed(c) {
		return net.ErrClosed
	}
	return c.w.Write(frame(id, status, seq, body))
}

// reply buffers an answer written by the reader; the reader flushes once
// its input runs dry, so a burst of requests costs one write.
func (c *sconn) reply(id pdu.ID, status CommandStatus, seq uint32, body []byte) {
	_ = c.w.Buffer(frame(id, status, seq, body))
}

func (c *sconn) serve() {
	defer c.s.wg.Done()
	defer func() {
		c.close()
		c.s.mu.Lock()
		delete(c.s.conns, c)
		c.s.mu.Unlock()
		c.s.unanswered(c.takeInflight())
	}()
	br := bufio.NewReaderSize(c.nc, 32<<10)
	for {
		h, p, err := wire.Read(br)
		if h == nil || !c.s.thawed(c) {
			return
		}
		more := c.handle(h, p, err)
		if c.isClosed() {
			// Dropped: what is still in br died with the connection.
			return
		}
		if !more || br.Buffered() == 0 {
			_ = c.w.Flush()
		}
		if !more {
			return
		}
	}
}

// handle answers one PDU; false ends the connection.
func (c *sconn) handle(h *pdu.Header, p pdu.Body, decodeErr error) bool {
	s := c.s
	c.mu.Lock()
	kind := c.kind
	c.mu.Unlock()
	if decodeErr != nil && h.ID&wire.RespBit == 0 {
		status := CommandStatus(0x03) // ESME_RINVCMDID: a command it does not implement
		switch h.ID {
		case pdu.BindTransceiverID, pdu.BindTransmitterID, pdu.BindReceiverID, pdu.SubmitSMID,
			pdu.EnquireLinkID, pdu.UnbindID:
			status = 0x02 // ESME_RINVCMDLEN: a command it knows, malformed
		}
		c.reply(pdu.GenericNACKID, status, h.Seq, nil)
		return true
	}
	if s.hangs(h.ID) {
		return true
	}
	switch h.ID {
	case pdu.BindTransceiverID, pdu.BindTransmitterID, pdu.BindReceiverID:
		return c.bind(h, p, kind)
	case pdu.EnquireLinkID:
		s.stats.enquireLinks.Add(1)
		c.reply(pdu.EnquireLinkRespID, 0, h.Seq, nil)
	case pdu.UnbindID:
		s.stats.unbinds.Add(1)
		c.reply(pdu.UnbindRespID, 0, h.Seq, nil)
		return false
	case pdu.UnbindRespID:
		return false
	case pdu.DeliverSMRespID, pdu.DataSMRespID:
		s.answered(c, h.Seq, CommandStatus(h.Status)) // before the count, so that the count says it is handled
		s.stats.deliverAcks.Add(1)
	case pdu.GenericNACKID:
		s.answered(c, h.Seq, CommandStatus(h.Status))
	case pdu.EnquireLinkRespID:
	case pdu.SubmitSMID:
		if kind != pdu.BindTransmitterID && kind != pdu.BindTransceiverID {
			c.reply(pdu.SubmitSMRespID, StatusInvalidBind, h.Seq, []byte{0})
			return true
		}
		s.submit(c, h, p)
	default:
		if h.ID&wire.RespBit == 0 {
			c.reply(pdu.GenericNACKID, 0x03, h.Seq, nil) // ESME_RINVCMDID
		}
	}
	return true
}

// bind checks the credentials of a bind; a refused bind ends the
// connection after its answer.
func (c *sconn) bind(h *pdu.Header, p pdu.Body, kind pdu.ID) bool {
	s := c.s
	resp := h.ID | wire.RespBit
	body := cstring(nil, "smsctest")
	if kind != 0 {
		c.reply(resp, 0x05, h.Seq, body) // ESME_RALYBND
		return true
	}
	f := p.Fields()
	var status CommandStatus
	switch {
	case str(f, pdufield.SystemID) != s.cfg.SystemID:
		status = StatusInvalidSysID
	case str(f, pdufield.Password) != s.cfg.Password:
		status = StatusInvalidPass
	}
	if status != 0 {
		s.stats.bindsRefused.Add(1)
		c.reply(resp, status, h.Seq, body)
		return false
	}
	c.mu.Lock()
	c.kind, c.systemID = h.ID, s.cfg.SystemID
	c.mu.Unlock()
	s.stats.bound(h.ID)
	c.reply(resp, 0, h.Seq, body)
	if h.ID != pdu.BindTransmitterID {
		s.flushWaiting()
	}
	return true
}

func str(f pdufield.Map, n pdufield.Name) string {
	if v := f[n]; v != nil {
		return v.String()
	}
	return ""
}

func fixed(f pdufield.Map, n pdufield.Name) uint8 {
	if v, ok := f[n].(*pdufield.Fixed); ok {
		return v.Data
	}
	return 0
}
