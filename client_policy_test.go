package advox_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/storage/sqlstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/router"
	"github.com/azenna/advox/transport/smpptransport"
)

// remote hides memtransport's Local method: a transport that reaches a
// third party, as far as the Client can tell.
type remote struct {
	transport.Transport
}

var agreedOn = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestNewClientRefusesUndeclaredProcessors(t *testing.T) {
	outside := processing.OperatorProcessor("mem", "US", agreedOn)
	guarded := outside
	guarded.Safeguard = "standard contractual clauses"
	tests := []struct {
		name  string
		procs []processing.Processor
		nilOK bool
		ok    bool
	}{
		{"no register", nil, true, false},
		{"not registered", []processing.Processor{processing.OperatorProcessor("other", "SE", agreedOn)}, false, false},
		{"registered in the EEA", []processing.Processor{processing.OperatorProcessor("mem", "SE", agreedOn)}, false, true},
		{"outside the EEA without safeguard", []processing.Processor{outside}, false, false},
		{"outside the EEA with safeguard", []processing.Processor{guarded}, false, true},
		// Broke: a declaration that the operator receives no message text
		// was accepted for a transport that hands it every text.
		{"operator declared without text", []processing.Processor{{Name: "mem", Role: "SMS operator", Country: "SE",
			AgreementDate: agreedOn, Categories: []processing.DataCategory{processing.CategoryRecipients, processing.CategorySenders}}}, false, false},
		{"operator declared without numbers", []processing.Processor{{Name: "mem", Role: "SMS operator", Country: "SE",
			AgreementDate: agreedOn, Categories: []processing.DataCategory{processing.CategoryMessageText, processing.CategorySenders}}}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := &advox.Options{}
			if !tt.nilOK {
				procs, err := processing.NewRegister(tt.procs...)
				require.NoError(t, err)
				opts.Processors = procs
			}
			c, err := advox.NewClient(remote{memtransport.New(nil)}, memstore.New(nil), opts)
			if tt.ok {
				require.NoError(t, err)
				require.NoError(t, c.Close())
				return
			}
			assert.ErrorIs(t, err, advox.ErrInvalidArgument)
		})
	}
	c, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), nil)
	require.NoError(t, err, "a local transport needs no register")
	require.NoError(t, c.Close())
}

// declared is a transport that reaches a third party and declares its
// operators, as smpptransport and httptransport do given Config.Operator.
type declared struct {
	transport.Transport
	ops map[string]transport.Operator
}

func (d declared) Operators() map[string]transport.Operator { return d.ops }

// A transport that declares its operator needs no register: NewClient
// makes one from the declaration, under the register's rules, and an
// explicit register wins over it.
func TestNewClientRegistersDeclaredOperators(t *testing.T) {
	telia := transport.Operator{Name: "Telia Sverige AB", Country: "se", AgreementDate: agreedOn}
	us := transport.Operator{Name: "US Carrier", Country: "US", AgreementDate: agreedOn}
	guardedUS := us
	guardedUS.Safeguard = "standard contractual clauses"
	tests := []struct {
		name   string
		ops    map[string]transport.Operator
		procs  []processing.Processor // an explicit register, when not nil
		errHas string                 // "" means allowed
	}{
		{"declared in the EEA", map[string]transport.Operator{"mem": telia}, nil, ""},
		{"declared outside the EEA with a safeguard", map[string]transport.Operator{"mem": guardedUS}, nil, ""},
		{"declared outside the EEA without one", map[string]transport.Operator{"mem": us}, nil, "outside the EU/EEA"},
		{"no agreement", map[string]transport.Operator{"mem": {Name: "Telia", Country: "SE"}}, nil, "Operator.AgreementDate"},
		{"no country", map[string]transport.Operator{"mem": {Name: "Telia", AgreementDate: agreedOn}}, nil, "Operator.Country"},
		{"no name", map[string]transport.Operator{"mem": {Country: "SE", AgreementDate: agreedOn}}, nil, "has no name"},
		{"declares nothing", nil, nil, "declare its operator"},
		{"declared for another transport", map[string]transport.Operator{"other": telia}, nil, "not a registered sub-processor"},
		{"an explicit register wins", map[string]transport.Operator{"mem": telia},
			[]processing.Processor{processing.OperatorProcessor("other", "SE", agreedOn)}, "not a registered sub-processor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := &advox.Options{}
			if tt.procs != nil {
				procs, err := processing.NewRegister(tt.procs...)
				require.NoError(t, err)
				opts.Processors = procs
			}
			c, err := advox.NewClient(declared{memtransport.New(nil), tt.ops}, memstore.New(nil), opts)
			if tt.errHas != "" {
				require.ErrorIs(t, err, advox.ErrInvalidArgument)
				assert.Contains(t, err.Error(), tt.errHas)
				return
			}
			require.NoError(t, err)
			defer c.Close()
			reg := c.Processing().Processors
			require.NotNil(t, reg, "the register in use")
			ps := reg.List()
			require.Len(t, ps, 1)
			assert.Equal(t, "mem", ps[0].Name, "keyed by the transport's name")
			assert.Equal(t, "SMS operator: "+tt.ops["mem"].Name, ps[0].Role)
			assert.Equal(t, strings.ToUpper(tt.ops["mem"].Country), ps[0].Country)
			assert.NoError(t, reg.Check("mem"))
			rec := processing.NewRecord(processing.Config{Traffic: c.Processing()}, agreedOn)
			assert.Equal(t, "sub-processor: SMS operator: "+tt.ops["mem"].Name, rec.Recipients[0].Role, "the record names the operator")
		})
	}
}

