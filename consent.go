package advox

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/azenna/advox/storage"
)

// DisclosurePurpose is why customer data is handed to a party outside the
// provider. Customer data leaves only for a purpose the customer consented
// to, for that party.
type DisclosurePurpose string

// The purposes of disclosure the privacy policy allows.
const (
	// DisclosureSupport: a partner giving the customer technical support.
	DisclosureSupport DisclosurePurpose = "technical-support"
	// DisclosureReinvoicing: the customer's reseller or agent, re-invoicing
	// the customer. Only the account's own Reseller may receive it.
	DisclosureReinvoicing DisclosurePurpose = "reseller-reinvoicing"
)

// DisclosurePolicy says which categories of customer data each purpose of
// disclosure reveals. Purposes it does not name cannot be consented to.
type DisclosurePolicy map[DisclosurePurpose][]DataCategory

// DefaultDisclosurePolicy gives a reseller what re-invoicing needs
// (organisation, billing data, contract limits) and a support partner what
// support needs (organisation, contacts, user ids and their networks,
// contract limits). Neither ever gets password hashes.
var DefaultDisclosurePolicy = DisclosurePolicy{
	DisclosureReinvoicing: {CategoryOrganisation, CategoryBilling, CategoryContract},
	DisclosureSupport:     {CategoryOrganisation, CategoryContacts, CategoryUsers, CategoryNetworks, CategoryContract},
}

// Validate refuses a policy that discloses credentials, traffic data or
// unknown categories, or networks without the users they belong to.
func (p DisclosurePolicy) Validate() error {
	const op = "disclosure policy"
	for purpose, cats := range p {
		if strings.TrimSpace(string(purpose)) == "" {
			return newError(op, CodeInvalidArgument, "empty purpose")
		}
		for _, c := range cats {
			if !slices.Contains(customerCategories, c) {
				return newError(op, CodeInvalidArgument, "purpose %s: category %q cannot be disclosed", purpose, c)
			}
		}
		if slices.Contains(cats, CategoryNetworks) && !slices.Contains(cats, CategoryUsers) {
			return newError(op, CodeInvalidArgument, "purpose %s: networks need users", purpose)
		}
	}
	return nil
}

// GrantConsent records that the account's customer lets party receive its
// data for purpose, from now on. Granting a consent in force again changes
// nothing.
func (a *Accounts) GrantConsent(ctx context.Context, account, party string, purpose DisclosurePurpose) error {
	const op = "grant consent"
	if err := a.checkConsentArgs(op, party, purpose); err != nil {
		return err
	}
	now := a.now()
	_, err := a.store.UpdateAccount(ctx, account, func(c *storage.Customer) error {
		if slices.ContainsFunc(c.Consents, inForce(party, purpose, now)) {
			return nil
		}
		c.Consents = append(c.Consents, storage.Consent{Party: party, Purpose: string(purpose), GrantedAt: now})
		c.UpdatedAt = now
		return nil
	})
	if err != nil {
		return wrap(op, err)
	}
	a.audit(ctx, "grant consent: "+string(purpose), account)
	return nil
}

// WithdrawConsent records that the consent for party and purpose ends now.
// The consent stays on record, withdrawn. It fails with CodeNotFound when
// no such consent is in force.
func (a *Accounts) WithdrawConsent(ctx context.Context, account, party string, purpose DisclosurePurpose) error {
	const op = "withdraw consent"
	if err := a.checkConsentArgs(op, party, purpose); err != nil {
		return err
	}
	now := a.now()
	_, err := a.store.UpdateAccount(ctx, account, func(c *storage.Customer) error {
		match, found := inForce(party, purpose, now), false
		for i, k := range c.Consents {
			if match(k) {
				c.Consents[i].WithdrawnAt = now
				found = true
			}
		}
		if !found {
			return newError(op, CodeNotFound, "no consent in force for this party and purpose")
		}
		c.UpdatedAt = now
		return nil
	})
	if err != nil {
		return wrap(op, err)
	}
	a.audit(ctx, "withdraw consent: "+string(purpose), account)
	return nil
}

// inForce matches the consents of party for purpose that are in force at
// now.
func inForce(party string, purpose DisclosurePurpose, now time.Time) func(storage.Consent) bool {
	return func(k storage.Consent) bool {
		return k.Party == party && k.Purpose == string(purpose) && k.Active(now)
	}
}

// checkConsentArgs refuses unknown purposes and parties that are empty,
// too long or hold a personal identity number.
func (a *Accounts) checkConsentArgs(op, party string, purpose DisclosurePurpose) error {
	if _, ok := a.opts.Disclosures[purpose]; !ok {
		return newError(op, CodeInvalidArgument, "purpose %q is not in the disclosure policy", purpose)
	}
	if strings.TrimSpace(party) == "" {
		return invalidField(op, "party", "required")
	}
	return checkText(op, "party", party)
}

// Disclose returns the customer data party may see for purpose: the
// categories the disclosure policy names for it, and nothing else (never
// password hashes). It fails with ErrNoConsent unless the customer's
// consent for this party and purpose is in force, and, for re-invoicing,
// unless party is the account's reseller. Every disclosure is audited.
func (a *Accounts) Disclose(ctx context.Context, account, party string, purpose DisclosurePurpose) (storage.Customer, error) {
	const op = "disclose"
	cats, ok := a.opts.Disclosures[purpose]
	if !ok {
		return storage.Customer{}, newError(op, CodeInvalidArgument, "purpose %q is not in the disclosure policy", purpose)
	}
	c, err := a.store.GetAccount(ctx, account)
	if err != nil {
		return storage.Customer{}, wrap(op, err)
	}
	if !slices.ContainsFunc(c.Consents, inForce(party, purpose, a.now())) {
		return storage.Customer{}, newError(op, CodeNoConsent, "the customer has not consented to this disclosure")
	}
	if purpose == DisclosureReinvoicing && (c.Reseller == "" || party != c.Reseller) {
		return storage.Customer{}, newError(op, CodeNoConsent, "only the account's reseller receives data for re-invoicing")
	}
	a.audit(ctx, "disclose: "+string(purpose), account)
	return selectCategories(c, cats), nil
}

// selectCategories returns the part of c that the categories cover.
func selectCategories(c storage.Customer, cats []DataCategory) storage.Customer {
	var out storage.Customer
	has := func(k DataCategory) bool { return slices.Contains(cats, k) }
	if has(CategoryOrganisation) {
		out.Account, out.Organisation, out.OrgNumber = c.Account, c.Organisation, c.OrgNumber
		out.CreatedAt, out.UpdatedAt = c.CreatedAt, c.UpdatedAt
	}
	if has(CategoryBilling) {
		out.References, out.Reseller, out.Phone = c.References, c.Reseller, c.Phone
		out.InvoiceAddress, out.PostalAddress = c.InvoiceAddress, c.PostalAddress
	}
	if has(CategoryContacts) {
		out.Email, out.Contacts = c.Email, c.Contacts
	}
	if has(CategoryUsers) {
		for _, u := range c.Users {
			v := storage.User{ID: u.ID}
			if has(CategoryNetworks) {
				v.Allowed = u.Allowed
			}
			out.Users = append(out.Users, v)
		}
	}
	if has(CategoryContract) {
		out.Limits = c.Limits
	}
	if has(CategoryConsents) {
		out.Consents = c.Consents
	}
	return out.Clone()
}
