package processing

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Config is the live configuration a record of processing is generated
// from. The record claims only what this configuration does.
type Config struct {
	// Controller names the provider responsible for the processing.
	Controller string
	// ControllerContact is the controller's contact details (GDPR art.
	// 30(1)(a)): postal address, e-mail or phone of the organisation.
	ControllerContact string
	// Representative is the contact of the controller's representative in
	// the Union (art. 27), when it has one.
	Representative string
	// DPO is the contact of the data protection officer, when there is
	// one.
	DPO string
	// Traffic, when set, is what a Client does with traffic data, as its
	// Processing method describes it: its sub-processor register,
	// retention policy, Auditor, KEK and kept bodies. Processors and
	// Retention default to its own.
	Traffic *Traffic
	// Processors are the registered sub-processors (the recipients).
	Processors *Register
	// Retention is the traffic retention policy in force.
	Retention Retention
	// Customers, when customer data is kept through package accounts, is
	// what its Accounts do with it, as their Processing method describes
	// it: the disclosure policy, the login measures and what Delete
	// erases.
	Customers *Customers
	// TrafficAsController records sending and troubleshooting as the
	// provider's own processing (an electronic communications service
	// answering for its traffic data); by default they are processing on
	// behalf of the customers, who decide whom they message (art. 30(2)).
	TrafficAsController bool
	// AuditRetention says how long the configured Auditor's trail is kept
	// (advox hands events over and keeps none); "" records it as not
	// declared.
	AuditRetention string
	// InvoiceRetention says how long invoices are kept and who deletes
	// them; "" records what advox does: it keeps them until the
	// application deletes them.
	InvoiceRetention string
	// UsageRetention says the same of the usage aggregates erased traffic
	// leaves for billing.
	UsageRetention string
	// Measures are further security measures of the deployment
	// (encryption of disks, backups, access control of the hosts, …).
	Measures []string
}

// Retention is the traffic retention policy a record states
// (advox.RetentionPolicy).
type Retention struct {
	// Months is how long traffic records are kept, in calendar months; 0
	// means the privacy policy's five (advox.PolicyMonths).
	Months int
	// ConsumerTimeBarYears and BusinessTimeBarYears bound how long an
	// unsettled invoice holds its records; 0 means advox's defaults, 3 and
	// 10 years.
	ConsumerTimeBarYears, BusinessTimeBarYears int
}

// The privacy policy's retention and the default time-bars, as
// advox.RetentionPolicy applies them (a test of package advox holds the
// two together).
const (
	policyMonths                = 5
	defaultConsumerTimeBarYears = 3
	defaultBusinessTimeBarYears = 10
)

// Traffic is what a Client does with traffic data; advox.Client's
// Processing method returns it for its live configuration.
type Traffic struct {
	// Processors is the Client's sub-processor register.
	Processors *Register
	// Retention is the Client's retention policy.
	Retention Retention
	// Audited says the Client hands audit events to an Auditor of its own
	// rather than to its log.
	Audited bool
	// KEK says a key-encryption key from configuration wraps the data
	// keys; without one they are wrapped by a key held only by the
	// running process.
	KEK bool
	// KeepBodies says message texts are kept, sealed, for troubleshooting,
	// for at most BodyRetention.
	KeepBodies    bool
	BodyRetention time.Duration
}

// Customers is what customer accounts do with customer data;
// accounts.Accounts's Processing method returns it for its live
// configuration.
type Customers struct {
	// Disclosures are the categories each purpose of disclosure reveals,
	// by purpose.
	Disclosures map[string][]DataCategory
	// DeletesTraffic says deleting an account erases its traffic: a
	// Client uses the accounts, or they erase it elsewhere.
	DeletesTraffic bool
	// Audited says the accounts hand audit events to an Auditor of their
	// own rather than to their log.
	Audited bool
	// LoginFailures failed logins are allowed in a row, then one per
	// LoginEvery.
	LoginFailures int
	LoginEvery    time.Duration
	// PasswordMemory (KiB), PasswordTime (passes) and PasswordThreads are
	// the argon2id parameters of new password hashes.
	PasswordMemory, PasswordTime uint32
	PasswordThreads              uint8
}

