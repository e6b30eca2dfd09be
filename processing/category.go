package processing

import "slices"

// DataCategory names a category of data, for disclosure policies
// (package accounts), sub-processor declarations, audit events and the
// record of processing.
type DataCategory string

// The categories of customer data. Credentials are never disclosed.
const (
	// CategoryOrganisation: account id, organisation name and number.
	CategoryOrganisation DataCategory = "organisation"
	// CategoryBilling: customer references, reseller, invoice and postal
	// address, phone.
	CategoryBilling DataCategory = "billing"
	// CategoryContacts: the customer's e-mail and its contact persons
	// (name, e-mail, role).
	CategoryContacts DataCategory = "contacts"
	// CategoryUsers: user ids.
	CategoryUsers DataCategory = "users"
	// CategoryNetworks: the IP addresses and networks users may log in
	// from.
	CategoryNetworks DataCategory = "networks"
	// CategoryCredentials: password hashes.
	CategoryCredentials DataCategory = "credentials"
	// CategoryContract: contract limits (send rate, monthly quota).
	CategoryContract DataCategory = "contract"
	// CategoryConsents: the customer's consents to disclosure.
	CategoryConsents DataCategory = "consents"
)

// The categories of traffic data.
const (
	// CategoryRecipients: recipient phone numbers.
	CategoryRecipients DataCategory = "recipient-numbers"
	// CategorySenders: sender ids.
	CategorySenders DataCategory = "sender-ids"
	// CategoryMessageText: message bodies, in transit only.
	CategoryMessageText DataCategory = "message-text"
	// CategoryTrafficRecords: per-message records (account, time, segments,
	// transport, delivery status).
	CategoryTrafficRecords DataCategory = "traffic-records"
)

var categoryDescriptions = map[DataCategory]string{
	CategoryOrganisation:   "account id, customer organisation and organisation number",
	CategoryBilling:        "customer references, reseller/agent, invoice and postal address, phone",
	CategoryContacts:       "customer e-mail; contact persons entitled to use the service or to get support (name, e-mail, role)",
	CategoryUsers:          "user ids",
	CategoryNetworks:       "IP addresses and networks users may log in from",
	CategoryCredentials:    "password hashes (argon2id)",
	CategoryContract:       "contract limits: send rate and monthly segment quota",
	CategoryConsents:       "consents to disclosure: party, purpose, time granted and withdrawn",
	CategoryRecipients:     "recipient phone numbers",
	CategorySenders:        "sender ids",
	CategoryMessageText:    "message text, in transit only (not stored by default)",
	CategoryTrafficRecords: "per-message records: account, time, segments, transport, delivery status",
}

// customerCategories are the categories a disclosure may reveal.
var customerCategories = []DataCategory{
	CategoryOrganisation, CategoryBilling, CategoryContacts, CategoryUsers,
	CategoryNetworks, CategoryContract, CategoryConsents,
}

// Description says what the category holds ("" for an unknown one).
func (c DataCategory) Description() string { return categoryDescriptions[c] }

// Known reports whether c is one of the categories above.
func (c DataCategory) Known() bool {
	_, ok := categoryDescriptions[c]
	return ok
}

// Disclosable reports whether c is a category of customer data that a
// disclosure may reveal: customer data other than credentials.
func (c DataCategory) Disclosable() bool { return slices.Contains(customerCategories, c) }

// isCustomerCategory reports whether c is a category of customer data
// (credentials included), as opposed to traffic data.
func isCustomerCategory(c DataCategory) bool {
	switch c {
	case CategoryRecipients, CategorySenders, CategoryMessageText, CategoryTrafficRecords:
		return false
	}
	return c.Known()
}
