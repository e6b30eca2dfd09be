package accounts_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/internal/errs/errstest"
	"github.com/azenna/advox/pii"
	"github.com/azenna/advox/storage"
)

func TestCreateRefusesPersonalNumberInEveryField(t *testing.T) {
	forms := []string{soleTrader, "19811218-9876", "ring 8112189876 ang. faktura", "701063-2391"}
	fields := []struct {
		field string
		set   func(c *storage.Customer, v string)
	}{
		{"Organisation", func(c *storage.Customer, v string) { c.Organisation = "Firma " + v }},
		{"References[1]", func(c *storage.Customer, v string) { c.References = append(c.References, v) }},
		{"Reseller", func(c *storage.Customer, v string) { c.Reseller = v }},
		{"InvoiceAddress.Lines[1]", func(c *storage.Customer, v string) { c.InvoiceAddress.Lines[1] = v }},
		{"InvoiceAddress.PostalCode", func(c *storage.Customer, v string) { c.InvoiceAddress.PostalCode = v }},
		{"PostalAddress.City", func(c *storage.Customer, v string) { c.PostalAddress.City = v }},
		{"Email", func(c *storage.Customer, v string) { c.Email = strings.ReplaceAll(v, " ", "") + "@example.se" }},
		{"Phone", func(c *storage.Customer, v string) { c.Phone = v }},
		{"Users[1].ID", func(c *storage.Customer, v string) { c.Users[1].ID = strings.ReplaceAll(v, " ", "") }},
		{"Contacts[0].Name", func(c *storage.Customer, v string) { c.Contacts[0].Name = "Åsa " + v }},
		{"Contacts[1].Email", func(c *storage.Customer, v string) {
			c.Contacts[1].Email = "p" + strings.ReplaceAll(v, " ", "") + "@example.se"
		}},
		{"Contacts[1].Role", func(c *storage.Customer, v string) { c.Contacts[1].Role = v }},
	}
	for _, fl := range fields {
		for _, v := range forms {
			t.Run(fl.field+"/"+v, func(t *testing.T) {
				f := newAcctFixture(t, nil)
				c := demoCustomer("acme")
				fl.set(&c, v)
				_, err := f.acc.Create(ctxT(t), c)
				require.Error(t, err)
				assert.ErrorIs(t, err, advox.ErrPersonalNumber)
				var fe *advox.FieldError
				require.True(t, errors.As(err, &fe), "names the field: %v", err)
				assert.Equal(t, fl.field, fe.Field)
				errstest.NoDigitsOf(t, v, err.Error())
				_, err = f.acc.Get(ctxT(t), "acme")
				assert.ErrorIs(t, err, advox.ErrNotFound, "nothing stored")
			})
		}
	}
}

// TestCreateRefusesContactDataInFreeText: free text holds no person's
// phone number or e-mail address, a contact's role is one of a closed set,
// and a personnummer written with "/", "." or "_", or split across two
// fields, is found. Broke: every one of these was stored.
func TestCreateRefusesContactDataInFreeText(t *testing.T) {
	tests := []struct {
		name, field string
		pnr         bool
		edit        func(c *storage.Customer)
	}{
		{"mobile in a role", "Contacts[0].Role", false, func(c *storage.Customer) { c.Contacts[0].Role = "privat mobil 070-174 06 05" }},
		{"birth date in a role", "Contacts[0].Role", false, func(c *storage.Customer) { c.Contacts[0].Role = "född 1981-12-18" }},
		{"free role", "Contacts[1].Role", false, func(c *storage.Customer) { c.Contacts[1].Role = "CEO" }},
		{"e-mail in a reference", "References[0]", false, func(c *storage.Customer) { c.References[0] = "att. anna.svensson@gmail.com" }},
		{"e-mail in an address line", "InvoiceAddress.Lines[0]", false, func(c *storage.Customer) { c.InvoiceAddress.Lines[0] = "anna@home.se" }},
		{"mobile in an address line", "PostalAddress.Lines[0]", false, func(c *storage.Customer) { c.PostalAddress.Lines[0] = "Storgatan 1 tel 0701740605" }},
		{"international mobile", "Organisation", false, func(c *storage.Customer) { c.Organisation = "Exempel AB, +46 70 174 06 05" }},
		{"00 prefix", "References[0]", false, func(c *storage.Customer) { c.References[0] = "ring 0046 70 174 06 05" }},
		{"mobile in a contact's name", "Contacts[0].Name", false, func(c *storage.Customer) { c.Contacts[0].Name = "Åsa 070-1740605" }},
		{"pnr with a slash", "References[0]", true, func(c *storage.Customer) { c.References[0] = "811218/9876" }},
		{"pnr with dots", "PostalAddress.City", true, func(c *storage.Customer) { c.PostalAddress.City = "81.12.18.9876" }},
		{"pnr with an underscore", "Contacts[0].Name", true, func(c *storage.Customer) { c.Contacts[0].Name = "Åsa_811218_9876" }},
		{"pnr across two references", "References[0] and References[1]", true, func(c *storage.Customer) {
			c.References = []string{"Åsa 811218-", "9876"}
		}},
		{"12-digit pnr across name and city", "Contacts[0].Name and PostalAddress.City", true, func(c *storage.Customer) {
			c.Contacts[0].Name, c.PostalAddress.City = "Åsa 19811218", "9876 Göteborg"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newAcctFixture(t, nil)
			c := demoCustomer("acme")
			tc.edit(&c)
			_, err := f.acc.Create(ctxT(t), c)
			require.Error(t, err)
			if tc.pnr {
				assert.ErrorIs(t, err, advox.ErrPersonalNumber)
				errstest.NoDigitsOf(t, soleTrader, err.Error())
			} else {
				assert.ErrorIs(t, err, advox.ErrInvalidArgument)
			}
			var fe *advox.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Equal(t, tc.field, fe.Field)
			assert.NotContains(t, err.Error(), "174", "the value is not echoed")
		})
	}
}

