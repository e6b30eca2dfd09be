package accounts_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/internal/errs/errstest"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
)

const reseller = "reseller-nord"

func TestDiscloseNeedsConsent(t *testing.T) {
	f := authFixture(t, nil)
	ctx := ctxT(t)
	_, err := f.acc.Disclose(ctx, "acme", reseller, accounts.DisclosureReinvoicing)
	assert.ErrorIs(t, err, advox.ErrNoConsent, "nothing before consent")

	require.NoError(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	_, err = f.acc.Disclose(ctx, "acme", reseller, accounts.DisclosureReinvoicing)
	require.NoError(t, err)

	_, err = f.acc.Disclose(ctx, "acme", reseller, accounts.DisclosureSupport)
	assert.ErrorIs(t, err, advox.ErrNoConsent, "consent is per purpose")
	_, err = f.acc.Disclose(ctx, "acme", "other-partner", accounts.DisclosureReinvoicing)
	assert.ErrorIs(t, err, advox.ErrNoConsent, "consent is per party")

	f.clock.Advance(time.Hour)
	require.NoError(t, f.acc.WithdrawConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	_, err = f.acc.Disclose(ctx, "acme", reseller, accounts.DisclosureReinvoicing)
	assert.ErrorIs(t, err, advox.ErrNoConsent, "nothing after withdrawal")
	assert.ErrorIs(t, f.acc.WithdrawConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing), advox.ErrNotFound)

	c, err := f.acc.Get(ctx, "acme")
	require.NoError(t, err)
	require.Len(t, c.Consents, 1, "the withdrawn consent stays on record")
	assert.Equal(t, storage.Consent{Party: reseller, Purpose: "reseller-reinvoicing",
		GrantedAt: acctEpoch, WithdrawnAt: acctEpoch.Add(time.Hour)}, c.Consents[0])

	f.clock.Advance(time.Hour)
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	c, err = f.acc.Get(ctx, "acme")
	require.NoError(t, err)
	assert.Len(t, c.Consents, 2, "granted again once; granting a consent in force changes nothing")
}

func TestDiscloseToResellerGetsBillingOnly(t *testing.T) {
	f := authFixture(t, nil)
	ctx := ctxT(t)
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	got, err := f.acc.Disclose(ctx, "acme", reseller, accounts.DisclosureReinvoicing)
	require.NoError(t, err)

	full, err := f.acc.Get(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, storage.Customer{
		Account: "acme", Organisation: full.Organisation, OrgNumber: full.OrgNumber, References: full.References,
		Reseller: reseller, InvoiceAddress: full.InvoiceAddress, PostalAddress: full.PostalAddress, Phone: full.Phone,
		Limits: full.Limits, CreatedAt: full.CreatedAt, UpdatedAt: full.UpdatedAt,
	}, got, "billing data, nothing else")
	js, err := json.Marshal(got)
	require.NoError(t, err)
	for _, hidden := range []string{"192.0.2", "2001:db8", "argon2", "acme-api", "asa@example.se", "Åsa"} {
		assert.NotContains(t, string(js), hidden)
	}
}

func TestDiscloseToSupportGetsNoHashes(t *testing.T) {
	f := authFixture(t, nil)
	ctx := ctxT(t)
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", "support-partner", accounts.DisclosureSupport))
	got, err := f.acc.Disclose(ctx, "acme", "support-partner", accounts.DisclosureSupport)
	require.NoError(t, err)
	require.Len(t, got.Users, 2)
	assert.Equal(t, "acme-api", got.Users[0].ID)
	assert.Equal(t, mustPrefixes("192.0.2.0/24", "2001:db8:1::/48"), got.Users[0].Allowed)
	assert.Empty(t, got.Users[0].PasswordHash)
	assert.Len(t, got.Contacts, 2)
	assert.Empty(t, got.InvoiceAddress, "no billing data for support")
	assert.Empty(t, got.References)
	assert.Empty(t, got.Consents)
}

func TestDiscloseReinvoicingOnlyToTheAccountsReseller(t *testing.T) {
	f := authFixture(t, nil)
	ctx := ctxT(t)
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", "other-reseller", accounts.DisclosureReinvoicing))
	_, err := f.acc.Disclose(ctx, "acme", "other-reseller", accounts.DisclosureReinvoicing)
	assert.ErrorIs(t, err, advox.ErrNoConsent)
}

func TestConsentArguments(t *testing.T) {
	f := authFixture(t, nil)
	ctx := ctxT(t)
	assert.ErrorIs(t, f.acc.GrantConsent(ctx, "acme", reseller, "marketing"), advox.ErrInvalidArgument,
		"purposes outside the policy cannot be consented to")
	_, err := f.acc.Disclose(ctx, "acme", reseller, "marketing")
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
	assert.ErrorIs(t, f.acc.GrantConsent(ctx, "acme", " ", accounts.DisclosureSupport), advox.ErrInvalidArgument)
	// The party goes into the audit trail: an opaque id, never a name,
	// an e-mail address or a phone number.
	for _, party := range []string{"Support Partner AB", "support@partner.se", "+46701740605"} {
		assert.ErrorIs(t, f.acc.GrantConsent(ctx, "acme", party, accounts.DisclosureSupport), advox.ErrInvalidArgument, party)
	}
	err = f.acc.GrantConsent(ctx, "acme", "konsult-"+soleTrader, accounts.DisclosureSupport)
	assert.ErrorIs(t, err, advox.ErrPersonalNumber)
	errstest.NoDigitsOf(t, soleTrader, err.Error())
	assert.ErrorIs(t, f.acc.GrantConsent(ctx, "missing", reseller, accounts.DisclosureSupport), advox.ErrNotFound)
}

func TestCustomDisclosurePolicy(t *testing.T) {
	policy := accounts.DisclosurePolicy{"auditor": {processing.CategoryOrganisation, processing.CategoryConsents}}
	f := authFixture(t, &accounts.Options{Disclosures: policy, ExtraPurposes: []accounts.DisclosurePurpose{"auditor"}})
	ctx := ctxT(t)
	assert.ErrorIs(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing), advox.ErrInvalidArgument,
		"only the configured purposes exist")
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", "revisor", "auditor"))
	got, err := f.acc.Disclose(ctx, "acme", "revisor", "auditor")
	require.NoError(t, err)
	assert.Equal(t, "Exempelbolaget AB", got.Organisation)
	assert.Len(t, got.Consents, 1)
	assert.Empty(t, got.Users)
}

func TestDisclosurePolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		policy accounts.DisclosurePolicy
		ok     bool
	}{
		{"default", accounts.DefaultDisclosurePolicy(), true},
		{"credentials", accounts.DisclosurePolicy{"x": {processing.CategoryCredentials}}, false},
		{"traffic data", accounts.DisclosurePolicy{"x": {processing.CategoryRecipients}}, false},
		{"unknown", accounts.DisclosurePolicy{"x": {"shoe-size"}}, false},
		{"networks without users", accounts.DisclosurePolicy{"x": {processing.CategoryNetworks}}, false},
		{"empty purpose", accounts.DisclosurePolicy{"": {processing.CategoryOrganisation}}, false},
		// Broke: any purpose name passed, "prospecting" revealing contacts.
		{"a purpose the privacy policy does not name", accounts.DisclosurePolicy{"prospecting": {processing.CategoryContacts}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.Validate()
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, advox.ErrInvalidArgument)
			}
		})
	}
}

// TestDisclosurePolicyExtraPurposes: a purpose beyond support and
// re-invoicing exists only when added explicitly; NewAccounts refuses it
// otherwise.
func TestDisclosurePolicyExtraPurposes(t *testing.T) {
	policy := accounts.DisclosurePolicy{"auditor": {processing.CategoryOrganisation}}
	assert.NoError(t, policy.Validate("auditor"))
	_, err := accounts.New(memstore.NewAccounts(), &accounts.Options{Disclosures: policy})
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
}

// TestDisclosurePolicyCopied: the policy is copied at NewAccounts. Broke:
// widening the caller's map after NewAccounts widened disclosures.
func TestDisclosurePolicyCopied(t *testing.T) {
	policy := accounts.DisclosurePolicy{accounts.DisclosureReinvoicing: {processing.CategoryOrganisation}}
	f := authFixture(t, &accounts.Options{Disclosures: policy})
	ctx := ctxT(t)
	policy[accounts.DisclosureReinvoicing][0] = processing.CategoryContacts
	policy[accounts.DisclosureReinvoicing] = append(policy[accounts.DisclosureReinvoicing], processing.CategoryUsers)
	policy[accounts.DisclosureSupport] = []processing.DataCategory{processing.CategoryContacts}

	require.NoError(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	got, err := f.acc.Disclose(ctx, "acme", reseller, accounts.DisclosureReinvoicing)
	require.NoError(t, err)
	assert.Equal(t, "Exempelbolaget AB", got.Organisation)
	assert.Empty(t, got.Contacts)
	assert.Empty(t, got.Users)
	assert.ErrorIs(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureSupport), advox.ErrInvalidArgument)
}

