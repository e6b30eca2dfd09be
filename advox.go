package advox

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/time/rate"

	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/internal/telemetry"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// Options configures a Client. A nil *Options, and every zero field, means
// the documented default.
type Options struct {
	// Logger receives structured logs; nil means slog.Default(). Recipient numbers
	// are always masked in them.
	Logger *slog.Logger
	// Region is the default ISO 3166 region for national recipient numbers
	// ("SE" turns "070-123 45 67" into "+46701234567"). "" accepts only
	// international numbers.
	Region string
	// Concat is the concatenation reference width multipart messages are
	// sized for; 0 means transport.Concat8.
	Concat transport.Concat
	// MaxSegments refuses longer texts; 0 means DefaultMaxSegments, at
	// most 255 (what concatenation can number).
	MaxSegments int
	// NoReports stops the Client from asking operators for delivery
	// reports.
	NoReports bool
	// AccountLimit is the default per-account send rate; the zero value
	// means DefaultAccountLimit().
	AccountLimit Limit
	// AccountLimits overrides the rate for individual accounts, by account
	// id. A contract rate from Options.Accounts wins over both. NewClient keeps a
	// copy: changing the map afterwards changes nothing. Negative rates and
	// bursts are refused.
	AccountLimits map[string]Limit
	// Accounts, when set, makes Send refuse unknown accounts, apply each
	// account's contract rate and reserve its segments against the monthly
	// quota before submitting (ErrQuotaExceeded). One that is a
	// ClientAttacher (package accounts) erases a deleted account's traffic
	// in this Client's store too, until Close.
	Accounts AccountSource
	// Processors is the register of sub-processors. NewClient refuses a
	// transport the register does not allow (for a transport.Composite,
	// every member): one registered, in the EU/EEA or with a safeguard,
	// and declaring what an operator receives (recipient numbers, sender
	// ids, message text). Until Close the register refuses changes that
	// would no longer allow it. nil means a register of the operators the
	// transport declares itself (transport.Operated: a transport.Operator
	// in its configuration), held to the same rules; a transport that
	// declares none is then allowed only when it hands data to no third
	// party (transport.Local). Client.Processing reports the register in
	// use.
	Processors *processing.Register
	// RetryPolicy decides retries of safe failures; nil means
	// DefaultRetryPolicy.
	RetryPolicy RetryPolicy
	// Backoff spaces retries; nil means DefaultBackoff.
	Backoff Backoff
	// Retention sets record deadlines; the zero value means
	// DefaultRetentionPolicy().
	Retention RetentionPolicy
	// ReportHold is how long a delivery report that matches no record yet
	// (it overtook the submit response) is held for a match, and how long
	// one the store failed to take is tried again; 0 means
	// DefaultReportHold.
	ReportHold time.Duration
	// OperatorIDReuse is the operator's id reuse horizon: the least time
	// after which an operator may give an id it gave one message to
	// another. A report whose operator id is only on records that are
	// final already is either a repeat of a report one of them had or the
	// report of a newer message given the same id whose record is not
	// written yet (an SMSC restarted mid-run counts its ids from 1 again):
	// it is held for ReportHold for that record, and never applied to the
	// final one. If no record claims it, it counts as a repeat (applied)
	// when the newest of those final records is younger than
	// OperatorIDReuse, and as unmatched when it is older. 0 means
	// DefaultOperatorIDReuse.
	OperatorIDReuse time.Duration
	// ReportClockSkew is how far a delivery report's time may lie before
	// its message was submitted, or after the report arrived: operator
	// clocks and receipt dates (whole minutes in SMPP) are not ours. A
	// time further out (a wrong time zone, a date of 1970 or 9999) is
	// replaced by the time the report arrived, and logged once. 0 means
	// DefaultReportClockSkew.
	ReportClockSkew time.Duration
	// Now is the Client's clock; nil means time.Now.
	Now func() time.Time

	// KEK wraps the per-account data keys that seal recipient numbers (and
	// kept bodies) at rest. nil means a random key held only by this
	// process: records sealed under it become unreadable when the process
	// ends — private by default, but set a KEK from configuration or a KMS
	// for traffic that must outlive a restart, together with IndexKey:
	// NewClient refuses a KEK without one. keyring.FromEnv and
	// keyring.FromFile load both in one call.
	KEK keyring.KEK
	// IndexKey keys the HMAC blind index used by FindByRecipient (at
	// least keyring.MinIndexKeyLen bytes, separate from the KEK). nil
	// means a random per-process key, allowed only without a KEK: records
	// sealed under a KEK outlive a restart, and under a per-process index
	// key FindByRecipient would miss every one written before it.
	IndexKey []byte
	// Keys keeps the wrapped data keys; nil means the store itself, which
	// must then implement storage.KeyStore. Keys must not travel with the
	// traffic's backups, or a backup taken before an erase stays readable
	// to whoever holds the KEK: sqlstore keeps them in a file of their own
	// on SQLite (Options.KeysPath) and, given Options.KeysDSN, in a
	// database of their own on PostgreSQL. A KeyStore of your own (a KMS,
	// a vault) works the same way with a traffic store that keeps no
	// keyring (memstore, or your own); sqlstore records only under keys
	// its own keyring holds, so NewClient refuses Options.Keys with it.
	Keys storage.KeyStore
	// KeysInTrafficDatabase accepts a store that keeps its keyring in the
	// traffic database (sqlstore on PostgreSQL without KeysDSN), whose
	// backups then stay readable after an erase to whoever holds the KEK.
	// Without it NewClient refuses such a store; with it, it warns.
	KeysInTrafficDatabase bool
	// KeepBodies keeps each message's text, sealed, for troubleshooting,
	// until BodyRetention passes or the message reaches a final status.
	// Off by default: bodies are not stored.
	KeepBodies bool
	// BodyRetention bounds kept bodies; 0 means DefaultBodyRetention.
	BodyRetention time.Duration
	// Auditor receives an event for every read, purge and erase of traffic
	// data; nil means Logger at audit.DefaultLevel (debug): set one to keep
	// an audit trail.
	Auditor audit.Auditor
	// PurgeEvery, when positive, makes the Client run a retention enforcer
	// that purges the store at this interval until Close.
	PurgeEvery time.Duration
	// MeterProvider receives the Client's metrics (see MetricSentMessages
	// and the other Metric* names); nil means the otel global provider, a
	// no-op until the application installs an SDK.
	MeterProvider metric.MeterProvider
	// TracerProvider receives the Client's spans (see SpanSend); nil means
	// the otel global provider.
	TracerProvider trace.TracerProvider
	// CloseGrace is how long Close lets submits in flight finish before it
	// cancels them; 0 means DefaultCloseGrace. A submit that waits with no
	// deadline of its own (an SMPP transport waiting out an outage) would
	// otherwise hold Close for as long as the outage lasts.
	CloseGrace time.Duration
}