// The roles in which the provider processes data (RecordPurpose.Role).
const (
	// RoleController: for the provider's own purposes (art. 30(1)).
	RoleController = "controller"
	// RoleProcessor: on behalf of the customers (art. 30(2)).
	RoleProcessor = "processor"
)

// Record is the record of processing activities (GDPR art. 30),
// generated from the live configuration so that it cannot drift from what
// the code does.
type Record struct {
	// GeneratedAt is when the record was generated.
	GeneratedAt time.Time `json:"generated_at"`
	// Controller is the provider responsible for the processing.
	Controller string `json:"controller,omitempty"`
	// ControllerContact, Representative and DPO are the contacts of the
	// controller, its representative and its data protection officer.
	ControllerContact string `json:"controller_contact,omitempty"`
	Representative    string `json:"representative,omitempty"`
	DPO               string `json:"data_protection_officer,omitempty"`
	// Purposes are what data is processed for, and in which role.
	Purposes []RecordPurpose `json:"purposes"`
	// DataSubjects are the categories of people the data is about.
	DataSubjects []RecordSubjects `json:"data_subjects"`
	// Categories are the data categories the purposes use.
	Categories []RecordCategory `json:"data_categories"`
	// Recipients are the sub-processors and the parties that receive data
	// with the customer's consent.
	Recipients []RecordRecipient `json:"recipients"`
	// AsProcessor is the record of processing done on behalf of the
	// customers (art. 30(2)).
	AsProcessor RecordOnBehalf `json:"as_processor"`
	// Retention says how long each kind of data is kept.
	Retention []RecordRetention `json:"retention"`
	// Security lists the technical and organisational measures.
	Security []string `json:"security_measures"`
}

// RecordSubjects is a category of data subjects and the data about them.
type RecordSubjects struct {
	// Name describes the people.
	Name string `json:"name"`
	// Role is the role the provider processes their data in.
	Role string `json:"role"`
	// Categories are the data about them.
	Categories []DataCategory `json:"data_categories"`
}

// RecordOnBehalf is the art. 30(2) record: processing carried out on
// behalf of controllers.
type RecordOnBehalf struct {
	// Controllers says on whose behalf.
	Controllers string `json:"controllers"`
	// Processing names the purposes carried out for them.
	Processing []string `json:"processing"`
	// Transfers are the sub-processors outside the EU/EEA, with the
	// safeguard of each transfer.
	Transfers []RecordRecipient `json:"transfers"`
}

// RecordPurpose is one purpose of processing and the data it uses.
type RecordPurpose struct {
	// Name is the purpose ("transmit", "disclosure: technical-support").
	Name string `json:"name"`
	// Role is RoleController or RoleProcessor.
	Role string `json:"role"`
	// Description says what the processing is.
	Description string `json:"description"`
	// Categories are the data it uses.
	Categories []DataCategory `json:"data_categories"`
}

// RecordCategory describes one data category.
type RecordCategory struct {
	// Name is the category.
	Name DataCategory `json:"name"`
	// Kind is "customer" or "traffic".
	Kind string `json:"kind"`
	// Description says what it holds.
	Description string `json:"description"`
}

// RecordRecipient is a sub-processor, or a kind of third party that
// receives data only with the customer's consent.
type RecordRecipient struct {
	// Name is the sub-processor's name, or a description of the parties.
	Name string `json:"name"`
	// Role is what the recipient does, or the purpose of disclosure.
	Role string `json:"role"`
	// Country is where a sub-processor processes the data.
	Country string `json:"country,omitempty"`
	// AgreementDate is the date of the data processing agreement.
	AgreementDate string `json:"agreement_date,omitempty"`
	// Safeguard is the basis of a transfer outside the EU/EEA.
	Safeguard string `json:"safeguard,omitempty"`
	// Categories are the data it receives.
	Categories []DataCategory `json:"data_categories"`
}

