// Package smsctest is an embeddable SMPP 3.4 SMSC simulator for tests,
// examples and benchmarks: what an application uses to exercise its SMPP
// sending without an operator, in the manner of net/http/httptest.
//
// A Server listens on a loopback port, checks bind credentials (transmitter,
// receiver and transceiver binds), answers submit_sm with message ids
// (decimal or hex), sends a delivery receipt per accepted part (with a
// configurable outcome, format and delay), delivers a receipt again when
// the client answers it with a non-zero command_status such as
// ESME_RX_T_APPN or its connection closes before answering it (after a
// configurable delay, a bounded number of times),
// answers enquire_link and unbind, and records every submit_sm and every
// reassembled message so that tests can assert on what went over the wire.
//
// InjectMO delivers messages from handsets the way SMSCs do: single or
// concatenated (user data header with 8- or 16-bit reference, or SAR
// TLVs), in short_message or message_payload, as deliver_sm or data_sm,
// in any data coding (raw user data too, to test malformed input), parts
// in any order and duplicated. Like receipts, a part the client refuses
// with a non-zero command_status (ESME_RX_T_APPN) or leaves unanswered is
// delivered again; MOAnswers records every answer, so tests can assert
// that a failing handler got the part redelivered.
//
// Faults make it misbehave the way real SMSCs do: throttling every Nth
// submit or above a rate, queue full, refusal with any command_status,
// delayed or missing answers, dropped connections, a deliver_sm whose
// sequence number collides with a pending submit_sm, duplicate receipts,
// receipts that overtake their submit_sm_resp, and a restart that gives
// message ids already given again (Server.Restart). Outages hit the whole
// server: Hang (binds answered, nothing else), Freeze (nothing read or
// answered while connections stay up), and Stop then Start (a crash and
// a restart on the same address, with what it had recorded).
//
// It does not import smpptransport (it has its own CommandStatus, for
// one; only the PDU framing of smpptransport/internal/wire is common) and
// holds no client side; the conformance harness that runs the
// transporttest suite against it is smscconformance.
package smsctest
