package wire

import (
	"bufio"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Writer writes whole PDUs to a connection from many goroutines. A writer
// that sees others queued behind it leaves the flush to the last of them,
// so a burst of concurrent PDUs costs one system call instead of one each.
type Writer struct {
	nc      net.Conn
	timeout time.Duration
	waiting atomic.Int32

	mu  sync.Mutex
	bw  *bufio.Writer
	err error
}

// NewWriter returns a Writer on nc. A positive timeout bounds each write:
// a peer that stops reading breaks the connection instead of blocking
// senders forever.
func NewWriter(nc net.Conn, timeout time.Duration) *Writer {
	return &Writer{nc: nc, timeout: timeout, bw: bufio.NewWriterSize(nc, 32<<10)}
}

// Write writes one encoded PDU. An error means the PDU did not completely
// leave the process, so the peer cannot have acted on it; the connection is
// closed then, since the stream is out of sync. A nil error means the PDU
// left, or sits in the buffer that a queued writer is about to flush.
func (w *Writer) Write(b []byte) error { return w.write(b, true) }

// Buffer writes one encoded PDU without flushing it: for a reader that
// answers a batch of PDUs and calls Flush when its input runs dry. Any
// later Write flushes it too.
func (w *Writer) Buffer(b []byte) error { return w.write(b, false) }

// Flush sends what Buffer left in the buffer.
func (w *Writer) Flush() error { return w.write(nil, true) }

func (w *Writer) write(b []byte, flush bool) error {
	w.waiting.Add(1)
	w.mu.Lock()
	w.waiting.Add(-1)
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if len(b) == 0 && w.bw.Buffered() == 0 {
		return nil
	}
	if w.timeout > 0 {
		_ = w.nc.SetWriteDeadline(time.Now().Add(w.timeout))
	}
	_, err := w.bw.Write(b)
	if err == nil && flush && w.waiting.Load() == 0 {
		err = w.bw.Flush()
	}
	if err != nil {
		w.err = err
		_ = w.nc.Close()
	}
	return err
}
