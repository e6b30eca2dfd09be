package accounts_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
)

const soleTrader = "811218-9876" // a personnummer (Luhn valid, 18 Dec 1981)

func TestCreateRefusesSecretsAndDuplicates(t *testing.T) {
	f := newAcctFixture(t, nil)
	c := demoCustomer("acme")
	c.Users[0].PasswordHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
	_, err := f.acc.Create(ctxT(t), c)
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
	c = demoCustomer("acme")
	c.Consents = []storage.Consent{{Party: "x", Purpose: string(accounts.DisclosureSupport), GrantedAt: acctEpoch}}
	_, err = f.acc.Create(ctxT(t), c)
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)

	_, err = f.acc.Create(ctxT(t), demoCustomer("acme"))
	require.NoError(t, err)
	_, err = f.acc.Create(ctxT(t), demoCustomer("acme"))
	assert.ErrorIs(t, err, storage.ErrExists)
	assert.Equal(t, advox.CodeInvalidArgument, advox.CodeOf(err))
}

func TestUpdateKeepsPasswordsAndConsents(t *testing.T) {
	f := authFixture(t, nil)
	ctx := ctxT(t)
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", "reseller-nord", accounts.DisclosureReinvoicing))
	f.clock.Advance(time.Hour)

	c, err := f.acc.Get(ctx, "acme")
	require.NoError(t, err)
	c.Organisation = "Exempelbolaget Holding AB"
	c.Consents = nil
	c.Users = append(c.Users[:1], storage.User{ID: "acme-new", Allowed: mustPrefixes("192.0.2.0/24")})
	got, err := f.acc.Update(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, "Exempelbolaget Holding AB", got.Organisation)
	assert.Len(t, got.Consents, 1, "consents are kept")
	assert.Equal(t, acctEpoch, got.CreatedAt)
	assert.Equal(t, acctEpoch.Add(time.Hour), got.UpdatedAt)

	_, err = f.acc.Authenticate(ctx, "acme-api", goodPassword, "192.0.2.10:1")
	assert.NoError(t, err, "a kept user keeps its password")
	_, err = f.acc.Authenticate(ctx, "acme-ops", goodPassword, "198.51.100.7:1")
	assert.ErrorIs(t, err, advox.ErrAuthFailed, "a removed user cannot log in")

	c.Contacts[0].Name = "Åsa " + soleTrader
	_, err = f.acc.Update(ctx, c)
	assert.ErrorIs(t, err, advox.ErrPersonalNumber, "Update is guarded like Create")
	c.Account = "missing"
	c.Contacts[0].Name = "Åsa"
	_, err = f.acc.Update(ctx, c)
	assert.ErrorIs(t, err, advox.ErrNotFound)
}

func TestAccountLimit(t *testing.T) {
	f := newAcctFixture(t, nil)
	_, err := f.acc.Create(ctxT(t), demoCustomer("acme"))
	require.NoError(t, err)
	c := demoCustomer("free")
	c.Users = nil
	c.Limits = storage.ContractLimits{}
	_, err = f.acc.Create(ctxT(t), c)
	require.NoError(t, err)

	a, err := f.acc.Account(ctxT(t), "acme")
	require.NoError(t, err)
	assert.Equal(t, advox.Account{ID: "acme", Limit: advox.Limit{Rate: 10, Burst: 5}, MonthlySegments: 100}, a)
	a, err = f.acc.Account(ctxT(t), "free")
	require.NoError(t, err)
	assert.Zero(t, a.Limit, "no contract rate: the Client's default applies")
	_, err = f.acc.Account(ctxT(t), "missing")
	assert.ErrorIs(t, err, advox.ErrNotFound)
}

func TestAuditEventsHoldNoCustomerData(t *testing.T) {
	f := authFixture(t, nil)
	ctx := audit.WithActor(ctxT(t), "support-7")
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", "reseller-nord", accounts.DisclosureReinvoicing))
	_, err := f.acc.Disclose(ctx, "acme", "reseller-nord", accounts.DisclosureReinvoicing)
	require.NoError(t, err)
	_, err = f.acc.Export(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, []string{"create account", "set password", "set password", "grant consent: reseller-reinvoicing",
		"disclose: reseller-reinvoicing", "export"}, f.audit.Actions())
	for _, e := range f.audit.Events() {
		assert.Equal(t, "acme", e.Account)
		assert.Equal(t, acctEpoch, e.Time)
		s := e.Action + e.Actor + string(e.Purpose) + e.MessageID + e.Party + e.Refused
		for _, secret := range []string{"Reseller", "Exempel", "@", "192.0.2", "+46", "556016"} {
			assert.NotContains(t, s, secret)
		}
	}
	assert.Equal(t, "support-7", f.audit.Events()[3].Actor)
}

func TestNewAccountsOptions(t *testing.T) {
	s := memstore.NewAccounts()
	_, err := accounts.New(nil, nil)
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
	for name, o := range map[string]accounts.Options{
		"weak argon2 memory": {Password: &accounts.PasswordParams{Time: 1, Memory: 4, Threads: 1, SaltLen: 16, KeyLen: 32}},
		"short salt":         {Password: &accounts.PasswordParams{Time: 1, Memory: 64, Threads: 1, SaltLen: 4, KeyLen: 32}},
		// Broke: accepted without a word.
		"below OWASP's floor": {Password: &accounts.PasswordParams{Time: 1, Memory: 8, Threads: 1, SaltLen: 16, KeyLen: 32}},
		"19 MiB with 1 pass":  {Password: &accounts.PasswordParams{Time: 1, Memory: 19 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}},
		"8-byte salt":         {Password: &accounts.PasswordParams{Time: 2, Memory: 19 * 1024, Threads: 1, SaltLen: 8, KeyLen: 32}},
		"prospecting":         {Disclosures: accounts.DisclosurePolicy{"prospecting": {processing.CategoryContacts}}},
		"zero every":          {AuthLimit: accounts.AuthLimit{Failures: 3}},
		"min length":          {MinPasswordLen: -1},
		"credentials disclosed": {Disclosures: accounts.DisclosurePolicy{
			accounts.DisclosureSupport: {processing.CategoryUsers, processing.CategoryCredentials}}},
	} {
		_, err := accounts.New(s, &o)
		assert.ErrorIs(t, err, advox.ErrInvalidArgument, name)
	}
	acc, err := accounts.New(s, nil)
	require.NoError(t, err)
	require.NotNil(t, acc)
}