// DefaultCloseGrace is how long Close lets submits in flight finish when
// Options.CloseGrace is zero.
const DefaultCloseGrace = 30 * time.Second

// DefaultBodyRetention is how long kept bodies live when
// Options.BodyRetention is zero.
const DefaultBodyRetention = 72 * time.Hour

// DefaultAccountLimit returns the per-account send rate when none is set:
// unlimited, leaving the pace to the transports' own throughput limits.
// Contract limits are set per account.
func DefaultAccountLimit() Limit { return Unlimited() }

// DefaultReportHold is how long an early delivery report waits for its
// record.
const DefaultReportHold = 30 * time.Second

// DefaultOperatorIDReuse is the operator id reuse horizon when
// Options.OperatorIDReuse is zero: a day, longer than operators repeat a
// report and shorter than ids last at an SMSC that restarts daily.
const DefaultOperatorIDReuse = 24 * time.Hour

// DefaultReportClockSkew is how far a report's time may lie outside
// [submit, arrival] when Options.ReportClockSkew is zero: a receipt date's
// lost seconds and a few minutes of clock drift.
const DefaultReportClockSkew = 5 * time.Minute

// Client sends SMS through a transport and records the traffic in a store,
// enforcing validation, rate limits, safe retries and the retention policy.
// It is safe for concurrent use. The Client owns the transport and the store
// it is given: Close closes both.
type Client struct {
	tr    transport.Transport
	store storage.TrafficStore
	opts  Options
	log   *slog.Logger
	now   func() time.Time

	limMu    sync.RWMutex
	limiters map[string]accountLimiter

	reports *reportMatcher
	keys    *keyring.Keyring
	index   keyring.BlindIndex
	audit   audit.Auditor
	erasing accountLocks
	purger  *Retention
	tel     *telemetry.Telemetry

	releaseProcessors func() // lets the register change what this Client sends to
	detachAccounts    func() // stops Options.Accounts erasing here

	mu          sync.Mutex
	closed      bool
	closeCtx    context.Context // canceled when Close begins
	closeCancel context.CancelFunc
	closeDone   chan struct{}   // closed when Close has finished
	abortCtx    context.Context // canceled when Close's grace for submits is over
	abortCancel context.CancelFunc
	sends       sync.WaitGroup
	bg          sync.WaitGroup
}

