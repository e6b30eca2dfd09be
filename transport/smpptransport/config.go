package smpptransport

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/azenna/advox/transport"
)

// BindMode says which binds a session opens.
type BindMode int

// The bind modes.
const (
	// Transceiver opens one transceiver bind per session that submits and
	// receives delivery receipts.
	Transceiver BindMode = iota
	// TransmitterReceiver opens a transmitter bind for submits and a
	// separate receiver bind for delivery receipts per session.
	TransmitterReceiver
)

// OutagePolicy says what a Submit does while its session is not bound.
type OutagePolicy int

// The outage policies.
const (
	// OutageWait makes Submit wait for the rebind, bounded by its ctx.
	OutageWait OutagePolicy = iota
	// OutageFailFast makes Submit fail at once with an error wrapping
	// transport.ErrNotSent.
	OutageFailFast
)

// AddrType is an SMPP type of number and numbering plan indicator.
type AddrType struct {
	TON uint8 // type of number: 1 international, 3 network specific, 5 alphanumeric, …
	NPI uint8 // numbering plan indicator: 0 unknown, 1 ISDN/E.164, …
}

// Config configures a Transport. Addr and SystemID are required; every
// zero field takes the default documented on it.
type Config struct {
	// Name makes the transport's Name "smpp:"+Name; empty: "smpp:"+Addr.
	Name string
	// Operator declares the operator this transport hands messages to
	// (its name, country and data processing agreement): a Client given
	// no sub-processor register (advox.Options.Processors) registers it
	// itself (transport.Operated). The zero value declares none; the
	// application registers the operator instead.
	Operator transport.Operator
	// Addr is the SMSC's host:port.
	Addr string
	// SystemID, Password and SystemType are the bind credentials.
	SystemID   string
	Password   string
	SystemType string
	// ServiceType is the submit_sm service_type (usually empty).
	ServiceType string
	// BindMode chooses transceiver binds (default) or transmitter +
	// receiver pairs.
	BindMode BindMode
	// TLS, when set, wraps every connection in TLS.
	TLS *tls.Config
	// Sessions is how many sessions (binds, or bind pairs) share the
	// load. Default 1.
	Sessions int
	// Window is the maximum number of submit_sm awaiting a response per
	// session. A full window makes Submit wait. Default DefaultWindow.
	Window int
	// MaxRate caps submit_sm PDUs per second over all sessions (every
	// part of a multipart message counts): the contract rate. Throttled
	// answers lower the rate the transport holds itself to below it, and
	// accepted submits raise it back up to it (see the package
	// documentation). Zero: no cap, and no pacing until the SMSC first
	// throttles. Acknowledgements and enquire_link are never paced.
	MaxRate float64
	// Burst is the rate limiter's burst when MaxRate is set. Default 1.
	Burst int
	// EnquireLink is the keep-alive interval. Default 30s.
	EnquireLink time.Duration
	// RespTimeout bounds the wait for any response, and dial plus bind.
	// A submit whose response does not arrive in time has an unknown
	// outcome. Default 10s.
	RespTimeout time.Duration
	// HangTimeout is how long a submit_sm may wait for its answer with no
	// submit answered at all on its connection meanwhile before the
	// session is declared hung: it then takes no new submit, the submits
	// waiting for its window are handed back (as not sent when failing
	// fast) and it rebinds, while the submits already written wait out
	// RespTimeout. Default RespTimeout/2; at least RespTimeout disables
	// it (a submit's own timeout then retires nothing).
	HangTimeout time.Duration
	// ValidityPeriod is sent when a message has no ValidFor of its own.
	// Zero: the SMSC's default.
	ValidityPeriod time.Duration
	// RegisteredDelivery is the registered_delivery value sent when a
	// message asks for a report. Default 1 (final receipt).
	RegisteredDelivery uint8
	// Source and Dest override the TON/NPI chosen from the address
	// (alphanumeric sender 5/0, international number 1/1, short code 3/0).
	Source, Dest *AddrType
	// Payload sends each message as one submit_sm with the whole text in
	// the message_payload TLV instead of one submit_sm per part.
	Payload bool
	// Outage chooses what Submit does while not bound. Default OutageWait.
	Outage OutagePolicy
	// Backoff is the pause before bind attempt n (n ≥ 1) after a failure or
	// a lost connection. n counts the failed binds and the sessions lost
	// less than 30s (DefaultBackoff's cap) after their bind; it starts over
	// at 1 only when a session that stayed bound for at least 30s is lost,
	// so an SMSC that accepts binds and drops them at once sees the pause
	// grow. Default DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// ThrottleRetryAfter is the retry hint attached to throttled and
	// queue-full answers. Zero: the interval of one submit at the rate the
	// answer left the transport at.
	ThrottleRetryAfter time.Duration
	// SubmitIDBase and ReceiptIDBase are the number bases the SMSC writes
	// message ids in: in submit_sm_resp (and the receipted_message_id TLV),
	// and in the text of delivery receipts. 10 or 16: ids are parsed as
	// numbers and normalised to decimal on both sides. 0 (both): ids are
	// opaque, compared case-insensitively without leading zeros; receipts
	// whose ids then look written in another base than the answers' are
	// logged once, with the bases to set. Set both or neither.
	SubmitIDBase, ReceiptIDBase int
	// ReceiptLocation is the time zone of receipt dates. Default UTC.
	ReceiptLocation *time.Location
	// DeliverWindow is how many deliver_sm and data_sm handlers may run at
	// once per connection. The SMSC's own window usually bounds them
	// first; beyond it a PDU is answered ESME_RX_T_APPN, for the SMSC to
	// deliver again later, so that the reader never waits. Default
	// DefaultDeliverWindow.
	DeliverWindow int
	// DefaultCoding is the alphabet the SMSC means by data_coding 0 (its
	// default alphabet) in what it delivers: transport.CodingGSM7
	// (unpacked septets; the default), transport.CodingLatin1 or
	// transport.CodingASCII.
	DefaultCoding transport.Coding
	// Now is the clock that stamps inbound messages (deliver_sm carries no
	// time of its own). Default time.Now.
	Now func() time.Time
	// Logger receives connection events and dropped reports, never a phone
	// number, password or message text. Default slog.Default().
	Logger *slog.Logger

	// stableAfter is how long a session must stay bound for the backoff
	// to start over; tests shorten it. Default stableSession.
	stableAfter time.Duration
}

