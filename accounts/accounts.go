// Package accounts keeps customer data under the privacy policy: customer
// accounts (organisation, billing data, contact persons, users and their
// allowed networks, contract limits) in a storage.AccountStore, refused
// when any field holds a personal identity number or free text holds a
// person's contact data; login with argon2id password hashes and limits on
// failed logins; consent and disclosure only with consent; export for the
// customer's right of access; monthly segment quotas; and deletion that
// erases the account's traffic first.
//
// Accounts implements advox.AccountSource: given to a Client
// (advox.Options.Accounts), it makes Send refuse unknown and deleted
// accounts and apply each account's contract rate and quota, and its
// Delete erases the account's traffic on every such Client. It sends no
// message and keeps no traffic: the Client does.
package accounts

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
)

// Options configures Accounts. A nil *Options, and every zero field,
// means the documented default.
type Options struct {
	// Region is the ISO 3166 region a customer's phone number is read in
	// when it has no country code; "" means "SE".
	Region string
	// Now is the clock for timestamps, consents, quotas and login limits;
	// nil means time.Now.
	Now func() time.Time
	// Password are the argon2id parameters of new hashes; nil means
	// DefaultPasswordParams(). Parameters below OWASP's floor are refused.
	// A login under a hash made with other parameters rehashes the
	// password with these, and the verification of a hash made with
	// cheaper ones is padded to what these cost, so that the age of a
	// user's hash does not show in how fast a login fails.
	Password *PasswordParams
	// MinPasswordLen is the shortest password SetPassword accepts, in
	// characters; 0 means DefaultMinPasswordLen.
	MinPasswordLen int
	// AuthLimit limits failed logins; the zero value means
	// DefaultAuthLimit().
	AuthLimit AuthLimit
	// Disclosures says which data categories each purpose of disclosure
	// reveals; nil means DefaultDisclosurePolicy(). New keeps a
	// copy: changing the policy afterwards changes nothing.
	Disclosures DisclosurePolicy
	// ExtraPurposes are purposes of disclosure beyond the privacy policy's
	// two (DisclosureSupport, DisclosureReinvoicing) that Disclosures may
	// name: the provider's own policy must allow them. A purpose is never
	// allowed by appearing in Disclosures alone.
	ExtraPurposes []DisclosurePurpose
	// EraseTraffic, when set, is called by Delete before the customer data
	// is removed, besides the erase on every Client using these Accounts
	// (Options.Accounts): for traffic recorded where no Client of this
	// process records, such as another process's store (call its Client's
	// EraseAccountTraffic with EraseAccountClosed). Delete refuses to run
	// when there is neither a Client nor EraseTraffic; set it to a
	// function returning nil when no traffic is recorded at all.
	EraseTraffic func(ctx context.Context, account string) error
	// Auditor receives an event for every change, export and disclosure of
	// customer data, and for every refused disclosure; nil means Logger at
	// audit.DefaultLevel, as for the Client: set one to keep an audit trail.
	Auditor audit.Auditor
	// Logger receives operational logs; nil means slog.Default(), as for
	// the Client. They never hold customer data.
	Logger *slog.Logger
}

// DefaultMinPasswordLen is the shortest password accepted by default.
const DefaultMinPasswordLen = 12

// MaxPasswordLen bounds passwords, in bytes, so that hashing stays cheap
// to ask for.
const MaxPasswordLen = 1024

// Accounts keeps customer data under the privacy policy: it refuses
// personal identity numbers in every field, hashes passwords with argon2id,
// limits failed logins, discloses data only with the customer's consent,
// exports it on request, deletes it together with the account's traffic
// on every Client that uses it, and enforces contract limits. It is safe
// for concurrent use.
type Accounts struct {
	store storage.AccountStore
	opts  Options
	now   func() time.Time
	log   *slog.Logger
	audit audit.Auditor
	fails *failureLimiter

	dummyOnce sync.Once
	dummy     storage.PasswordHash // verified for unknown users, to even out timing
	work      atomic.Uint64        // argon2id work done, in KiB × passes

	deleting deletion // the Clients Delete erases through, and the accounts it closed
}