// RecordRetention says how long a kind of data is kept.
type RecordRetention struct {
	// Data names the kind of data.
	Data string `json:"data"`
	// Deadline says how long it is kept.
	Deadline string `json:"deadline"`
}

// trafficPurposes describes the purposes traffic data is processed for.
var trafficPurposes = []struct {
	p         Purpose
	desc      string
	forClient bool // done for the customer: processing on its behalf
	cats      []DataCategory
}{
	{PurposeTransmit, "sending the customer's messages and tracking their delivery", true,
		[]DataCategory{CategoryRecipients, CategorySenders, CategoryMessageText, CategoryTrafficRecords}},
	{PurposeTroubleshoot, "troubleshooting a customer's traffic on its request", true,
		[]DataCategory{CategoryRecipients, CategorySenders, CategoryTrafficRecords}},
	{PurposeBill, "invoicing the customer", false,
		[]DataCategory{CategoryTrafficRecords}},
}

// accountCategories are the customer data package accounts keeps.
var accountCategories = []DataCategory{CategoryOrganisation, CategoryBilling, CategoryContacts, CategoryUsers,
	CategoryNetworks, CategoryCredentials, CategoryContract, CategoryConsents}

// NewRecord generates the record of processing from cfg, dated now.
func NewRecord(cfg Config, now time.Time) Record {
	if t := cfg.Traffic; t != nil {
		if cfg.Processors == nil {
			cfg.Processors = t.Processors
		}
		if cfg.Retention == (Retention{}) {
			cfg.Retention = t.Retention
		}
	}
	r := Record{GeneratedAt: now.UTC(), Controller: cfg.Controller, ControllerContact: cfg.ControllerContact,
		Representative: cfg.Representative, DPO: cfg.DPO}
	trafficRole := RoleProcessor
	if cfg.TrafficAsController {
		trafficRole = RoleController
	}
	for _, tp := range trafficPurposes {
		role := RoleController
		if tp.forClient {
			role = trafficRole
		}
		r.Purposes = append(r.Purposes, RecordPurpose{Name: string(tp.p), Role: role, Description: tp.desc, Categories: slices.Clone(tp.cats)})
	}
	var disclosures map[string][]DataCategory
	if cfg.Customers != nil {
		disclosures = cfg.Customers.Disclosures
		r.Purposes = append(r.Purposes, RecordPurpose{
			Name: "account", Role: RoleController, Description: "customer accounts, login and contract limits",
			Categories: slices.Clone(accountCategories),
		})
		for _, p := range sortedPurposes(disclosures) {
			r.Purposes = append(r.Purposes, RecordPurpose{
				Name: "disclosure: " + p, Role: RoleController,
				Description: "to a party the customer consented to, for " + p,
				Categories:  slices.Clone(disclosures[p]),
			})
		}
	}
	r.DataSubjects = dataSubjects(cfg, trafficRole)
	used := map[DataCategory]bool{}
	for _, p := range r.Purposes {
		for _, c := range p.Categories {
			used[c] = true
		}
	}
	for _, c := range append(slices.Clone(customerCategories), CategoryCredentials,
		CategoryRecipients, CategorySenders, CategoryMessageText, CategoryTrafficRecords) {
		if !used[c] {
			continue
		}
		kind := "traffic"
		if isCustomerCategory(c) {
			kind = "customer"
		}
		r.Categories = append(r.Categories, RecordCategory{Name: c, Kind: kind, Description: c.Description()})
	}
	r.AsProcessor = RecordOnBehalf{Controllers: "none: the provider processes all data for its own purposes",
		Processing: []string{}, Transfers: []RecordRecipient{}}
	if trafficRole == RoleProcessor {
		r.AsProcessor.Controllers = "the provider's customers, each on whose account messages are sent " +
			"(their names and contacts are in the customer data)"
	}
	for _, p := range cfg.Processors.List() {
		rec := RecordRecipient{
			Name: p.Name, Role: "sub-processor: " + p.Role, Country: p.Country,
			AgreementDate: p.AgreementDate.Format(time.DateOnly), Safeguard: p.Safeguard, Categories: p.Categories,
		}
		r.Recipients = append(r.Recipients, rec)
		if !InEEA(p.Country) && trafficRole == RoleProcessor {
			rec.Categories = slices.Clone(p.Categories)
			r.AsProcessor.Transfers = append(r.AsProcessor.Transfers, rec)
		}
	}
	for _, p := range r.Purposes {
		if p.Role == RoleProcessor {
			r.AsProcessor.Processing = append(r.AsProcessor.Processing, p.Name+": "+p.Description)
		}
	}
	for _, p := range sortedPurposes(disclosures) {
		r.Recipients = append(r.Recipients, RecordRecipient{
			Name: "parties with the customer's consent", Role: p, Categories: slices.Clone(disclosures[p]),
		})
	}
	r.Retention = retentionEntries(cfg)
	r.Security = securityMeasures(cfg)
	return r
}