// Defaults.
const (
	DefaultWindow      = 10
	DefaultEnquireLink = 30 * time.Second
	DefaultRespTimeout = 10 * time.Second
	// DefaultDeliverWindow is the default Config.DeliverWindow.
	DefaultDeliverWindow = 64

	// stableSession is how long a session must stay bound for the backoff
	// to start over (see Config.Backoff).
	stableSession = 30 * time.Second
)

// DefaultBackoff doubles from 250ms up to 30s, with ±20% jitter so that
// many sessions do not rebind in lockstep.
func DefaultBackoff(attempt int) time.Duration {
	d := 250 * time.Millisecond
	for i := 1; i < attempt && d < 30*time.Second; i++ {
		d *= 2
	}
	d = min(d, 30*time.Second)
	return d - d/5 + time.Duration(rand.Int64N(int64(d/5)*2+1))
}

// withDefaults validates c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Addr == "" {
		return c, errors.New("smpptransport: Config.Addr is required")
	}
	if c.SystemID == "" {
		return c, errors.New("smpptransport: Config.SystemID is required")
	}
	for _, n := range []int{c.Sessions, c.Window, c.Burst} {
		if n < 0 {
			return c, errors.New("smpptransport: negative Sessions, Window or Burst")
		}
	}
	if c.MaxRate < 0 {
		return c, errors.New("smpptransport: negative MaxRate")
	}
	if c.BindMode != Transceiver && c.BindMode != TransmitterReceiver {
		return c, fmt.Errorf("smpptransport: unknown BindMode %d", c.BindMode)
	}
	if c.Outage != OutageWait && c.Outage != OutageFailFast {
		return c, fmt.Errorf("smpptransport: unknown Outage policy %d", c.Outage)
	}
	if (c.SubmitIDBase == 0) != (c.ReceiptIDBase == 0) {
		return c, errors.New("smpptransport: set both SubmitIDBase and ReceiptIDBase or neither")
	}
	for _, b := range []int{c.SubmitIDBase, c.ReceiptIDBase} {
		if b != 0 && b != 10 && b != 16 {
			return c, fmt.Errorf("smpptransport: id base %d is not 10 or 16", b)
		}
	}
	if c.DeliverWindow < 0 {
		return c, errors.New("smpptransport: negative DeliverWindow")
	}
	switch c.DefaultCoding {
	case "":
		c.DefaultCoding = transport.CodingGSM7
	case transport.CodingGSM7, transport.CodingLatin1, transport.CodingASCII:
	default:
		return c, fmt.Errorf("smpptransport: DefaultCoding %q is not gsm7, latin1 or ascii", c.DefaultCoding)
	}
	if c.DeliverWindow == 0 {
		c.DeliverWindow = DefaultDeliverWindow
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Name == "" {
		c.Name = c.Addr
	}
	if c.Sessions == 0 {
		c.Sessions = 1
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.Burst == 0 {
		c.Burst = 1
	}
	if c.EnquireLink <= 0 {
		c.EnquireLink = DefaultEnquireLink
	}
	if c.RespTimeout <= 0 {
		c.RespTimeout = DefaultRespTimeout
	}
	if c.HangTimeout <= 0 {
		c.HangTimeout = c.RespTimeout / 2
	}
	if c.RegisteredDelivery == 0 {
		c.RegisteredDelivery = 1
	}
	if c.Backoff == nil {
		c.Backoff = DefaultBackoff
	}
	if c.stableAfter <= 0 {
		c.stableAfter = stableSession
	}
	if c.ReceiptLocation == nil {
		c.ReceiptLocation = time.UTC
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}
