package smsctest

import (
	"fmt"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// outbound is a receipt, or a part of a message from a handset, on its
// way to a receiver bind.
type outbound struct {
	systemID string
	body     []byte
	// deliveries counts the times it was sent before.
	deliveries int
	// cmd is the PDU it goes in: deliver_sm (0 means it too) or data_sm.
	cmd pdu.ID
	// mo describes a part of a message from a handset (nil: a receipt).
	mo *moPart
}

// receipt builds the deliver_sm body reporting an accepted part.
func (s *Server) receipt(sub Submit, n uint64, submitted time.Time, stat string) outbound {
	if stat == "" {
		stat = s.cfg.ReceiptStat
	}
	text := []rune(sub.Text)
	if len(text) > 20 {
		text = text[:20]
	}
	r := Receipt{
		ID: formatID(n, s.cfg.ReceiptIDBase), Stat: stat, Err: s.cfg.ReceiptErr,
		Submitted: submitted, Done: time.Now(), Text: string(text),
	}
	format := s.cfg.ReceiptText
	if format == nil {
		format = standardReceipt
	}
	var tlvs []byte
	if s.cfg.ReceiptTLVs {
		tlvs = tlv(tlvs, 0x001E, cstring(nil, sub.MessageID))
		tlvs = tlv(tlvs, 0x0427, []byte{messageState(stat)})
	}
	dlvrFrom := sub.Dest // the receipt comes from the recipient
	return outbound{
		systemID: sub.SystemID,
		body:     deliverBody(dlvrFrom, sub.Source, format(r), tlvs),
	}
}

// standardReceipt is the SMPP 3.4 appendix B receipt text.
func standardReceipt(r Receipt) string {
	dlvrd := "000"
	if r.Stat == "DELIVRD" {
		dlvrd = "001"
	}
	return fmt.Sprintf("id:%s sub:001 dlvrd:%s submit date:%s done date:%s stat:%s err:%s text:%s",
		r.ID, dlvrd, r.Submitted.UTC().Format("0601021504"), r.Done.UTC().Format("0601021504"), r.Stat, r.Err, r.Text)
}

// messageState is the message_state TLV value of a stat.
func messageState(stat string) byte {
	switch stat {
	case "ENROUTE":
		return 1
	case "DELIVRD":
		return 2
	case "EXPIRED":
		return 3
	case "DELETED":
		return 4
	case "UNDELIV":
		return 5
	case "ACCEPTD":
		return 6
	case "REJECTD":
		return 8
	}
	return 7 // UNKNOWN
}

// sendReceipt sends a receipt. With on set (and able to receive) it goes
// there with sequence number seq; otherwise to a receiver bind of the
// same system id, round robin, or it waits for one to bind.
func (s *Server) sendReceipt(o outbound, on *sconn, seq uint32) {
	if on == nil || !on.receives(o.systemID) {
		on, seq = s.receiver(o.systemID), 0
	}
	if on == nil {
		s.mu.Lock()
		s.waiting = append(s.waiting, o)
		s.mu.Unlock()
		return
	}
	if seq == 0 {
		seq = on.nextSeq()
	}
	o.deliveries++
	if !on.sent(seq, o) { // before the write, which the answer may overtake
		o.deliveries--
		s.sendReceipt(o, nil, 0) // closed meanwhile: another receiver, or wait
		return
	}
	s.stats.delivers.Add(1)
	if o.deliveries > 1 {
		s.stats.redeliveries.Add(1)
	}
	// A failed write closes the connection, whose end hands the receipt
	// to unanswered.
	cmd := o.cmd
	if cmd == 0 {
		cmd = pdu.DeliverSMID
	}
	_ = on.write(cmd, 0, seq, o.body)
}

// unanswered delivers again, after Options.RedeliveryDelay and within
// Options.MaxDeliveries, the receipts a closed connection never answered,
// as an SMSC does when a receiver goes away without acknowledging them.
func (s *Server) unanswered(inflight map[uint32]outbound) {
	for _, o := range inflight {
		s.redeliver(o)
	}
}

// redeliver sends o again after Options.RedeliveryDelay, unless it has been
// delivered Options.MaxDeliveries times already.
func (s *Server) redeliver(o outbound) {
	if o.deliveries < s.cfg.MaxDeliveries {
		s.after(s.cfg.RedeliveryDelay, func() { s.sendReceipt(o, nil, 0) })
	}
}

// answered handles the answer to a deliver_sm or data_sm: a receipt or
// part refused with a non-zero status is delivered again after
// Options.RedeliveryDelay, up to Options.MaxDeliveries times in all; one
// accepted is done. The answers to parts of messages from handsets are
// recorded (MOAnswers).
func (s *Server) answered(c *sconn, seq uint32, status CommandStatus) {
	o, ok := c.answered(seq)
	if ok && o.mo != nil {
		s.mu.Lock()
		s.moAnswers = append(s.moAnswers, MOAnswer{To: o.mo.to, Ref: o.mo.ref, Part: o.mo.part, Delivery: o.deliveries, Status: status})
		s.mu.Unlock()
	}
	if !ok || status == 0 {
		return
	}
	s.stats.deliverRefusals.Add(1)
	s.redeliver(o)
}

func (s *Server) receiver(systemID string) *sconn {
	conns := s.connections()
	s.mu.Lock()
	s.rr++
	start := s.rr
	s.mu.Unlock()
	for i := range conns {
		if c := conns[(start+i)%len(conns)]; c.receives(systemID) {
			return c
		}
	}
	return nil
}

// flushWaiting sends the receipts that waited for a receiver bind.
func (s *Server) flushWaiting() {
	s.mu.Lock()
	waiting := s.waiting
	s.waiting = nil
	s.mu.Unlock()
	for _, o := range waiting {
		s.sendReceipt(o, nil, 0)
	}
}
