package smpptransport

import (
	"context"
	"encoding/binary"
	"errors"

	"github.com/azenna/advox/transport"
	"github.com/fiorix/go-smpp/smpp/pdu"
)

// onDeliver handles a deliver_sm or data_sm from the SMSC: a delivery
// receipt goes to the report handler, anything else — a message from a
// handset — to the inbound handler. The handler runs on a goroutine of
// its own, so the reader goes on reading (submit answers included), and
// the response goes out once the handler has returned: 0 when it took
// the receipt or part, ESME_RX_T_APPN when it failed, so that the SMSC
// delivers it again. What can be answered at once is: a PDU that cannot
// be read (refused for good, see answerOf), a receipt that names no
// message or status (acknowledged and dropped: a redelivery would not
// help), anything that comes while no handler is set, while closing, or
// beyond Config.DeliverWindow of this connection (ESME_RX_T_APPN: later).
func (l *link) onDeliver(c *conn, h *pdu.Header, body []byte) {
	t := l.t
	s, err := parseSM(h.ID, body)
	if err != nil {
		t.stats.malformed.Add(1)
		t.cfg.Logger.Warn("smpp: unreadable PDU refused", "transport", t.name, "session", l.session,
			"command", commandName(h.ID), "err", err)
		c.answer(h.ID, h.Seq, answerOf(err))
		return
	}
	job, status := t.jobOf(l, s)
	if job == nil {
		c.answer(h.ID, h.Seq, status)
		return
	}
	if t.closed.Load() || !c.startDeliver() {
		t.stats.busy.Add(1)
		c.answer(h.ID, h.Seq, StatusTempAppError)
		return
	}
	t.wg.Add(1) // the reader, counted itself, keeps the count above zero
	go func() {
		defer t.wg.Done()
		defer c.endDeliver()
		status := CommandStatus(0)
		if err := job(t.closeCtx); err != nil {
			t.stats.refused.Add(1)
			t.cfg.Logger.Info("smpp: handler failed, the SMSC is asked to deliver again", "transport", t.name,
				"session", l.session, "command", commandName(h.ID), "err", err)
			status = StatusTempAppError
		}
		c.respond(h.ID, h.Seq, status)
	}()
}

// jobOf decides what becomes of a PDU that reads: the handler call to make
// (job), or the answer to give at once (status, job nil).
func (t *Transport) jobOf(l *link, s *sm) (job func(context.Context) error, status CommandStatus) {
	r, err := t.reportOf(s)
	switch {
	case errors.Is(err, errNotReceipt):
		h := t.inbound.Load()
		if h == nil {
			t.stats.deferred.Add(1)
			t.cfg.Logger.Info("smpp: inbound message deferred, no handler yet", "transport", t.name, "session", l.session)
			return nil, StatusTempAppError
		}
		in := inboundOf(s, t.cfg.DefaultCoding, t.cfg.Now())
		if in.Malformed != "" {
			t.stats.malformedInbound.Add(1)
			t.cfg.Logger.Warn("smpp: malformed inbound message handed over as octets", "transport", t.name,
				"session", l.session, "why", in.Malformed, "data_coding", in.DataCoding)
		}
		return func(ctx context.Context) error {
			t.stats.inbound.Add(1)
			return (*h)(ctx, in)
		}, 0
	case err != nil:
		t.stats.malformed.Add(1)
		t.cfg.Logger.Warn("smpp: delivery receipt dropped", "transport", t.name, "session", l.session,
			"id", mask(r.OperatorID), "err", err)
		return nil, 0
	}
	h := t.handler.Load()
	if h == nil {
		t.stats.deferred.Add(1)
		t.cfg.Logger.Info("smpp: delivery receipt deferred, no handler yet", "transport", t.name,
			"session", l.session, "id", mask(r.OperatorID))
		return nil, StatusTempAppError
	}
	t.checkReceiptID(r.OperatorID)
	return func(ctx context.Context) error {
		t.stats.reports.Add(1)
		return (*h)(ctx, r)
	}, 0
}

// commandName names deliver_sm and data_sm in logs.
func commandName(id pdu.ID) string {
	if id == pdu.DataSMID {
		return "data_sm"
	}
	return "deliver_sm"
}

// respFrame builds the response to a deliver_sm or data_sm: its body is
// an empty message_id.
func respFrame(id pdu.ID, seq uint32, status CommandStatus) []byte {
	b := make([]byte, pdu.HeaderLen+1)
	binary.BigEndian.PutUint32(b[0:], uint32(len(b)))
	binary.BigEndian.PutUint32(b[4:], uint32(id|0x80000000))
	binary.BigEndian.PutUint32(b[8:], uint32(status))
	binary.BigEndian.PutUint32(b[12:], seq)
	return b
}

// SetInboundHandler implements transport.InboundSource: deliver_sm and
// data_sm that are no delivery receipts are read as parts of messages
// from handsets (see the package documentation) and handed to h, each
// on a goroutine of its own, and answered once h has returned: 0 when it
// took the part, ESME_RX_T_APPN when it failed, so that the SMSC delivers
// the part again. Until a handler is set, they are answered
// ESME_RX_T_APPN (counted in Stats.Deferred): none is lost to a start-up.
func (t *Transport) SetInboundHandler(h transport.InboundHandler) {
	if h == nil {
		t.inbound.Store(nil)
		return
	}
	t.inbound.Store(&h)
}