// Every member of a router that declares its operator is registered; one
// that declares none makes NewClient refuse the router.
func TestNewClientRegistersTheOperatorsOfARouter(t *testing.T) {
	a := declared{memtransport.New(&memtransport.Config{Name: "op-a"}),
		map[string]transport.Operator{"op-a": {Name: "Operator A", Country: "SE", AgreementDate: agreedOn}}}
	b := declared{memtransport.New(&memtransport.Config{Name: "op-b"}),
		map[string]transport.Operator{"op-b": {Name: "Operator B", Country: "NO", AgreementDate: agreedOn}}}
	r, err := router.New(router.Config{Transports: []transport.Transport{a, b},
		Routes: []router.Route{{Name: "default", Transports: []router.Target{{Transport: "op-a"}, {Transport: "op-b"}}}}})
	require.NoError(t, err)
	c, err := advox.NewClient(r, memstore.New(nil), nil)
	require.NoError(t, err)
	var names []string
	for _, p := range c.Processing().Processors.List() {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"op-a", "op-b"}, names)
	require.NoError(t, c.Close())

	undeclared := remote{memtransport.New(&memtransport.Config{Name: "op-c"})}
	r, err = router.New(router.Config{Transports: []transport.Transport{a, undeclared},
		Routes: []router.Route{{Name: "default", Transports: []router.Target{{Transport: "op-a"}, {Transport: "op-c"}}}}})
	require.NoError(t, err)
	_, err = advox.NewClient(r, memstore.New(nil), nil)
	require.ErrorIs(t, err, advox.ErrInvalidArgument)
	assert.Contains(t, err.Error(), `"op-c" is not a registered sub-processor`)
	require.NoError(t, r.Close())
}

