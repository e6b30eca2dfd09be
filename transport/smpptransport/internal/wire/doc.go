// Package wire frames SMPP PDUs on a connection for smpptransport and its
// simulator smsctest: reading one whole PDU at a time so that a PDU
// go-smpp cannot decode never desynchronises the stream, decoding with
// go-smpp's codec behind a recover (it parses outside input), and a
// writer that batches concurrent PDUs into one flush; and the UTF-16BE
// text coding of UCS-2 short messages, which both sides read and write.
// It holds no session logic (binds, windows, receipts): each side keeps
// its own.
package wire