// NewClient returns a Client sending through t and recording into s. opts
// may be nil. If t implements transport.ReportSource, the Client registers
// itself for delivery reports. The Client owns t and s from then on; when
// NewClient fails, they stay open and the caller closes them.
func NewClient(t transport.Transport, s storage.TrafficStore, opts *Options) (*Client, error) {
	const op = "new client"
	if t == nil {
		return nil, newError(op, CodeInvalidArgument, "transport is nil")
	}
	if s == nil {
		return nil, newError(op, CodeInvalidArgument, "store is nil")
	}
	c := &Client{tr: t, store: s, limiters: make(map[string]accountLimiter), closeDone: make(chan struct{})}
	c.closeCtx, c.closeCancel = context.WithCancel(context.Background())
	c.abortCtx, c.abortCancel = context.WithCancel(context.Background())
	if opts != nil {
		c.opts = *opts
	}
	o := &c.opts
	var release func()
	var err error
	if o.Processors, release, err = useProcessors(t, o.Processors); err != nil {
		return nil, err
	}
	defer func() {
		if c.releaseProcessors == nil {
			release() // NewClient failed
		}
	}()
	if err := o.Retention.Validate(); err != nil {
		return nil, err
	}
	if o.MaxSegments < 0 || o.MaxSegments > maxConcatParts {
		return nil, newError(op, CodeInvalidArgument, "MaxSegments must be between 0 and %d", maxConcatParts)
	}
	if o.Concat != 0 && o.Concat != transport.Concat8 && o.Concat != transport.Concat16 {
		return nil, newError(op, CodeInvalidArgument, "Concat must be 8 or 16")
	}
	if o.Concat == 0 {
		o.Concat = transport.Concat8
	}
	if !o.AccountLimit.valid() {
		return nil, newError(op, CodeInvalidArgument, "AccountLimit: rate and burst must not be negative")
	}
	for _, l := range o.AccountLimits {
		if !l.valid() {
			return nil, newError(op, CodeInvalidArgument, "AccountLimits: rate and burst must not be negative")
		}
	}
	// A copy: the caller's map may change under Send otherwise.
	o.AccountLimits = maps.Clone(o.AccountLimits)
	if o.AccountLimit.Rate == 0 {
		o.AccountLimit = DefaultAccountLimit()
	}
	if o.RetryPolicy == nil {
		o.RetryPolicy = DefaultRetryPolicy
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.ReportHold <= 0 {
		o.ReportHold = DefaultReportHold
	}
	if o.OperatorIDReuse <= 0 {
		o.OperatorIDReuse = DefaultOperatorIDReuse
	}
	if o.ReportClockSkew <= 0 {
		o.ReportClockSkew = DefaultReportClockSkew
	}
	if o.CloseGrace < 0 {
		return nil, newError(op, CodeInvalidArgument, "CloseGrace must not be negative")
	}
	if o.CloseGrace == 0 {
		o.CloseGrace = DefaultCloseGrace
	}
	c.now = o.Now
	if c.now == nil {
		c.now = time.Now
	}
	c.log = o.Logger
	if c.log == nil {
		c.log = slog.Default()
	}
	if err := c.initPrivacy(); err != nil {
		return nil, err
	}
	c.tel = telemetry.New(o.MeterProvider, o.TracerProvider, t.Name(), c.log)
	c.reports = newReportMatcher(c)
	if rs, ok := t.(transport.ReportSource); ok {
		rs.SetReportHandler(c.handleReport)
	}
	c.releaseProcessors = release
	c.detachAccounts = func() {}
	if a, ok := o.Accounts.(ClientAttacher); ok {
		// Deleting an account erases its traffic here too.
		c.detachAccounts = a.Attach(c)
	}
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		c.reports.expireLoop(c.closeCtx)
	}()
	if o.PurgeEvery > 0 {
		c.purger = NewRetention(s, &RetentionOptions{Every: o.PurgeEvery, Now: c.now, Logger: c.log, Auditor: c.audit,
			MeterProvider: o.MeterProvider})
		c.bg.Add(1)
		go func() {
			defer c.bg.Done()
			c.purger.Run(c.closeCtx)
		}()
	}
	return c, nil
}