// TestProcessorsCannotDriftUnderAClient: while a Client sends to an
// operator, the register refuses a declaration that would not allow it,
// so what the Client sends to and what the register (and the record of
// processing) says never part. Broke: the operator re-registered in the US
// without a safeguard made Check refuse it, yet Send still delivered.
func TestProcessorsCannotDriftUnderAClient(t *testing.T) {
	procs, err := processing.NewRegister(processing.OperatorProcessor("mem", "SE", agreedOn))
	require.NoError(t, err)
	tr := memtransport.New(nil)
	c, err := advox.NewClient(remote{tr}, memstore.New(nil), &advox.Options{Processors: procs})
	require.NoError(t, err)

	moved := processing.OperatorProcessor("mem", "US", agreedOn)
	assert.ErrorIs(t, procs.Declare(moved), advox.ErrInvalidArgument, "no safeguard")
	fewer := processing.OperatorProcessor("mem", "SE", agreedOn)
	fewer.Categories = []processing.DataCategory{processing.CategoryRecipients}
	assert.ErrorIs(t, procs.Declare(fewer), advox.ErrInvalidArgument, "declares less than it receives")
	require.NoError(t, procs.Check("mem"))
	assert.Equal(t, "SE", procs.List()[0].Country, "the register still says what the Client does")

	guarded := moved
	guarded.Safeguard = "standard contractual clauses"
	require.NoError(t, procs.Declare(guarded), "a change that still allows it")
	_, err = c.Send(ctxT(t), advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"})
	require.NoError(t, err)

	require.NoError(t, c.Close())
	assert.NoError(t, procs.Declare(moved), "free once no Client sends to it")
	assert.Error(t, procs.Check("mem"))
	_, err = advox.NewClient(remote{memtransport.New(nil)}, memstore.New(nil), &advox.Options{Processors: procs})
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
}

// TestNewClientFailureReleasesProcessors: a NewClient that fails after
// checking the register leaves it free to change.
func TestNewClientFailureReleasesProcessors(t *testing.T) {
	procs, err := processing.NewRegister(processing.OperatorProcessor("mem", "SE", agreedOn))
	require.NoError(t, err)
	_, err = advox.NewClient(remote{memtransport.New(nil)}, memstore.New(nil), &advox.Options{Processors: procs, MaxSegments: -1})
	require.ErrorIs(t, err, advox.ErrInvalidArgument)
	assert.NoError(t, procs.Declare(processing.OperatorProcessor("mem", "US", agreedOn)))
}

func TestSendEnforcesContractQuota(t *testing.T) {
	accts := newAccounts(t, storage.ContractLimits{MonthlySegments: 3})
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{Accounts: accts})
	ctx := context.Background()

	_, err := c.Send(ctx, advox.Message{Account: "nobody", From: "Advox", To: to, Text: "hi"})
	assert.ErrorIs(t, err, advox.ErrNotFound, "unknown accounts send nothing")

	_, err = c.Send(ctx, advox.Message{Account: "acme", From: "Advox", To: to, Text: strings.Repeat("a", 200)})
	require.NoError(t, err)
	tr.Inject(memtransport.Reject)
	_, err = c.Send(ctx, advox.Message{Account: "acme", From: "Advox", To: to, Text: "rejected, but the operator saw it"})
	require.ErrorIs(t, err, advox.ErrRejected)
	used, err := accts.SegmentsUsed(ctx, "acme", time.Now())
	require.NoError(t, err)
	assert.Equal(t, 3, used)

	_, err = c.Send(ctx, advox.Message{Account: "acme", From: "Advox", To: to, Text: "over quota"})
	require.ErrorIs(t, err, advox.ErrQuotaExceeded)
	var qe *accounts.QuotaError
	require.True(t, errors.As(err, &qe))
	assert.Equal(t, 1, qe.Reset.Day())
	assert.True(t, qe.Reset.After(time.Now()))
	assert.Len(t, tr.Sent(), 1, "nothing over quota reaches the transport")
}

func TestSendReleasesQuotaOfUnsentMessages(t *testing.T) {
	accts := newAccounts(t, storage.ContractLimits{MonthlySegments: 1})
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{Accounts: accts, RetryPolicy: advox.NoRetry})
	tr.Inject(memtransport.NotSent)
	_, err := c.Send(context.Background(), advox.Message{Account: "acme", From: "Advox", To: to, Text: "never left"})
	require.ErrorIs(t, err, advox.ErrUnavailable)
	_, err = c.Send(context.Background(), advox.Message{Account: "acme", From: "Advox", To: to, Text: "this one fits"})
	require.NoError(t, err, "the unsent message's segment was given back")
}

