package accounts_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
)

// cheapPasswords keep argon2id fast in tests; production uses
// accounts.DefaultPasswordParams().
var cheapPasswords = accounts.PasswordParams{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

// acctFixture is Accounts over a fresh memory store with a fixed clock.
type acctFixture struct {
	acc   *accounts.Accounts
	store *memstore.Accounts
	clock *testkit.Clock
	audit *testkit.AuditLog
}

var acctEpoch = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

func newAcctFixture(t *testing.T, opts *accounts.Options) *acctFixture {
	t.Helper()
	f := &acctFixture{store: memstore.NewAccounts(), clock: testkit.NewClock(acctEpoch), audit: &testkit.AuditLog{}}
	var o accounts.Options
	if opts != nil {
		o = *opts
	}
	if o.Now == nil {
		o.Now = f.clock.Now
	}
	if o.Password == nil {
		p := cheapPasswords
		o.Password = &p
	}
	if o.Auditor == nil {
		o.Auditor = f.audit
	}
	acc, err := accounts.NewCheap(f.store, &o)
	require.NoError(t, err)
	f.acc = acc
	t.Cleanup(func() { _ = f.store.Close() })
	return f
}

// demoCustomer is a valid account with two users and two contacts.
func demoCustomer(account string) storage.Customer {
	return storage.Customer{
		Account:      account,
		Organisation: "Exempelbolaget AB",
		OrgNumber:    "556016-0680",
		References:   []string{"PO 4711"},
		Reseller:     "reseller-nord",
		InvoiceAddress: storage.Address{
			Lines: []string{"Fakturaservice", "Box 123"}, PostalCode: "111 22", City: "Stockholm", Country: "se",
		},
		PostalAddress: storage.Address{Lines: []string{"Storgatan 1"}, PostalCode: "411 01", City: "Göteborg", Country: "SE"},
		Email:         "sms@example.se",
		Phone:         "08-123 456 78",
		Users: []storage.User{
			{ID: account + "-api", Allowed: mustPrefixes("192.0.2.0/24", "2001:db8:1::/48")},
			{ID: account + "-ops", Allowed: mustPrefixes("198.51.100.7/32")},
		},
		Contacts: []storage.Contact{
			{Name: "Åsa Öberg", Email: "asa@example.se", Role: "service"},
			{Name: "Per Persson", Email: "per@example.se", Role: "support"},
		},
		Limits: storage.ContractLimits{Rate: 10, Burst: 5, MonthlySegments: 100},
	}
}

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func ctxT(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// reserve reserves n segments of the account with the given id, as the
// Client does: its quota as Account reads it.
func (f *acctFixture) reserve(ctx context.Context, id string, n int, at time.Time) error {
	acct, err := f.acc.Account(ctx, id)
	if err != nil {
		return err
	}
	return f.acc.ReserveSegments(ctx, acct, n, at)
}

// release gives back n segments of the account with the given id.
func (f *acctFixture) release(ctx context.Context, id string, n int, at time.Time) error {
	acct, err := f.acc.Account(ctx, id)
	if err != nil {
		return err
	}
	return f.acc.ReleaseSegments(ctx, acct, n, at)
}
