// Package smpptransport is an SMPP 3.4 transport for advox: a production
// ESME client that sends each message the Client segmented as submit_sm
// PDUs, turns delivery receipts into transport.Report values and messages
// from handsets into transport.Inbound parts. A Client sends through it
// once the operator is declared as a sub-processor; in a function of the
// SMSC's address and credentials and a traffic store, returning
// (*advox.Client, error):
//
//	tr, err := smpptransport.New(smpptransport.Config{
//		Addr: addr, SystemID: systemID, Password: password,
//		Sessions: 2, Window: 64, MaxRate: 100,
//	})
//	if err != nil {
//		return nil, err
//	}
//	// Data goes only to declared sub-processors: register the operator.
//	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)))
//	if err != nil {
//		return nil, errors.Join(err, tr.Close())
//	}
//	client, err := advox.NewClient(tr, store, &advox.Options{Processors: procs})
//	if err != nil {
//		return nil, errors.Join(err, tr.Close())
//	}
//	return client, nil
//
// Example_client runs exactly this against the SMSC simulator.
//
// # Why its own session layer
//
// The package uses github.com/fiorix/go-smpp for its PDU codec only — it
// decodes everything the SMSC sends with pdu.Decode and builds the session
// PDUs (binds, enquire_link, unbind, responses) with pdu.New* — and runs
// its own sessions over net.Conn. submit_sm, the hot path, is encoded
// straight into one buffer, and submit_sm_resp read without the decoder:
// the codec builds maps per PDU. deliver_sm and data_sm are read by the
// package itself: the codec has no data_sm, and reads a user data header
// whose lengths lie into the wrong fields. The pinned go-smpp's client
// types have defects that would reach users and cannot be wrapped away:
//
//   - Responses are matched on sequence number alone, so a deliver_sm whose
//     sequence number equals a pending submit_sm's fails that submit and
//     loses the receipt (upstream issue 87). Here only responses (command_id
//     with the high bit set) are matched against pending requests, and on
//     (sequence number, expected command_id); a request from the SMSC never
//     touches them.
//   - The transceiver calls the handler on its reader, so a slow handler
//     stalls every submit's answer, and its rate limiter also paces
//     deliver_sm_resp and enquire_link. Here each deliver_sm runs its
//     handler on a goroutine of its own (at most Config.DeliverWindow per
//     connection) and is answered when the handler returns, while the
//     reader goes on; the throughput limit paces submit_sm only.
//   - Its window fails with ErrMaxWindowSize instead of waiting, and its
//     sequence numbers come from one process-wide counter that never
//     wraps. Here a full window makes Submit wait (bounded by ctx), and each
//     connection has its own sequence numbers wrapping within 1..0x7FFFFFFF.
//   - SubmitLongMsg splits at fixed byte offsets and pdutext.GSM7 passes
//     unencodable text through. Here the Client's parts are sent exactly as
//     given (package gsm7 refuses what GSM-7 cannot carry).
//
// # Sending
//
// Each part becomes one submit_sm with data_coding 0 (GSM-7, unpacked
// septets) or 8 (UCS-2, UTF-16BE); a multipart message carries a
// concatenation header (esm_class 0x40, 8- or 16-bit reference rotating per
// session). With Config.Payload the whole text goes in one submit_sm's
// message_payload TLV instead. Parts go in order on one session, each after
// the previous was accepted. TON/NPI follow the address (alphanumeric 5/0,
// international 1/1, short code 3/0) unless Config overrides them.
//
// # Error classification
//
// Every error wraps exactly one of the transport sentinels:
//
//   - ESME_RTHROTTLED and ESME_RMSGQFUL: ErrThrottled, with a retry hint
//     (see Throttling).
//   - ESME_RSYSERR and ESME_RX_T_APPN: ErrNotSent.
//   - ESME_RINVBNDSTS (the SMSC says the session is not bound for
//     transmit): ErrNotSent, and the session unbinds and rebinds.
//   - not bound, context done before the write, a failed write: ErrNotSent.
//   - no response within RespTimeout, or the connection lost, after the
//     write: ErrOutcomeUnknown (the Client never retries it).
//   - any other command_status: ErrRejected, as a *StatusError naming it.
//
// When a later part of a multipart message fails, the error is a
// *transport.PartialError listing the ids of the accepted parts, Resumable:
// the Transport is a transport.PartSubmitter, and SubmitParts sends the
// rest under the same concatenation reference and part numbers, so the
// handset gets one message (the Client does so for parts not sent).
//
// # Throttling
//
// The transport converges on the rate the SMSC really takes instead of
// writing submits only to have them refused: each throttled answer to a
// submit paced since the last cut lowers the rate it holds itself to, to
// 80% of that rate (or of the rate accepted over the last second, if
// lower), and accepted submits raise it again — by 20% of the rate before
// the cut per second up to 95% of it, then by 2% per second, probing
// beyond: additive increase, multiplicative decrease — never above
// Config.MaxRate, the contract rate. Without MaxRate nothing
// is paced until the SMSC first throttles. A throttled answer's retry
// hint is the interval of one submit at the new rate (or
// Config.ThrottleRetryAfter). Stats reports the rate and the throttled
// answers.
//
// # Delivery receipts
//
// deliver_sm with a receipt esm_class is parsed: the receipted_message_id
// and message_state TLVs win when present, else the text form "id:… sub:…
// dlvrd:… submit date:… done date:… stat:… err:… text:…" in its real-world
// variants. The text field (the start of the message) is never kept.
// Message ids are normalised the same way on both sides (see
// Config.SubmitIDBase); with the bases unset, receipts whose ids look
// written in another base than the answers' (hex answers, decimal
// receipts) are logged once with the bases to set. Receipts that cannot be
// used are counted in Stats
// and logged with the id masked, and acknowledged (a redelivery would not
// help). A receipt is acknowledged only once the report handler returned
// nil; a handler error is answered with ESME_RX_T_APPN, which asks the
// SMSC to keep the receipt and deliver it again later, and so is a receipt
// that arrives before a report handler is set (SetReportHandler), so that
// receipts queued while the application was down are not lost during its
// start-up.
//
// # Inbound messages
//
// A deliver_sm or data_sm that is no receipt is a message from a handset:
// each becomes one transport.Inbound part for the inbound handler
// (SetInboundHandler), answered like a receipt — 0 once the handler took
// it, ESME_RX_T_APPN when it failed or none is set, so that the SMSC
// delivers it again. Its user data is short_message or, when that is
// empty, the message_payload TLV (data_sm has only the latter). Data
// codings: 0 is the SMSC's default alphabet, GSM 03.38 unpacked septets
// unless Config.DefaultCoding says Latin-1 or ASCII; 1 IA5/ASCII; 3
// Latin-1; 8 UCS-2, whose raw UTF-16BE units are kept in Inbound.Bytes
// so that a surrogate pair split across parts survives the join
// (transport.JoinText); 2, 4 and the 8-bit GSM classes (0xF4–0xF7) are
// binary, handed over as octets; 5, 6, 7, 9, 0x0A, 0x0D and 0x0E are text
// the transport does not decode, handed over as octets with their
// DataCoding; GSM 03.38's general and message-waiting groups are read by
// their alphabet bits. Concatenation comes from the user data header
// (esm_class 0x40; IEI 0x00, 8-bit reference, or 0x08, 16-bit) or else
// from the SAR TLVs (sar_msg_ref_num, sar_total_segments,
// sar_segment_seqnum). Deliver_sm carries no time: Config.Now stamps it.
//
// Malformed input never panics and never costs a valid part. A PDU whose
// mandatory fields or TLV stream cannot be read names no trustworthy
// sender: it is refused for good with ESME_RINVCMDLEN or
// ESME_RINVOPTPARSTREAM and counted in Stats.Malformed. A PDU that reads
// but whose user data is not what it claims — a header whose lengths run
// past it or do not fill it, a concatenation element of the wrong length
// or two of them, incomplete SAR TLVs, a total of 0, a part number of 0
// or above the total, both short_message and message_payload, GSM or
// ASCII octets above 0x7F, odd-length UCS-2, a lone surrogate (other than
// half a pair at the edge toward a neighbouring part), compressed text or
// a reserved data coding — is handed over flagged Inbound.Malformed, with
// every octet of its user data and no concatenation data, and counted in
// Stats.MalformedInbound: nothing a handset sent is dropped without a
// record. A part "1 of 1" is read as a whole message.
//
// # Sessions
//
// New returns at once and binds in the background; a bind counts once the
// SMSC has also answered one enquire_link on it (an SMSC that takes binds
// and answers nothing else is never up), and every session rebinds with
// backoff after a lost connection. A session on which no submit_sm has
// been answered for Config.HangTimeout while one waited is declared hung:
// it takes no new submit, and rebinds once the submits written on it
// have their answer or their timeout. The backoff starts over only after
// a session that stayed bound for 30s; one lost sooner counts as another
// failed attempt, so an SMSC that keeps dropping fresh binds sees the
// pause grow (see Config.Backoff). What a Submit does meanwhile is
// Config.Outage: wait for the bind (bounded by ctx) or fail fast as not
// sent. Transport implements transport.Linker: Link says whether a
// session is up, and FailFast — which a router calls on its members —
// makes every submit that finds no usable session fail at once as not
// sent, including one waiting for a window slot of a session that is lost
// or declared hung; only submits written to the SMSC can then end with
// an unknown outcome. Close waits for submits in flight, unbinds every
// session and ends every goroutine. A bind is the only request out on its
// connection, so its response is taken whatever sequence number the SMSC
// gave it (some number bind responses their own way; this is logged
// once).
//
// Package smsctest is an SMSC simulator to test against; it also injects
// messages from handsets in every form above.
//
// The package holds the ESME side only: no SMSC (smsctest is one, for
// tests), no routing between operators (router) and no policy of the
// Client (segmentation, retries, recording). Its public API names no type
// of go-smpp: command_status values are its own CommandStatus.
package smpptransport
