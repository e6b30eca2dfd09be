package accounttest

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// Remnants: customer data a store deleted (DeleteAccount) or replaced
// (UpdateAccount) must not stay in what it keeps at rest — a database
// file's free pages, a write-ahead log — where anyone who reads the files
// finds it. The cases run when Features.Remnants can show the store's
// bytes.

// marked returns a customer every personal or customer-identifying value
// of which (e-mail addresses, names, addresses, phone, references,
// reseller, user ids, password hashes, networks, consent parties) holds
// mark, so that a byte scan for it finds any of them. n varies the
// networks so that two marked customers share none.
func marked(account, mark string, n byte) storage.Customer {
	return storage.Customer{
		Account:      account,
		Organisation: "Org " + mark + " AB",
		References:   []string{"Ref " + mark},
		Reseller:     "Reseller " + mark + " AB",
		InvoiceAddress: storage.Address{
			Lines: []string{"Invoice " + mark, "Box " + mark}, PostalCode: "PC" + mark, City: "City" + mark, Country: "SE",
		},
		PostalAddress: storage.Address{Lines: []string{"Street " + mark}, PostalCode: "PP" + mark, City: "Town" + mark, Country: "SE"},
		Email:         "billing." + mark + "@example.se",
		Phone:         "+4681" + mark,
		Users: []storage.User{{
			ID:           "user." + mark + "@example.se",
			PasswordHash: storage.PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + mark),
			Allowed:      []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{203, 0, 113, n}), 32)},
		}},
		Contacts:  []storage.Contact{{Name: "Contact " + mark, Email: "contact." + mark + "@example.se", Role: "support"}},
		Consents:  []storage.Consent{{Party: "Party " + mark, Purpose: "reseller-reinvoicing", GrantedAt: base}},
		Limits:    storage.ContractLimits{Rate: 5, Burst: 5},
		CreatedAt: base, UpdatedAt: base,
	}
}

// customerValues lists the byte strings of c that must go when c does.
func customerValues(c storage.Customer) []string {
	v := []string{c.Organisation, c.Reseller, c.Email, c.Phone, c.InvoiceAddress.PostalCode, c.InvoiceAddress.City,
		c.PostalAddress.PostalCode, c.PostalAddress.City}
	v = append(v, c.References...)
	v = append(v, c.InvoiceAddress.Lines...)
	v = append(v, c.PostalAddress.Lines...)
	for _, u := range c.Users {
		v = append(v, u.ID, string(u.PasswordHash))
		for _, p := range u.Allowed {
			v = append(v, p.String())
		}
	}
	for _, k := range c.Contacts {
		v = append(v, k.Name, k.Email)
	}
	for _, k := range c.Consents {
		v = append(v, k.Party)
	}
	return v
}

// remnantsOf closes s through f.Remnants and reports which of gone are
// still in its bytes, and which of kept are not.
func remnantsOf(t *testing.T, s storage.AccountStore, f Features, gone, kept []string) (left, lost []string) {
	t.Helper()
	files := f.Remnants(t, s)
	require.NotEmpty(t, files, "Remnants returned no bytes")
	in := func(v string) bool {
		for _, b := range files {
			if bytes.Contains(b, []byte(v)) {
				return true
			}
		}
		return false
	}
	for _, v := range gone {
		if in(v) {
			left = append(left, v)
		}
	}
	for _, v := range kept {
		if !in(v) {
			lost = append(lost, v)
		}
	}
	return left, lost
}

// testDeleteLeavesNoRemnants: once an account is deleted, none of its
// values is in the store's bytes; another account's are (the scan looks).
func testDeleteLeavesNoRemnants(t *testing.T, s storage.AccountStore, f Features) {
	if f.Remnants == nil {
		t.Skip("Features.Remnants is nil: the store cannot show its bytes")
	}
	gone, kept := marked("acct-gone", "Q7gone", 1), marked("acct-kept", "Z3kept", 2)
	mustCreate(t, s, gone)
	mustCreate(t, s, kept)
	_, _, err := s.ReserveSegments(ctx(t), "acct-gone", period(3), 4, 0)
	require.NoError(t, err)
	require.NoError(t, s.DeleteAccount(ctx(t), "acct-gone"))

	left, lost := remnantsOf(t, s, f, customerValues(gone), customerValues(kept))
	assert.Empty(t, left, "values of the deleted account found")
	assert.Empty(t, lost, "values of the kept account not found: the scan does not see the data")
}

// testUpdateLeavesNoRemnants: values an update replaced (e-mail, names,
// addresses, users and their hashes, networks, contacts, consents) are not
// in the store's bytes; the values that replaced them, and another
// account's written after the first version, are.
func testUpdateLeavesNoRemnants(t *testing.T, s storage.AccountStore, f Features) {
	if f.Remnants == nil {
		t.Skip("Features.Remnants is nil: the store cannot show its bytes")
	}
	// Other lengths and rows written in between: the new values cannot
	// simply land on the old bytes.
	old, now, other := marked("acct-a", "Q7old", 1), marked("acct-a", "Z3longer", 2), marked("acct-b", "Y5other", 3)
	mustCreate(t, s, old)
	mustCreate(t, s, other)
	_, err := s.UpdateAccount(ctx(t), "acct-a", func(c *storage.Customer) error {
		*c = now.Clone()
		c.UpdatedAt = base.Add(time.Hour)
		return nil
	})
	require.NoError(t, err)

	left, lost := remnantsOf(t, s, f, customerValues(old), append(customerValues(now), customerValues(other)...))
	assert.Empty(t, left, "replaced values found")
	assert.Empty(t, lost, "current values not found: the scan does not see the data")
}
