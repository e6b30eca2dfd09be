package accounttest

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// invalidText are the changes that make a customer unstorable: a string
// that is not UTF-8 or holds a NUL byte (PostgreSQL's text cannot hold
// either; a store must not keep what another store refuses, nor alter it
// silently), or a rate that is not a number.
var invalidText = []struct {
	name string
	set  func(c *storage.Customer)
}{
	{"NUL in the organisation", func(c *storage.Customer) { c.Organisation = "Exempel\x00AB" }},
	{"not UTF-8 in the e-mail", func(c *storage.Customer) { c.Email = "sms@exempel\xff.se" }},
	{"not UTF-8 in a reference", func(c *storage.Customer) { c.References = []string{"PO \xc3"} }},
	{"NUL in an address line", func(c *storage.Customer) { c.PostalAddress.Lines = []string{"Storgatan\x001"} }},
	{"not UTF-8 in a city", func(c *storage.Customer) { c.InvoiceAddress.City = "G\xf6teborg" }},
	{"NUL in a user id", func(c *storage.Customer) { c.Users[0].ID = "xavier\x00" }},
	{"not UTF-8 in a password hash", func(c *storage.Customer) { c.Users[0].PasswordHash = "$argon2id$\xff" }},
	{"NUL in a contact name", func(c *storage.Customer) { c.Contacts[0].Name = "\x00sa" }},
	{"not UTF-8 in a consent party", func(c *storage.Customer) { c.Consents[0].Party = "Reseller \xe5" }},
	{"rate not a number", func(c *storage.Customer) { c.Limits.Rate = math.NaN() }},
}

// testInvalidText: customer data a store cannot keep exactly is refused
// with ErrInvalid by CreateAccount and UpdateAccount, which store nothing;
// a lookup by an id no store can hold is ErrNotFound, never a database
// failure (ids come from outside: logins, URLs).
func testInvalidText(t *testing.T, s storage.AccountStore, _ Features) {
	a := fullCustomer("acct-a", "alice")
	mustCreate(t, s, a)
	for _, tc := range invalidText {
		t.Run(tc.name, func(t *testing.T) {
			c := fullCustomer("acct-x", "xavier")
			tc.set(&c)
			assert.ErrorIs(t, s.CreateAccount(ctx(t), c), storage.ErrInvalid, "create")
			_, err := s.GetAccount(ctx(t), "acct-x")
			assert.ErrorIs(t, err, storage.ErrNotFound, "nothing created")
			_, err = s.FindUser(ctx(t), "xavier")
			assert.ErrorIs(t, err, storage.ErrNotFound, "no user indexed")

			_, err = s.UpdateAccount(ctx(t), "acct-a", func(c *storage.Customer) error { tc.set(c); return nil })
			assert.ErrorIs(t, err, storage.ErrInvalid, "update")
			got, err := s.GetAccount(ctx(t), "acct-a")
			require.NoError(t, err)
			assertSame(t, a, got)
		})
	}
	t.Run("invalid account id", func(t *testing.T) {
		for _, id := range []string{"acct-\x00", "acct-\xff"} {
			c := fullCustomer(id, "yvonne")
			assert.ErrorIs(t, s.CreateAccount(ctx(t), c), storage.ErrInvalid, "%q", id)
			_, err := s.FindUser(ctx(t), "yvonne")
			assert.ErrorIs(t, err, storage.ErrNotFound, "no user indexed")
		}
	})
	t.Run("lookups by ids no store holds", func(t *testing.T) {
		for _, id := range []string{"acct-a\x00", "acct-a\xff", "alice\x00", "alice\xc3"} {
			_, err := s.GetAccount(ctx(t), id)
			assert.ErrorIs(t, err, storage.ErrNotFound, "get %q", id)
			_, err = s.FindUser(ctx(t), id)
			assert.ErrorIs(t, err, storage.ErrNotFound, "find user %q", id)
			_, err = s.UpdateAccount(ctx(t), id, func(*storage.Customer) error { return nil })
			assert.ErrorIs(t, err, storage.ErrNotFound, "update %q", id)
			assert.ErrorIs(t, s.DeleteAccount(ctx(t), id), storage.ErrNotFound, "delete %q", id)
			_, _, err = s.ReserveSegments(ctx(t), id, period(3), 1, 0)
			assert.ErrorIs(t, err, storage.ErrNotFound, "reserve %q", id)
		}
	})
}