func sortedPurposes(p map[string][]DataCategory) []string { return slices.Sorted(maps.Keys(p)) }

// dataSubjects lists the people the configured processing is about.
func dataSubjects(cfg Config, trafficRole string) []RecordSubjects {
	out := []RecordSubjects{
		{Name: "recipients of the customers' messages (by their phone numbers)", Role: trafficRole,
			Categories: []DataCategory{CategoryRecipients, CategoryMessageText, CategoryTrafficRecords}},
		{Name: "senders named by a sender id that is a phone number", Role: trafficRole,
			Categories: []DataCategory{CategorySenders}},
	}
	if cfg.Customers != nil {
		out = append(out,
			RecordSubjects{Name: "customers' contact persons, entitled to use the service or to get support", Role: RoleController,
				Categories: []DataCategory{CategoryContacts}},
			RecordSubjects{Name: "users of customers' accounts", Role: RoleController,
				Categories: []DataCategory{CategoryUsers, CategoryNetworks, CategoryCredentials}},
			RecordSubjects{Name: "customers who are natural persons (sole traders)", Role: RoleController,
				Categories: []DataCategory{CategoryOrganisation, CategoryBilling, CategoryContract, CategoryConsents, CategoryTrafficRecords}},
		)
	}
	return out
}

// auditTrail says whether the configuration hands audit events to an
// Auditor of its own (rather than the debug log): the Client's when one is
// given, and the accounts' when they are.
func auditTrail(cfg Config) (client, accounts bool) {
	client = cfg.Traffic != nil && cfg.Traffic.Audited
	accounts = cfg.Customers != nil && cfg.Customers.Audited
	return client, accounts
}