func TestSendAppliesContractRate(t *testing.T) {
	accts := newAccounts(t, storage.ContractLimits{Rate: 0.5, Burst: 1})
	c, _ := newClient(t, memtransport.New(nil), &advox.Options{Accounts: accts})
	m := advox.Message{Account: "acme", From: "Advox", To: to, Text: "hi"}
	_, err := c.Send(context.Background(), m)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Send(ctx, m)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// composite stands for a router: it hands messages to the named members.
type composite struct {
	transport.Transport
	members []string
}

func (c composite) Name() string         { return "router" }
func (c composite) Transports() []string { return c.members }

func TestNewClientChecksEveryMemberOfAComposite(t *testing.T) {
	procs, err := processing.NewRegister(processing.OperatorProcessor("op-se", "SE", agreedOn))
	require.NoError(t, err)
	_, err = advox.NewClient(composite{remote{memtransport.New(nil)}, []string{"op-se", "op-us"}}, memstore.New(nil), &advox.Options{Processors: procs})
	assert.ErrorIs(t, err, advox.ErrInvalidArgument, "an undeclared operator behind the router")
	require.NoError(t, procs.Declare(processing.OperatorProcessor("op-us", "NO", agreedOn)))
	c, err := advox.NewClient(composite{remote{memtransport.New(nil)}, []string{"op-se", "op-us"}}, memstore.New(nil), &advox.Options{Processors: procs})
	require.NoError(t, err, "every member declared; the router itself needs no entry")
	require.NoError(t, c.Close())
}

// A router nested in a router hides no operator: every transport behind
// both must be registered.
func TestNewClientChecksNestedRouters(t *testing.T) {
	mem := func(name string) transport.Transport {
		return remote{memtransport.New(&memtransport.Config{Name: name})}
	}
	inner, err := router.New(router.Config{Name: "inner", Transports: []transport.Transport{mem("op-se"), mem("op-us")},
		Routes: []router.Route{{Name: "default", Transports: []router.Target{{Transport: "op-se"}, {Transport: "op-us"}}}}})
	require.NoError(t, err)
	outer, err := router.New(router.Config{Name: "outer", Transports: []transport.Transport{mem("op-a"), inner},
		Routes: []router.Route{{Name: "default", Transports: []router.Target{{Transport: "op-a"}, {Transport: "inner"}}}}})
	require.NoError(t, err)
	registered := func(names ...string) *processing.Register {
		var ps []processing.Processor
		for _, n := range names {
			ps = append(ps, processing.OperatorProcessor(n, "SE", agreedOn))
		}
		procs, err := processing.NewRegister(ps...)
		require.NoError(t, err)
		return procs
	}
	_, err = advox.NewClient(outer, memstore.New(nil), &advox.Options{Processors: registered("op-a", "inner", "op-se")})
	assert.ErrorIs(t, err, advox.ErrInvalidArgument, "op-us, behind the inner router, is not registered")
	c, err := advox.NewClient(outer, memstore.New(nil), &advox.Options{Processors: registered("op-a", "op-se", "op-us")})
	require.NoError(t, err)
	require.NoError(t, c.Close())
}

// Options.Keys, a keyring apart from the traffic store: with memstore the
// messages are recorded and readable, and an erase through the keyring
// makes them unreadable; sqlstore, which records only under its own
// keys, is refused at once rather than failing every record after the
// message went out.
func TestKeyringApart(t *testing.T) {
	ctx := context.Background()
	keys := memstore.New(nil)
	c, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{KEK: kek(t), IndexKey: indexKey, Keys: keys})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	rcpt, err := c.Send(ctx, msg("x"))
	require.NoError(t, err)
	r, err := c.Status(ctx, advox.PurposeTroubleshoot, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, phone.Number(to), r.To)
	n, err := keys.DestroyKeys(ctx, msg("x").Account)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the key is in the keyring apart")

	st, err := sqlstore.OpenSQLite(filepath.Join(t.TempDir(), "traffic.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	_, err = advox.NewClient(memtransport.New(nil), st, &advox.Options{Keys: memstore.New(nil)})
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
	c2, err := advox.NewClient(memtransport.New(nil), st, &advox.Options{Keys: st})
	require.NoError(t, err, "the store itself as Options.Keys is its own keyring")
	require.NoError(t, c2.Close())
}

// The adapters take the declaration in their configuration
// (Config.Operator) and report it under their own name.
func TestAdaptersDeclareTheirOperator(t *testing.T) {
	op := transport.Operator{Name: "Operator AB", Country: "SE", AgreementDate: agreedOn}
	h, err := httptransport.New(httptransport.Config{Profile: httptransport.GenericJSON(), BaseURL: "https://operator.example",
		Credentials: httptransport.Credentials{Token: "t"}, Name: "op-http", Operator: op})
	require.NoError(t, err)
	defer h.Close()
	assert.Equal(t, map[string]transport.Operator{"op-http": op}, h.Operators())
	s, err := smpptransport.New(smpptransport.Config{Name: "op-smpp", Addr: "127.0.0.1:1", SystemID: "acme", Operator: op})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, map[string]transport.Operator{"smpp:op-smpp": op}, s.Operators())

	bare, err := httptransport.New(httptransport.Config{Profile: httptransport.GenericJSON(), BaseURL: "https://operator.example",
		Credentials: httptransport.Credentials{Token: "t"}})
	require.NoError(t, err)
	defer bare.Close()
	assert.Empty(t, bare.Operators(), "no declaration, none reported")
}
