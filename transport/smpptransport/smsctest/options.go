package smsctest

import (
	"crypto/tls"
	"time"
)

// ReceiptPolicy says when the simulator sends delivery receipts.
type ReceiptPolicy int

// The receipt policies.
const (
	// ReceiptsWhenRequested sends a receipt for every accepted part whose
	// submit_sm asked for one in registered_delivery (SMPP's rule).
	ReceiptsWhenRequested ReceiptPolicy = iota
	// ReceiptsAlways sends a receipt for every accepted part.
	ReceiptsAlways
	// ReceiptsNever sends none (faults that need a receipt still send it).
	ReceiptsNever
)

// Receipt is what a delivery receipt reports, handed to
// Options.ReceiptText to simulate an operator's own receipt format.
type Receipt struct {
	// ID is the message id as the receipt text writes it (ReceiptIDBase).
	ID string
	// Stat and Err are the receipt's stat and err fields.
	Stat, Err string
	// Submitted and Done are the submit and done dates.
	Submitted, Done time.Time
	// Text is the first 20 characters of the part, as SMSCs quote it.
	Text string
}

// Options configures a Server. The zero value (or nil) is a working SMSC
// with the default credentials that answers with decimal ids and sends
// DELIVRD receipts when asked.
type Options struct {
	// SystemID and Password are the credentials binds must present.
	// Defaults DefaultSystemID and DefaultPassword.
	SystemID, Password string
	// IDBase is the base of the ids in submit_sm_resp and the
	// receipted_message_id TLV: 10 (default) or 16 (upper-case hex).
	IDBase int
	// ReceiptIDBase is the base of the id in receipt texts: 10 (default)
	// or 16 (upper-case hex).
	ReceiptIDBase int
	// Receipts chooses when receipts are sent.
	Receipts ReceiptPolicy
	// ReceiptStat is the stat receipts report. Default "DELIVRD".
	ReceiptStat string
	// ReceiptErr is the err receipts report. Default "000".
	ReceiptErr string
	// ReceiptDelay delays every receipt after the submit_sm_resp.
	ReceiptDelay time.Duration
	// ReceiptTLVs adds the receipted_message_id and message_state TLVs.
	ReceiptTLVs bool
	// RedeliveryDelay is how long a receipt whose deliver_sm_resp (or
	// generic_nack) carries a non-zero command_status, such as
	// ESME_RX_T_APPN, or whose connection closed before answering it,
	// waits before it is delivered again, as real SMSCs retry refused
	// and unacknowledged receipts. Default DefaultRedeliveryDelay.
	RedeliveryDelay time.Duration
	// MaxDeliveries bounds how many times one receipt is delivered, the
	// first delivery included; a receipt refused (or left unanswered)
	// that many times is dropped. 1 never redelivers; zero or less:
	// DefaultMaxDeliveries.
	MaxDeliveries int
	// ReceiptText formats receipt texts; nil: the SMPP 3.4 appendix B
	// format "id:… sub:001 dlvrd:… submit date:… done date:… stat:… err:…
	// text:…".
	ReceiptText func(Receipt) string
	// ThrottleEvery answers every Nth submit_sm with ESME_RTHROTTLED.
	ThrottleEvery int
	// MaxRate answers submit_sm above this many per second with
	// ESME_RTHROTTLED: a token bucket that holds a second's worth of
	// submits (at least one), so a window of submits sent together within
	// the rate passes. Zero: no limit.
	MaxRate float64
	// TLS, when set, makes the server speak TLS.
	TLS *tls.Config
}

// The default credentials.
const (
	DefaultSystemID = "advox"
	DefaultPassword = "secret"
)

// The redelivery defaults.
const (
	DefaultRedeliveryDelay = 50 * time.Millisecond
	DefaultMaxDeliveries   = 5
)

func (c *Options) withDefaults() Options {
	var out Options
	if c != nil {
		out = *c
	}
	if out.SystemID == "" {
		out.SystemID = DefaultSystemID
	}
	if out.Password == "" {
		out.Password = DefaultPassword
	}
	if out.IDBase != 16 {
		out.IDBase = 10
	}
	if out.ReceiptIDBase != 16 {
		out.ReceiptIDBase = 10
	}
	if out.ReceiptStat == "" {
		out.ReceiptStat = "DELIVRD"
	}
	if out.ReceiptErr == "" {
		out.ReceiptErr = "000"
	}
	if out.RedeliveryDelay <= 0 {
		out.RedeliveryDelay = DefaultRedeliveryDelay
	}
	if out.MaxDeliveries <= 0 {
		out.MaxDeliveries = DefaultMaxDeliveries
	}
	return out
}