func retentionEntries(cfg Config) []RecordRetention {
	traffic := fmt.Sprintf("%d calendar months after sending (clamped to the month's end); records behind an "+
		"invoice still unsettled then, until it is settled or time-barred; erased at once on the customer's request",
		cmp.Or(cfg.Retention.Months, policyMonths))
	if cfg.Customers != nil && cfg.Customers.DeletesTraffic {
		traffic += " and when the customer's account is deleted"
	}
	out := []RecordRetention{{"traffic records", traffic}, {"message text", bodyRetention(cfg.Traffic)}}
	out = append(out,
		RecordRetention{"usage aggregates of erased traffic (counts per account and calendar month, no numbers, no finer times)",
			cmp.Or(cfg.UsageRetention, "kept by advox without a deadline, for billing: the application deletes them")},
		RecordRetention{"invoices (id, account, period, state and dates)",
			cmp.Or(cfg.InvoiceRetention, fmt.Sprintf("kept by advox without a deadline: the application deletes them; "+
				"an unsettled invoice holds its records at most until it is time-barred (%d years for consumers, %d for businesses)",
				cmp.Or(cfg.Retention.ConsumerTimeBarYears, defaultConsumerTimeBarYears),
				cmp.Or(cfg.Retention.BusinessTimeBarYears, defaultBusinessTimeBarYears)))},
	)
	audit := "no audit trail is kept: no Auditor is configured, and audit events go to the log at debug level only"
	switch client, accounts := auditTrail(cfg); {
	case client && cfg.Customers != nil && !accounts:
		audit = "traffic events: kept by the Client's Auditor, not by advox: " + cmp.Or(cfg.AuditRetention, "retention not declared") +
			"; customer-data events: no trail (no Auditor for the accounts), the debug log only"
	case accounts && cfg.Traffic != nil && !client:
		audit = "customer-data events: kept by the accounts' Auditor, not by advox: " + cmp.Or(cfg.AuditRetention, "retention not declared") +
			"; traffic events: no trail (no Auditor for the Client), the debug log only"
	case client || accounts:
		audit = "kept by the configured Auditor, not by advox: " + cmp.Or(cfg.AuditRetention, "retention not declared")
	}
	out = append(out, RecordRetention{"audit events (opaque ids, action, purpose, actor, time, counts)", audit})
	if a := cfg.Customers; a != nil {
		deleted := "while the account exists; deleted with the account, after its traffic is erased"
		if !a.DeletesTraffic {
			deleted = "while the account exists; advox deletes an account only together with its traffic, and no " +
				"traffic store is configured for the accounts (no Client uses them, no EraseTraffic), so none can be deleted yet"
		}
		out = append(out,
			RecordRetention{"customer data and consents", deleted},
			RecordRetention{"ids of deleted accounts", "kept without customer data, so that an id never passes to another customer"},
			RecordRetention{"monthly segment counters", "per calendar month, while the account exists"},
			RecordRetention{"failed-login counters", fmt.Sprintf("in memory only, until %s after the last failure (dropped at the first login attempt after that)", time.Duration(a.LoginFailures)*a.LoginEvery)},
		)
	}
	return out
}

// bodyRetention says how long message text is kept by a Client doing t.
func bodyRetention(t *Traffic) string {
	switch {
	case t == nil:
		return "not stored unless the Client keeps bodies (Options.KeepBodies), which this record was generated without"
	case t.KeepBodies:
		return fmt.Sprintf("kept sealed for troubleshooting until the message reaches a final status, at most %s", t.BodyRetention)
	}
	return "not stored: held only while the message is in transit"
}

func securityMeasures(cfg Config) []string {
	out := []string{
		"recipient numbers are masked in logs and error messages; audit events hold opaque ids only",
		fmt.Sprintf("sub-processors receive data only when registered, with an agreement, declaring what they receive, "+
			"and outside the EU/EEA only with a declared safeguard (%d registered)", len(cfg.Processors.List())),
	}
	if t := cfg.Traffic; t != nil {
		kek := "the configured key-encryption key"
		if !t.KEK {
			kek = "a key held only by the running process (no KEK configured: unreadable after a restart)"
		}
		out = append(out, "recipient numbers (and kept texts) are sealed at rest with a data key per account, wrapped by "+kek+
			"; erasing an account's traffic destroys its keys first, so copies and backups become unreadable; "+
			"lookups by number go through a keyed blind index")
	}
	client, accounts := auditTrail(cfg)
	if client {
		out = append(out, "every read, export, purge and erase of traffic data states its purpose and is audited")
	}
	if a := cfg.Customers; a != nil {
		disclosed := "customer data is disclosed only with the customer's recorded consent, per party and purpose"
		if accounts {
			disclosed += "; every disclosure, and every refusal, is audited with the party and the categories"
		}
		out = append(out,
			fmt.Sprintf("passwords hashed with argon2id (m=%d KiB, t=%d, p=%d), compared in constant time and rehashed at login "+
				"when older; hashes are never printed, logged or exported", a.PasswordMemory, a.PasswordTime, a.PasswordThreads),
			"users log in only from their allowed networks",
			fmt.Sprintf("failed logins limited per address, per user and per (user, allowed network): %d, then one per %s", a.LoginFailures, a.LoginEvery),
			"Swedish personal identity numbers are refused in every field of customer data, free text included; "+
				"free text holding a person's e-mail address or phone number is refused",
			disclosed,
		)
	}
	return append(out, cfg.Measures...)
}