// New returns Accounts keeping customer data in store. opts may be
// nil. The caller keeps ownership of store and closes it.
func New(store storage.AccountStore, opts *Options) (*Accounts, error) {
	return newAccounts(store, opts, false)
}

// newAccounts is New; cheapPasswords lifts the floor on password
// parameters, for the package's own tests only.
func newAccounts(store storage.AccountStore, opts *Options, cheapPasswords bool) (*Accounts, error) {
	const op = "new accounts"
	if store == nil {
		return nil, errs.New(op, advox.CodeInvalidArgument, "store is nil")
	}
	a := &Accounts{store: store}
	if opts != nil {
		a.opts = *opts
	}
	o := &a.opts
	if o.Password == nil {
		p := DefaultPasswordParams()
		o.Password = &p
	}
	if err := o.Password.validate(); err != nil {
		return nil, errs.New(op, advox.CodeInvalidArgument, "password params: %w", err)
	}
	if err := o.Password.checkFloor(); err != nil && !cheapPasswords {
		return nil, errs.New(op, advox.CodeInvalidArgument, "password params: %w", err)
	}
	if o.MinPasswordLen == 0 {
		o.MinPasswordLen = DefaultMinPasswordLen
	}
	if o.MinPasswordLen < 1 || o.MinPasswordLen > MaxPasswordLen {
		return nil, errs.New(op, advox.CodeInvalidArgument, "MinPasswordLen must be 1–%d", MaxPasswordLen)
	}
	if o.AuthLimit == (AuthLimit{}) {
		o.AuthLimit = DefaultAuthLimit()
	}
	if o.AuthLimit.Failures < 1 || o.AuthLimit.Every <= 0 {
		return nil, errs.New(op, advox.CodeInvalidArgument, "AuthLimit needs Failures ≥ 1 and a positive Every")
	}
	if o.Disclosures == nil {
		o.Disclosures = DefaultDisclosurePolicy()
	}
	o.Disclosures, o.ExtraPurposes = o.Disclosures.clone(), slices.Clone(o.ExtraPurposes)
	if err := o.Disclosures.Validate(o.ExtraPurposes...); err != nil {
		return nil, err
	}
	a.now = o.Now
	if a.now == nil {
		a.now = time.Now
	}
	a.log = o.Logger
	if a.log == nil {
		a.log = slog.Default()
	}
	a.audit = o.Auditor
	if a.audit == nil {
		a.audit = audit.Default(a.log)
	}
	a.fails = newFailureLimiter(o.AuthLimit)
	return a, nil
}

// Processing describes what these Accounts do with customer data, as
// configured, for the record of processing (processing.NewRecord): the
// disclosure policy, whether deleting an account erases its traffic, the
// audit trail and the login measures.
func (a *Accounts) Processing() *processing.Customers {
	d := make(map[string][]processing.DataCategory, len(a.opts.Disclosures))
	for p, cats := range a.opts.Disclosures {
		d[string(p)] = slices.Clone(cats)
	}
	pw, l := a.opts.Password, a.opts.AuthLimit
	return &processing.Customers{
		Disclosures: d, DeletesTraffic: a.erasesTraffic(), Audited: a.opts.Auditor != nil,
		LoginFailures: l.Failures, LoginEvery: l.Every,
		PasswordMemory: pw.Memory, PasswordTime: pw.Time, PasswordThreads: pw.Threads,
	}
}

// record audits an action on an account's customer data.
func (a *Accounts) record(ctx context.Context, action, account string) {
	a.auditEvent(ctx, audit.Event{Action: action, Account: account, Count: 1})
}

