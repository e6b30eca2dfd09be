// Package memtransport is an in-memory transport for tests and examples. It
// records every message it is handed, answers with operator ids, sends
// delivery reports on a configurable schedule, and injects faults
// (throttled, rejected, not sent, outcome unknown) on demand — for a whole
// submit, or for one part of a multipart message, whose rest it can then
// send (transport.PartSubmitter) — so that an application's own tests can
// exercise every path of the Client without an operator.
package memtransport
