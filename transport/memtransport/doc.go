// Package memtransport is an in-memory transport for tests and examples. It
// records every message it is handed, answers with operator ids, sends
// delivery reports on a configurable schedule, and injects faults
// (throttled, rejected, not sent, outcome unknown) on demand — for a whole
// submit, or for one part of a multipart message, whose rest it can then
// send (transport.PartSubmitter) — so that an application's own tests can
// exercise every path of the Client without an operator.
//
// Receive hands an inbound (mobile-originated) message to the inbound
// handler as if a handset had sent it (transport.InboundSource), one call
// per part (Split cuts a text into the parts of one message), and returns
// the handler's error, which a real operator would answer by delivering
// the part again.
//
// It opens no connection and simulates no protocol: for tests of the wire
// use smpptransport against smsctest, or httptransport against
// operatortest.
package memtransport