// auditEvent completes e with the time and actor and audits it.
func (a *Accounts) auditEvent(ctx context.Context, e audit.Event) {
	e.Time, e.Actor = a.now(), audit.ActorFrom(ctx)
	a.audit.Audit(ctx, e)
}

// Create stores a new account's customer data. Every string is checked
// (see guardCustomer): a personal identity number anywhere is refused with
// advox.ErrPersonalNumber. Users start without a password (see SetPassword) and
// the account without consents (see GrantConsent); customer data that
// carries either is refused. CreatedAt and UpdatedAt are set from the
// clock. It returns the account as stored.
func (a *Accounts) Create(ctx context.Context, c storage.Customer) (storage.Customer, error) {
	const op = "create account"
	c = c.Clone()
	for _, u := range c.Users {
		if u.PasswordHash != "" {
			return storage.Customer{}, errs.New(op, advox.CodeInvalidArgument, "users are created without password hashes; use SetPassword")
		}
	}
	if len(c.Consents) > 0 {
		return storage.Customer{}, errs.New(op, advox.CodeInvalidArgument, "accounts are created without consents; use GrantConsent")
	}
	if err := checkCustomer(op, &c, a.opts.Region); err != nil {
		return storage.Customer{}, err
	}
	now := a.now()
	c.CreatedAt, c.UpdatedAt = now, now
	if err := a.store.CreateAccount(ctx, c); err != nil {
		return storage.Customer{}, wrap(op, err)
	}
	a.record(ctx, "create account", c.Account)
	return withoutSecrets(c), nil
}

// Update replaces an account's customer data with c, checked like Create.
// Consents and password hashes are not taken from c: they keep their
// stored values (a user that c keeps keeps its password), so that a value
// read with Get can be edited and written back.
func (a *Accounts) Update(ctx context.Context, c storage.Customer) (storage.Customer, error) {
	const op = "update account"
	c = c.Clone()
	if err := checkCustomer(op, &c, a.opts.Region); err != nil {
		return storage.Customer{}, err
	}
	now := a.now()
	stored, err := a.store.UpdateAccount(ctx, c.Account, func(old *storage.Customer) error {
		next := c.Clone()
		hashes := make(map[string]storage.PasswordHash, len(old.Users))
		for _, u := range old.Users {
			hashes[u.ID] = u.PasswordHash
		}
		for i := range next.Users {
			next.Users[i].PasswordHash = hashes[next.Users[i].ID]
		}
		next.Consents = old.Consents
		next.CreatedAt, next.UpdatedAt = old.CreatedAt, now
		*old = next
		return nil
	})
	if err != nil {
		return storage.Customer{}, wrap(op, err)
	}
	a.record(ctx, "update account", c.Account)
	return withoutSecrets(stored), nil
}

// Get returns an account's customer data without password hashes.
func (a *Accounts) Get(ctx context.Context, account string) (storage.Customer, error) {
	c, err := a.store.GetAccount(ctx, account)
	if err != nil {
		return storage.Customer{}, wrap("get account", err)
	}
	return withoutSecrets(c), nil
}

// Account returns the account as the Client uses it (advox.AccountSource):
// its id, its contract rate (zero when the contract sets none, leaving the
// Client's default) and its monthly segment quota. An unknown account is
// an error of CodeNotFound.
func (a *Accounts) Account(ctx context.Context, account string) (advox.Account, error) {
	c, err := a.store.GetAccount(ctx, account)
	if err != nil {
		return advox.Account{}, wrap("account", err)
	}
	return advox.Account{ID: c.Account, Limit: limitOf(c.Limits), MonthlySegments: c.Limits.MonthlySegments}, nil
}

// wrap wraps err exactly once, classified like the Client classifies.
func wrap(op string, err error) error { return errs.Wrap(op, err, advox.CodeOf) }

// withoutSecrets returns c without password hashes.
func withoutSecrets(c storage.Customer) storage.Customer {
	c = c.Clone()
	for i := range c.Users {
		c.Users[i].PasswordHash = ""
	}
	return c
}
