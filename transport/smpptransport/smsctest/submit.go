package smsctest

import (
	"strconv"
	"strings"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// submit handles one submit_sm: record it, apply its fault, answer, and
// send its receipts.
func (s *Server) submit(c *sconn, h *pdu.Header, p pdu.Body) {
	sub := parseSubmit(p)
	sub.SystemID, sub.Seq = c.systemID, h.Seq
	now := time.Now()
	s.mu.Lock()
	f := s.nextFault()
	var n uint64
	if f.Status == 0 && !f.Drop {
		n = s.nextID.Add(1)
		sub.MessageID = formatID(n, s.cfg.IDBase)
	}
	sub.Status = f.Status
	sub.Answered = !f.NoAnswer && !f.Drop
	s.submits = append(s.submits, sub)
	if sub.MessageID != "" {
		s.assemble(sub)
	}
	s.mu.Unlock()
	s.stats.submits.Add(1)

	switch {
	case f.Drop:
		c.close()
		return
	case f.NoAnswer:
		return
	}
	// answer runs on the reader (reply buffers) or, delayed, on a timer
	// (write sends at once).
	answer := func(send func(pdu.ID, CommandStatus, uint32, []byte)) {
		if f.Status != 0 {
			send(pdu.SubmitSMRespID, f.Status, h.Seq, []byte{0})
			return
		}
		receipt := func() outbound { return s.receipt(sub, n, now, f.ReceiptStat) }
		if f.CollidingDeliver {
			s.sendReceipt(receipt(), c, h.Seq)
		}
		if f.ReceiptFirst {
			s.sendReceipt(receipt(), nil, 0)
		}
		send(pdu.SubmitSMRespID, 0, h.Seq, cstring(nil, sub.MessageID))
		times := 0
		switch {
		case f.DuplicateReceipt: // a fault that needs its receipt, whatever the policy
			times = 2
		case s.wantsReceipt(sub):
			times = 1
		}
		for range times {
			if d := s.cfg.ReceiptDelay; d > 0 {
				s.after(d, func() { s.sendReceipt(receipt(), nil, 0) })
			} else {
				s.sendReceipt(receipt(), nil, 0)
			}
		}
	}
	if f.Delay > 0 {
		s.after(f.Delay, func() {
			answer(func(id pdu.ID, st CommandStatus, seq uint32, b []byte) { _ = c.write(id, st, seq, b) })
			if f.DropAfter {
				c.close()
			}
		})
		return
	}
	answer(c.reply)
	if f.DropAfter {
		_ = c.w.Flush()
		c.close()
	}
}

func (s *Server) wantsReceipt(sub Submit) bool {
	switch s.cfg.Receipts {
	case ReceiptsAlways:
		return true
	case ReceiptsNever:
		return false
	}
	return sub.RegisteredDelivery&0x03 != 0
}

func formatID(n uint64, base int) string {
	if base == 16 {
		return strings.ToUpper(strconv.FormatUint(n, 16))
	}
	return strconv.FormatUint(n, 10)
}