// TestCreateKeepsFreeTextThatIsNotContactData: postal codes, references,
// organisation numbers, box numbers and the customer's own Email and
// Phone are no person's contact data.
func TestCreateKeepsFreeTextThatIsNotContactData(t *testing.T) {
	f := newAcctFixture(t, nil)
	c := demoCustomer("acme")
	c.References = []string{"PO 4711", "Order 77-4411-2", "Kst 12345678", "Avtal 556016-0680"}
	c.InvoiceAddress.Lines = []string{"c/o Ekonomi", "Box 1234", "Plan 3, rum 3.14"}
	c.PostalAddress.Lines = []string{"Storgatan 1", "811218"} // a date alone is no number
	_, err := f.acc.Create(ctxT(t), c)
	require.NoError(t, err)
}

func TestCreateRefusesSoleTraderOrgNumber(t *testing.T) {
	f := newAcctFixture(t, nil)
	c := demoCustomer("acme")
	c.OrgNumber = soleTrader
	_, err := f.acc.Create(ctxT(t), c)
	require.Error(t, err)
	assert.ErrorIs(t, err, pii.ErrSoleTraderNumber)
	assert.ErrorIs(t, err, advox.ErrPersonalNumber)
	errstest.NoDigitsOf(t, soleTrader, err.Error())

	c.OrgNumber = ""
	c.Organisation = "Anna Anderssons Hårvård"
	_, err = f.acc.Create(ctxT(t), c)
	assert.NoError(t, err, "a sole trader registers without the number")
}

// A personal identity number in the organisation-number field is refused
// as one, whatever else is wrong with the value, like in every other field
// (pii's TestOrgAndVATNumbersRefusePersonalNumberAsSuch has the rest).
func TestOrgNumberFieldRefusesPersonalNumberAsSuch(t *testing.T) {
	for _, s := range []string{"811218987601", "SE811218987601", "SE 811218-9876 01", "811218-9876 AB"} {
		f := newAcctFixture(t, nil)
		c := demoCustomer("acme")
		c.OrgNumber = s
		_, err := f.acc.Create(ctxT(t), c)
		assert.ErrorIs(t, err, advox.ErrPersonalNumber, "OrgNumber %q", s)
	}
}

// Audit events never hold an identity number, not even one an application
// passes as the actor.
func TestAuditActorNeverHoldsPersonalNumber(t *testing.T) {
	f := newAcctFixture(t, nil)
	ctx := audit.WithActor(ctxT(t), "bankid:19811218-9876")
	_, err := f.acc.Create(ctx, demoCustomer("acme"))
	require.NoError(t, err)
	require.NotEmpty(t, f.audit.Events())
	for _, e := range f.audit.Events() {
		assert.False(t, pii.ContainsPersonalNumber(e.Actor), "actor %q", e.Actor)
		assert.NotEmpty(t, e.Actor, "an actor was given")
	}
	assert.Equal(t, "ops-7", audit.ActorFrom(audit.WithActor(context.Background(), "ops-7")))
}