// TestConsentOrderedBySequence: a clock stepping back does not revive a
// withdrawn consent, nor hide one just granted. Broke: consents were in
// force by their times.
func TestConsentOrderedBySequence(t *testing.T) {
	f := authFixture(t, nil)
	ctx := ctxT(t)
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	f.clock.Advance(time.Hour)
	require.NoError(t, f.acc.WithdrawConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	f.clock.Advance(-30 * time.Minute) // the clock steps back between grant and withdrawal
	_, err := f.acc.Disclose(ctx, "acme", reseller, accounts.DisclosureReinvoicing)
	assert.ErrorIs(t, err, advox.ErrNoConsent, "withdrawn stays withdrawn")

	f.clock.Advance(-2 * time.Hour) // before everything
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	_, err = f.acc.Disclose(ctx, "acme", reseller, accounts.DisclosureReinvoicing)
	assert.NoError(t, err, "granted again, in force although dated before the withdrawal")
	c, err := f.acc.Get(ctx, "acme")
	require.NoError(t, err)
	assert.Len(t, c.Consents, 2)
}

// TestDisclosuresAlwaysOnRecord: a disclosure names the party and the
// categories handed over; every refusal is audited with its reason.
// Broke: the event named neither, and refusals were not audited.
func TestDisclosuresAlwaysOnRecord(t *testing.T) {
	f := authFixture(t, nil)
	ctx := audit.WithActor(ctxT(t), "support-7")
	f.audit.Reset()
	_, err := f.acc.Disclose(ctx, "acme", reseller, accounts.DisclosureReinvoicing)
	require.ErrorIs(t, err, advox.ErrNoConsent)
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", "other-reseller", accounts.DisclosureReinvoicing))
	_, err = f.acc.Disclose(ctx, "acme", "other-reseller", accounts.DisclosureReinvoicing)
	require.ErrorIs(t, err, advox.ErrNoConsent)
	_, err = f.acc.Disclose(ctx, "acme", reseller, "prospecting")
	require.ErrorIs(t, err, advox.ErrInvalidArgument)
	_, err = f.acc.Disclose(ctx, "acme", "Partner AB", accounts.DisclosureSupport)
	require.ErrorIs(t, err, advox.ErrInvalidArgument)
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	_, err = f.acc.Disclose(ctx, "acme", reseller, accounts.DisclosureReinvoicing)
	require.NoError(t, err)

	at := f.clock.Now()
	ev := func(action, party, refused string, cats []processing.DataCategory, n int) audit.Event {
		return audit.Event{Time: at, Action: action, Actor: "support-7", Account: "acme", Party: party,
			Refused: refused, Categories: cats, Count: n}
	}
	assert.Equal(t, []audit.Event{
		ev("disclose: reseller-reinvoicing", reseller, accounts.RefusedNoConsent, nil, 0),
		ev("grant consent: reseller-reinvoicing", "other-reseller", "", nil, 1),
		ev("disclose: reseller-reinvoicing", "other-reseller", accounts.RefusedNotReseller, nil, 0),
		ev("disclose: prospecting", reseller, accounts.RefusedPurpose, nil, 0),
		ev("disclose: technical-support", "", accounts.RefusedParty, nil, 0),
		ev("grant consent: reseller-reinvoicing", reseller, "", nil, 1),
		ev("disclose: reseller-reinvoicing", reseller, "",
			[]processing.DataCategory{processing.CategoryOrganisation, processing.CategoryBilling, processing.CategoryContract}, 1),
	}, f.audit.Events())
}

// The defaults are functions: a caller that edits what one returned
// changes nobody else's default. Broke: they were package variables any
// importer could overwrite for the whole process.
func TestDefaultsCannotBeChangedForOthers(t *testing.T) {
	d := accounts.DefaultDisclosurePolicy()
	d[accounts.DisclosureSupport] = append(d[accounts.DisclosureSupport], processing.CategoryCredentials)
	d["prospecting"] = nil
	assert.NotContains(t, accounts.DefaultDisclosurePolicy()[accounts.DisclosureSupport], processing.CategoryCredentials)
	assert.NotContains(t, accounts.DefaultDisclosurePolicy(), accounts.DisclosurePurpose("prospecting"))
	assert.NoError(t, accounts.DefaultDisclosurePolicy().Validate())

	p := accounts.DefaultPasswordParams()
	p.Memory = 8
	assert.Equal(t, uint32(19*1024), accounts.DefaultPasswordParams().Memory)
	l := accounts.DefaultAuthLimit()
	l.Failures = 1000
	assert.Equal(t, 5, accounts.DefaultAuthLimit().Failures)
}
