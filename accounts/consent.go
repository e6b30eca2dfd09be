package accounts

import (
	"context"
	"slices"
	"strings"

	"github.com/azenna/advox"
	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/processing"
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
// disclosure reveals. Purposes it does not name cannot be consented to,
// and it may name only the privacy policy's purposes (DisclosureSupport,
// DisclosureReinvoicing) and those Options.ExtraPurposes adds.
type DisclosurePolicy map[DisclosurePurpose][]processing.DataCategory

// DefaultDisclosurePolicy returns a new copy of the default policy: it gives
// a reseller what re-invoicing needs
// (organisation, billing data, contract limits) and a support partner what
// support needs (organisation, contacts, user ids and their networks,
// contract limits). Neither ever gets password hashes.
func DefaultDisclosurePolicy() DisclosurePolicy {
	return DisclosurePolicy{
		DisclosureReinvoicing: {processing.CategoryOrganisation, processing.CategoryBilling, processing.CategoryContract},
		DisclosureSupport: {processing.CategoryOrganisation, processing.CategoryContacts, processing.CategoryUsers,
			processing.CategoryNetworks, processing.CategoryContract},
	}
}

// policyPurposes are the purposes of disclosure the privacy policy allows.
var policyPurposes = []DisclosurePurpose{DisclosureSupport, DisclosureReinvoicing}

// Validate refuses a policy that discloses credentials, traffic data or
// unknown categories, or networks without the users they belong to, or
// that names a purpose other than the privacy policy's two (technical
// support, re-invoicing) and the extra ones given — "prospecting" is
// refused unless a provider's own policy explicitly adds it.
func (p DisclosurePolicy) Validate(extra ...DisclosurePurpose) error {
	const op = "disclosure policy"
	for purpose, cats := range p {
		if strings.TrimSpace(string(purpose)) == "" {
			return errs.New(op, advox.CodeInvalidArgument, "empty purpose")
		}
		if !slices.Contains(policyPurposes, purpose) && !slices.Contains(extra, purpose) {
			return errs.New(op, advox.CodeInvalidArgument, "purpose %q is not one the privacy policy allows "+
				"(technical support, re-invoicing); add it with Options.ExtraPurposes if yours does", purpose)
		}
		for _, c := range cats {
			if !c.Disclosable() {
				return errs.New(op, advox.CodeInvalidArgument, "purpose %s: category %q cannot be disclosed", purpose, c)
			}
		}
		if slices.Contains(cats, processing.CategoryNetworks) && !slices.Contains(cats, processing.CategoryUsers) {
			return errs.New(op, advox.CodeInvalidArgument, "purpose %s: networks need users", purpose)
		}
	}
	return nil
}

// clone returns a deep copy of p, so that a caller changing its policy
// after New changes nothing.
func (p DisclosurePolicy) clone() DisclosurePolicy {
	out := make(DisclosurePolicy, len(p))
	for k, v := range p {
		out[k] = slices.Clone(v)
	}
	return out
}

// The reasons of a refused disclosure (audit.Event.Refused).
const (
	// RefusedNoConsent: no consent of the customer for this party and
	// purpose is in force.
	RefusedNoConsent = "no-consent"
	// RefusedNotReseller: data for re-invoicing goes only to the account's
	// own reseller.
	RefusedNotReseller = "not-the-reseller"
	// RefusedPurpose: the purpose is not in the disclosure policy.
	RefusedPurpose = "purpose-not-in-policy"
	// RefusedParty: the party is not an opaque id.
	RefusedParty = "party-not-an-id"
)

// GrantConsent records that the account's customer lets party (an opaque
// id of the receiving organisation, see ValidateAccountID) receive its
// data for purpose. Granting a consent in force again changes nothing.
// Consents follow the order they were given and withdrawn in, not the
// clock: a withdrawn consent stays withdrawn whatever the clock says
// later, until it is granted anew.
func (a *Accounts) GrantConsent(ctx context.Context, account, party string, purpose DisclosurePurpose) error {
	const op = "grant consent"
	if err := a.checkConsentArgs(op, party, purpose); err != nil {
		return err
	}
	now := a.now()
	_, err := a.store.UpdateAccount(ctx, account, func(c *storage.Customer) error {
		if slices.ContainsFunc(c.Consents, inForce(party, purpose)) {
			return nil
		}
		c.Consents = append(c.Consents, storage.Consent{Party: party, Purpose: string(purpose), GrantedAt: now})
		c.UpdatedAt = now
		return nil
	})
	if err != nil {
		return wrap(op, err)
	}
	a.auditEvent(ctx, audit.Event{Action: "grant consent: " + string(purpose), Account: account, Party: party, Count: 1})
	return nil
}

// WithdrawConsent records that the consent for party and purpose ends now.
// The consent stays on record, withdrawn. It fails with advox.CodeNotFound when
// no such consent is in force.
func (a *Accounts) WithdrawConsent(ctx context.Context, account, party string, purpose DisclosurePurpose) error {
	const op = "withdraw consent"
	if err := a.checkConsentArgs(op, party, purpose); err != nil {
		return err
	}
	now := a.now()
	_, err := a.store.UpdateAccount(ctx, account, func(c *storage.Customer) error {
		match, found := inForce(party, purpose), false
		for i, k := range c.Consents {
			if match(k) {
				c.Consents[i].WithdrawnAt = now
				found = true
			}
		}
		if !found {
			return errs.New(op, advox.CodeNotFound, "no consent in force for this party and purpose")
		}
		c.UpdatedAt = now
		return nil
	})
	if err != nil {
		return wrap(op, err)
	}
	a.auditEvent(ctx, audit.Event{Action: "withdraw consent: " + string(purpose), Account: account, Party: party, Count: 1})
	return nil
}

// inForce matches the consents of party for purpose that are in force: by
// sequence, the last event of each is its grant. A consent is granted
// (appended) only while none is in force, and withdrawn by marking it, so
// one not withdrawn is in force — whatever the clock said then or says
// now.
func inForce(party string, purpose DisclosurePurpose) func(storage.Consent) bool {
	return func(k storage.Consent) bool {
		return k.Party == party && k.Purpose == string(purpose) && k.InForce()
	}
}

// checkParty refuses a party that is not an opaque id: the party goes into
// the audit trail, which holds no names, e-mail or IP addresses, phone or
// identity numbers.
func checkParty(op, party string) error {
	if err := advox.ValidateAccountID(party); err != nil {
		if advox.CodeOf(err) == advox.CodePersonalNumber {
			return errs.PersonalNumber(op, "party")
		}
		return errs.Field(op, "party", "an opaque id of the receiving party: 1–64 printable characters without spaces, "+
			"no e-mail address, phone number or IP address")
	}
	return nil
}

// checkConsentArgs refuses purposes outside the policy and parties that
// are not opaque ids.
func (a *Accounts) checkConsentArgs(op, party string, purpose DisclosurePurpose) error {
	if _, ok := a.opts.Disclosures[purpose]; !ok {
		return errs.New(op, advox.CodeInvalidArgument, "purpose %q is not in the disclosure policy", purpose)
	}
	return checkParty(op, party)
}

// Disclose returns the customer data party may see for purpose: the
// categories the disclosure policy names for it, and nothing else (never
// password hashes). It fails with advox.ErrNoConsent unless the customer's
// consent for this party and purpose is in force, and, for re-invoicing,
// unless party is the account's reseller. Every disclosure is audited
// with the party and the categories handed over; so is every refusal,
// with its reason (audit.Event.Refused).
func (a *Accounts) Disclose(ctx context.Context, account, party string, purpose DisclosurePurpose) (storage.Customer, error) {
	const op = "disclose"
	e := audit.Event{Action: "disclose: " + string(purpose), Account: account, Party: party}
	refuse := func(reason string, err error) (storage.Customer, error) {
		e.Refused = reason
		a.auditEvent(ctx, e)
		return storage.Customer{}, err
	}
	if err := checkParty(op, party); err != nil {
		e.Party = "" // not an id: kept out of the trail
		return refuse(RefusedParty, err)
	}
	cats, ok := a.opts.Disclosures[purpose]
	if !ok {
		return refuse(RefusedPurpose, errs.New(op, advox.CodeInvalidArgument, "purpose %q is not in the disclosure policy", purpose))
	}
	c, err := a.store.GetAccount(ctx, account)
	if err != nil {
		return storage.Customer{}, wrap(op, err)
	}
	if !slices.ContainsFunc(c.Consents, inForce(party, purpose)) {
		return refuse(RefusedNoConsent, errs.New(op, advox.CodeNoConsent, "the customer has not consented to this disclosure"))
	}
	if purpose == DisclosureReinvoicing && (c.Reseller == "" || party != c.Reseller) {
		return refuse(RefusedNotReseller, errs.New(op, advox.CodeNoConsent, "only the account's reseller receives data for re-invoicing"))
	}
	e.Categories, e.Count = slices.Clone(cats), 1
	a.auditEvent(ctx, e)
	return selectCategories(c, cats), nil
}

// selectCategories returns the part of c that the categories cover.
func selectCategories(c storage.Customer, cats []processing.DataCategory) storage.Customer {
	var out storage.Customer
	has := func(k processing.DataCategory) bool { return slices.Contains(cats, k) }
	if has(processing.CategoryOrganisation) {
		out.Account, out.Organisation, out.OrgNumber = c.Account, c.Organisation, c.OrgNumber
		out.CreatedAt, out.UpdatedAt = c.CreatedAt, c.UpdatedAt
	}
	if has(processing.CategoryBilling) {
		out.References, out.Reseller, out.Phone = c.References, c.Reseller, c.Phone
		out.InvoiceAddress, out.PostalAddress = c.InvoiceAddress, c.PostalAddress
	}
	if has(processing.CategoryContacts) {
		out.Email, out.Contacts = c.Email, c.Contacts
	}
	if has(processing.CategoryUsers) {
		for _, u := range c.Users {
			v := storage.User{ID: u.ID}
			if has(processing.CategoryNetworks) {
				v.Allowed = u.Allowed
			}
			out.Users = append(out.Users, v)
		}
	}
	if has(processing.CategoryContract) {
		out.Limits = c.Limits
	}
	if has(processing.CategoryConsents) {
		out.Consents = c.Consents
	}
	return out.Clone()
}