// useProcessors refuses a transport the sub-processor register does not
// allow, and otherwise holds the register to it until release (Close).
// Without a register, the operators the transport declares make one. It
// returns the register in use.
func useProcessors(t transport.Transport, ps *processing.Register) (_ *processing.Register, release func(), err error) {
	if l, ok := t.(transport.Local); ok && l.Local() {
		return ps, func() {}, nil
	}
	if o, ok := t.(transport.Operated); ok && ps == nil {
		if ps, err = declaredProcessors(o.Operators()); err != nil {
			return nil, nil, err
		}
	}
	// A composite transport (a router) hands data to the operators behind
	// its members: each of them must be allowed.
	names := []string{t.Name()}
	if comp, ok := t.(transport.Composite); ok {
		names = comp.Transports()
	}
	release, err = ps.Use(names)
	return ps, release, err
}

// declaredProcessors is the register of the operators transports declare
// (by transport name), each receiving what an SMS operator receives.
func declaredProcessors(ops map[string]transport.Operator) (*processing.Register, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	reg, err := processing.NewRegister()
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(ops)) {
		op := ops[name]
		if strings.TrimSpace(op.Name) == "" {
			return nil, newError("new client", CodeInvalidArgument, "the operator declared for transport %q has no name", name)
		}
		p := processing.OperatorProcessor(name, op.Country, op.AgreementDate)
		p.Role, p.Safeguard = "SMS operator: "+op.Name, op.Safeguard
		if err := reg.Declare(p); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				return nil, invalidField("new client", "Operator."+fe.Field, fe.Reason+" (transport "+strconv.Quote(name)+")")
			}
			return nil, wrap("new client", err)
		}
	}
	return reg, nil
}

// limiter returns the account's rate limiter; contract is the account's
// contract rate (zero when it has none). The limiter is kept per account;
// when the limit that applies has changed since (a contract updated through
// Accounts), the kept limiter takes the new rate and burst, keeping the
// tokens it has (up to the new burst).
func (c *Client) limiter(account string, contract Limit) *rate.Limiter {
	lim := contract
	if lim.Rate == 0 {
		lim = c.opts.AccountLimits[account]
	}
	if lim.Rate == 0 {
		lim = c.opts.AccountLimit
	}
	lim.Burst = max(lim.Burst, 1)
	c.limMu.RLock()
	a, ok := c.limiters[account]
	c.limMu.RUnlock()
	if ok && a.lim == lim {
		return a.Limiter
	}
	c.limMu.Lock()
	defer c.limMu.Unlock()
	a, ok = c.limiters[account]
	switch {
	case ok && a.lim == lim: // updated meanwhile
		return a.Limiter
	case !ok || a.lim.Rate == rate.Inf:
		// A new account, or one that was unlimited: an unlimited limiter
		// keeps no token count, so start from a full burst.
		a.Limiter = rate.NewLimiter(lim.Rate, lim.Burst)
	default:
		// Burst first: SetLimit then caps the tokens at the new burst.
		a.SetBurst(lim.Burst)
		a.SetLimit(lim.Rate)
	}
	a.lim = lim
	c.limiters[account] = a
	return a.Limiter
}

