package accounts

import (
	"cmp"
	"fmt"
	"math"
	"net/mail"
	"slices"
	"strings"

	"golang.org/x/time/rate"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/storage"
)

// checkCustomer validates customer data and normalises it in place: the
// personal-identity-number guard over every string first (so that nothing
// is parsed or normalised away before it is looked at), then each field's
// own rules. Phone numbers become E.164 (read in region when national, ""
// meaning "SE"), networks their masked form, country codes upper case.
func checkCustomer(op string, c *storage.Customer, region string) error {
	if err := advox.ValidateAccountID(c.Account); err != nil {
		if advox.CodeOf(err) == advox.CodePersonalNumber {
			return errs.PersonalNumber(op, "Account")
		}
		return &advox.Error{Op: op, Code: advox.CodeInvalidArgument, Err: &advox.FieldError{Field: "Account", Reason: "1–64 printable characters without spaces"}}
	}
	if err := guardCustomer(op, c); err != nil {
		return err
	}
	if strings.TrimSpace(c.Organisation) == "" {
		return errs.Field(op, "Organisation", "required")
	}
	if c.Reseller != "" && advox.ValidateAccountID(c.Reseller) != nil {
		// The reseller is the party of re-invoicing disclosures: an id.
		return errs.Field(op, "Reseller", "the reseller's opaque id: 1–64 printable characters without spaces")
	}
	if err := checkEmail(op, "Email", c.Email); err != nil {
		return err
	}
	if c.Phone != "" {
		e164, ok := phone.Normalise(c.Phone, cmp.Or(region, "SE"))
		if !ok {
			return errs.Field(op, "Phone", "not a valid phone number")
		}
		c.Phone = e164
	}
	for _, ad := range []struct {
		name string
		a    *storage.Address
	}{{"InvoiceAddress", &c.InvoiceAddress}, {"PostalAddress", &c.PostalAddress}} {
		ad.a.Country = strings.ToUpper(ad.a.Country)
		if ad.a.Country != "" && !isCountryCode(ad.a.Country) {
			return errs.Field(op, ad.name+".Country", "an ISO 3166-1 alpha-2 code")
		}
	}
	seen := make(map[string]bool, len(c.Users))
	for i := range c.Users {
		u := &c.Users[i]
		field := fmt.Sprintf("Users[%d]", i)
		if advox.ValidateAccountID(u.ID) != nil {
			return errs.Field(op, field+".ID", "1–64 printable characters without spaces")
		}
		if seen[u.ID] {
			return errs.Field(op, field+".ID", "appears twice")
		}
		seen[u.ID] = true
		for j, p := range u.Allowed {
			if !p.IsValid() {
				return errs.Field(op, fmt.Sprintf("%s.Allowed[%d]", field, j), "not a valid network")
			}
			u.Allowed[j] = p.Masked()
		}
	}
	for i, ct := range c.Contacts {
		field := fmt.Sprintf("Contacts[%d]", i)
		if strings.TrimSpace(ct.Name) == "" {
			return errs.Field(op, field+".Name", "required")
		}
		if err := checkEmail(op, field+".Email", ct.Email); err != nil {
			return err
		}
		if !slices.Contains(contactRoles, ct.Role) {
			return errs.Field(op, field+".Role", "one of "+strings.Join(contactRoles, ", "))
		}
	}
	l := c.Limits
	if l.Rate < 0 || math.IsNaN(l.Rate) || math.IsInf(l.Rate, 0) || l.Burst < 0 || l.MonthlySegments < 0 {
		return errs.Field(op, "Limits", "rate, burst and quota must be finite and not negative")
	}
	return nil
}

// checkEmail accepts "" or a bare address ("name@example.se").
func checkEmail(op, field, s string) error {
	if s == "" {
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return errs.Field(op, field, "not a bare e-mail address")
	}
	return nil
}

// isCountryCode reports whether s is two upper-case ASCII letters.
func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// limitOf converts contract limits to the Client's Limit.
func limitOf(l storage.ContractLimits) advox.Limit {
	if l.Rate == 0 {
		return advox.Limit{}
	}
	return advox.Limit{Rate: rate.Limit(l.Rate), Burst: max(l.Burst, 1)}
}
