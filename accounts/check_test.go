package accounts_test

import (
	"errors"
	"math"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/storage"
)

func TestCreateValidatesFields(t *testing.T) {
	tests := []struct {
		name  string
		field string
		edit  func(c *storage.Customer)
	}{
		{"bad account id", "Account", func(c *storage.Customer) { c.Account = "has space" }},
		{"no organisation", "Organisation", func(c *storage.Customer) { c.Organisation = " " }},
		{"bad org number", "OrgNumber", func(c *storage.Customer) { c.OrgNumber = "556016-0681" }},
		{"bad e-mail", "Email", func(c *storage.Customer) { c.Email = "Åsa <asa@example.se>" }},
		{"bad phone", "Phone", func(c *storage.Customer) { c.Phone = "12" }},
		{"bad country", "PostalAddress.Country", func(c *storage.Customer) { c.PostalAddress.Country = "Sweden" }},
		{"duplicate user", "Users[1].ID", func(c *storage.Customer) { c.Users[1].ID = c.Users[0].ID }},
		{"invalid network", "Users[0].Allowed[0]", func(c *storage.Customer) { c.Users[0].Allowed[0] = netip.Prefix{} }},
		{"contact without name", "Contacts[0].Name", func(c *storage.Customer) { c.Contacts[0].Name = "" }},
		{"negative quota", "Limits", func(c *storage.Customer) { c.Limits.MonthlySegments = -1 }},
		{"infinite rate", "Limits", func(c *storage.Customer) { c.Limits.Rate = math.Inf(1) }},
		{"too long", "References[0]", func(c *storage.Customer) {
			c.References[0] = strings.Repeat("x", accounts.MaxFieldLen+1)
		}},
		{"control character", "Reseller", func(c *storage.Customer) { c.Reseller = "a\x00b" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newAcctFixture(t, nil)
			c := demoCustomer("acme")
			tc.edit(&c)
			_, err := f.acc.Create(ctxT(t), c)
			require.ErrorIs(t, err, advox.ErrInvalidArgument)
			var fe *advox.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}

func TestCreateNormalises(t *testing.T) {
	f := newAcctFixture(t, nil)
	c := demoCustomer("acme")
	c.Users[0].Allowed = []netip.Prefix{netip.MustParsePrefix("192.0.2.77/24")}
	got, err := f.acc.Create(ctxT(t), c)
	require.NoError(t, err)
	assert.Equal(t, "+46812345678", got.Phone, "E.164")
	assert.Equal(t, "SE", got.InvoiceAddress.Country)
	assert.Equal(t, netip.MustParsePrefix("192.0.2.0/24"), got.Users[0].Allowed[0])
	assert.Equal(t, acctEpoch, got.CreatedAt)
	stored, err := f.acc.Get(ctxT(t), "acme")
	require.NoError(t, err)
	assert.Equal(t, got, stored)
}