// valid reports whether l is a usable limit: a rate that is not negative
// or NaN (rate.Inf is unlimited) and a burst that is not negative. A
// negative rate would let one message through and hold every later one.
func (l Limit) valid() bool {
	return l.Rate >= 0 && l.Burst >= 0 // NaN compares false
}

// accountLimiter is an account's rate limiter and the limit it was last
// set to, compared on every Send without taking the limiter's lock.
type accountLimiter struct {
	*rate.Limiter
	lim Limit
}

// begin registers an operation that Close must wait for.
func (c *Client) begin(op string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return &Error{Op: op, Code: CodeClosed}
	}
	c.sends.Add(1)
	return nil
}

// Close stops accepting work, waits for operations in flight to finish,
// stops the Client's goroutines and closes the transport and the store.
// Waits inside Send (rate limit, backoff) end early with ErrClosed; a
// submit already handed to the transport is allowed Options.CloseGrace to
// finish, and is then cancelled: its message ends as not sent (ErrClosed)
// or, when its request was out, recorded as of unknown outcome. Close is
// idempotent: a call made while another is under way returns nil once
// that one has finished.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		<-c.closeDone
		return nil
	}
	c.closed = true
	c.closeCancel()
	c.mu.Unlock()
	defer close(c.closeDone)
	c.detachAccounts()

	grace := time.AfterFunc(c.opts.CloseGrace, c.abortCancel)
	c.sends.Wait()
	grace.Stop()
	c.abortCancel()
	errT := c.tr.Close()
	c.bg.Wait()
	c.reports.dropAll()
	errS := c.store.Close()
	c.releaseProcessors()
	return wrap("close", errors.Join(errT, errS))
}

// The optional health interfaces of both contracts are the same method.
var _ storage.Pinger = transport.Pinger(nil)