// JSON returns the record as indented JSON.
func (r Record) JSON() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// Markdown returns the record as a Markdown document.
func (r Record) Markdown() string {
	var b strings.Builder
	b.WriteString("# Record of processing activities\n\n")
	for _, l := range [...]struct{ name, v string }{
		{"Controller", r.Controller}, {"Contact", r.ControllerContact}, {"Representative in the Union", r.Representative},
		{"Data protection officer", r.DPO},
	} {
		if l.v != "" {
			fmt.Fprintf(&b, "%s: %s\n\n", l.name, mdCell(l.v))
		}
	}
	fmt.Fprintf(&b, "Generated %s from the live configuration.\n\n", r.GeneratedAt.Format(time.RFC3339))
	b.WriteString("## Purposes\n\n| Purpose | Role | Description | Data categories |\n|---|---|---|---|\n")
	for _, p := range r.Purposes {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(p.Name), p.Role, mdCell(p.Description), mdCell(joinCategories(p.Categories, ", ")))
	}
	b.WriteString("\n## Data subjects\n\n| Who | Role | Data categories |\n|---|---|---|\n")
	for _, d := range r.DataSubjects {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(d.Name), d.Role, mdCell(joinCategories(d.Categories, ", ")))
	}
	b.WriteString("\n## Data categories\n\n| Category | Kind | Holds |\n|---|---|---|\n")
	for _, c := range r.Categories {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", c.Name, c.Kind, mdCell(c.Description))
	}
	b.WriteString("\n## Recipients\n\n| Recipient | Role | Country | Agreement | Safeguard | Data categories |\n|---|---|---|---|---|---|\n")
	for _, p := range r.Recipients {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdCell(p.Name), mdCell(p.Role), p.Country,
			p.AgreementDate, mdCell(p.Safeguard), mdCell(joinCategories(p.Categories, ", ")))
	}
	b.WriteString("\n## Processing on behalf of the customers (art. 30(2))\n\n")
	fmt.Fprintf(&b, "Controllers: %s\n\n", mdCell(r.AsProcessor.Controllers))
	for _, p := range r.AsProcessor.Processing {
		fmt.Fprintf(&b, "- %s\n", strings.ReplaceAll(p, "\n", " "))
	}
	if len(r.AsProcessor.Transfers) == 0 {
		b.WriteString("\nNo transfers outside the EU/EEA.\n")
	}
	for _, t := range r.AsProcessor.Transfers {
		fmt.Fprintf(&b, "\nTransfer to %s in %s: %s\n", mdCell(t.Name), t.Country, mdCell(t.Safeguard))
	}
	b.WriteString("\n## Retention\n\n| Data | Kept |\n|---|---|\n")
	for _, t := range r.Retention {
		fmt.Fprintf(&b, "| %s | %s |\n", mdCell(t.Data), mdCell(t.Deadline))
	}
	b.WriteString("\n## Security measures\n\n")
	for _, m := range r.Security {
		fmt.Fprintf(&b, "- %s\n", strings.ReplaceAll(m, "\n", " "))
	}
	return b.String()
}

// joinCategories joins category names with sep.
func joinCategories(cs []DataCategory, sep string) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, sep)
}

// mdCellReplacer escapes what would break a Markdown table cell.
var mdCellReplacer = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ")

// mdCell makes s safe inside a Markdown table cell.
func mdCell(s string) string { return mdCellReplacer.Replace(s) }