// Ping reports whether the Client can do its work, for a readiness check:
// that it is open, that its transport answers (when it is a
// transport.Pinger: an SMPP session bound and answering enquire_link, a
// router with a member that answers) and that its store answers (when it
// is a storage.Pinger), and the KeyStore of Options.Keys too. An adapter
// without the optional interface is taken to be up. Ping sends no message
// and changes nothing. A failure is an *Error of CodeUnavailable, or
// CodeClosed after Close, whose text says which part failed; ctx's error
// is returned as it is.
func (c *Client) Ping(ctx context.Context) error {
	const op = "ping"
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return &Error{Op: op, Code: CodeClosed}
	}
	type part struct {
		name string
		v    any
	}
	parts := []part{{"transport " + c.tr.Name(), c.tr}, {"store", c.store}}
	if k := c.opts.Keys; k != nil && any(k) != any(c.store) {
		parts = append(parts, part{"key store", k})
	}
	var errs []error
	for _, p := range parts {
		var err error
		// transport.Pinger and storage.Pinger have the one method.
		if pinger, ok := p.v.(transport.Pinger); ok {
			err = pinger.Ping(ctx)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	err := errors.Join(errs...)
	code := classify(err)
	if code != CodeClosed {
		code = CodeUnavailable // whatever the adapter's words: it does not answer
	}
	return &Error{Op: op, Code: code, Err: err}
}

// initPrivacy sets up sealing, the blind index and the audit trail.
func (c *Client) initPrivacy() error {
	const op = "new client"
	o := &c.opts
	keys := o.Keys
	if ks, ok := c.store.(storage.KeyStore); ok && keys != nil && any(keys) != any(ks) {
		if _, own := c.store.(interface{ KeysApart() bool }); own {
			// sqlstore checks every record against its own keyring, in
			// the recording transaction: under a keyring apart it would
			// refuse them all, after the messages went out.
			return newError(op, CodeInvalidArgument, "the store keeps a keyring of its own and records only under its keys: "+
				"leave Options.Keys unset (sqlstore keeps its keys apart with its KeysPath or KeysDSN)")
		}
	}
	if keys == nil {
		ks, ok := c.store.(storage.KeyStore)
		if !ok {
			return newError(op, CodeInvalidArgument, "the store keeps no data keys: set Options.Keys")
		}
		keys = ks
		if a, ok := c.store.(interface{ KeysApart() bool }); ok && !a.KeysApart() {
			if !o.KeysInTrafficDatabase {
				return newError(op, CodeInvalidArgument, "the store keeps the data keys in the traffic database, "+
					"so its backups would stay readable after an erase: keep them apart (sqlstore.Options.KeysDSN), "+
					"or accept it with Options.KeysInTrafficDatabase")
			}
			c.log.Warn("advox: data keys are kept in the traffic database, so its backups stay readable after an erase")
		}
	}
	if o.KEK != nil && o.IndexKey == nil {
		// Records sealed under a configured KEK outlive a restart; a
		// per-process index key would not, and FindByRecipient would miss
		// every record from before it.
		return newError(op, CodeInvalidArgument, "a KEK needs an IndexKey from configuration too (at least %d bytes): "+
			"with a per-process one, FindByRecipient misses every record from before a restart", keyring.MinIndexKeyLen)
	}
	kek := o.KEK
	if kek == nil {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return err
		}
		k, err := keyring.NewStaticKEK(raw)
		if err != nil {
			return err
		}
		kek = k
		if !inMemory(c.store) && !inMemory(keys) {
			// Only worth a word when something outlives the process.
			c.log.Warn("advox: no KEK configured; traffic is sealed under a per-process key and unreadable after restart")
		}
	}
	idx := o.IndexKey
	if idx == nil {
		idx = make([]byte, keyring.MinIndexKeyLen)
		if _, err := rand.Read(idx); err != nil {
			return err
		}
	}
	index, err := keyring.NewBlindIndex(idx)
	if err != nil {
		return newError(op, CodeInvalidArgument, "IndexKey must be at least %d bytes", keyring.MinIndexKeyLen)
	}
	if o.BodyRetention <= 0 {
		o.BodyRetention = DefaultBodyRetention
	}
	c.keys = keyring.New(kek, keys, c.now)
	c.index = index
	c.audit = o.Auditor
	if c.audit == nil {
		c.audit = audit.Default(c.log)
	}
	return nil
}

// Processing describes what the Client does with traffic data, as
// configured, for the record of processing (processing.NewRecord): its
// sub-processor register, retention policy, audit trail, keys and kept
// bodies.
func (c *Client) Processing() *processing.Traffic {
	p := c.opts.Retention
	return &processing.Traffic{
		Processors: c.opts.Processors,
		Retention: processing.Retention{Months: p.months(),
			ConsumerTimeBarYears: cmp.Or(p.ConsumerTimeBarYears, DefaultConsumerTimeBarYears),
			BusinessTimeBarYears: cmp.Or(p.BusinessTimeBarYears, DefaultBusinessTimeBarYears)},
		Audited: c.opts.Auditor != nil, KEK: c.opts.KEK != nil,
		KeepBodies: c.opts.KeepBodies, BodyRetention: c.opts.BodyRetention,
	}
}

// inMemory reports whether s keeps nothing beyond the process (memstore
// says so with an InMemory method).
func inMemory(s any) bool {
	m, ok := s.(interface{ InMemory() bool })
	return ok && m.InMemory()
}
