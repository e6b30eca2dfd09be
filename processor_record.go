package advox

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// ProcessingConfig is the live configuration a record of processing is
// generated from.
type ProcessingConfig struct {
	// Controller names the provider responsible for the processing.
	Controller string
	// Processors are the registered sub-processors (the recipients).
	Processors *Processors
	// Retention is the traffic retention policy in force.
	Retention RetentionPolicy
	// Accounts, when customer data is kept through advox, supplies the
	// disclosure policy and the login measures.
	Accounts *Accounts
	// Measures are further security measures of the deployment
	// (encryption at rest, backups, access control of the hosts, …).
	Measures []string
}

// ProcessingRecord is the record of processing activities (GDPR art. 30),
// generated from the live configuration so that it cannot drift from what
// the code does.
type ProcessingRecord struct {
	// GeneratedAt is when the record was generated.
	GeneratedAt time.Time `json:"generated_at"`
	// Controller is the provider responsible for the processing.
	Controller string `json:"controller,omitempty"`
	// Purposes are what data is processed for.
	Purposes []RecordPurpose `json:"purposes"`
	// Categories are the data categories the purposes use.
	Categories []RecordCategory `json:"data_categories"`
	// Recipients are the sub-processors and the parties that receive data
	// with the customer's consent.
	Recipients []RecordRecipient `json:"recipients"`
	// Retention says how long each kind of data is kept.
	Retention []RecordRetention `json:"retention"`
	// Security lists the technical and organisational measures.
	Security []string `json:"security_measures"`
}

// RecordPurpose is one purpose of processing and the data it uses.
type RecordPurpose struct {
	// Name is the purpose ("transmit", "disclosure: technical-support").
	Name string `json:"name"`
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
	p    Purpose
	desc string
	cats []DataCategory
}{
	{PurposeTransmit, "sending messages and tracking their delivery",
		[]DataCategory{CategoryRecipients, CategorySenders, CategoryMessageText, CategoryTrafficRecords}},
	{PurposeTroubleshoot, "troubleshooting a customer's traffic on its request",
		[]DataCategory{CategoryRecipients, CategorySenders, CategoryTrafficRecords}},
	{PurposeBill, "invoicing the customer",
		[]DataCategory{CategoryTrafficRecords}},
}

// NewProcessingRecord generates the record of processing from cfg, dated
// now.
func NewProcessingRecord(cfg ProcessingConfig, now time.Time) ProcessingRecord {
	r := ProcessingRecord{GeneratedAt: now.UTC(), Controller: cfg.Controller}
	for _, tp := range trafficPurposes {
		r.Purposes = append(r.Purposes, RecordPurpose{Name: string(tp.p), Description: tp.desc, Categories: slices.Clone(tp.cats)})
	}
	var disclosures DisclosurePolicy
	if cfg.Accounts != nil {
		disclosures = cfg.Accounts.opts.Disclosures
		r.Purposes = append(r.Purposes, RecordPurpose{
			Name: "account", Description: "customer accounts, login and contract limits",
			Categories: []DataCategory{CategoryOrganisation, CategoryBilling, CategoryContacts, CategoryUsers,
				CategoryNetworks, CategoryCredentials, CategoryContract, CategoryConsents},
		})
		for _, p := range sortedPurposes(disclosures) {
			r.Purposes = append(r.Purposes, RecordPurpose{
				Name: "disclosure: " + string(p), Description: "to a party the customer consented to, for " + string(p),
				Categories: slices.Clone(disclosures[p]),
			})
		}
	}
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
	for _, p := range cfg.Processors.List() {
		r.Recipients = append(r.Recipients, RecordRecipient{
			Name: p.Name, Role: "sub-processor: " + p.Role, Country: p.Country,
			AgreementDate: p.AgreementDate.Format(time.DateOnly), Safeguard: p.Safeguard, Categories: p.Categories,
		})
	}
	for _, p := range sortedPurposes(disclosures) {
		r.Recipients = append(r.Recipients, RecordRecipient{
			Name: "parties with the customer's consent", Role: string(p), Categories: slices.Clone(disclosures[p]),
		})
	}
	r.Retention = retentionEntries(cfg)
	r.Security = securityMeasures(cfg)
	return r
}

func sortedPurposes(p DisclosurePolicy) []DisclosurePurpose { return slices.Sorted(maps.Keys(p)) }

func retentionEntries(cfg ProcessingConfig) []RecordRetention {
	out := []RecordRetention{
		{"traffic records", fmt.Sprintf("%d calendar months after sending (clamped to the month's end); records behind an "+
			"invoice still unsettled then, until it is settled or time-barred; erased at once on the customer's request",
			cfg.Retention.months())},
		{"message text", "not stored by default: held only while the message is in transit"},
	}
	if cfg.Accounts != nil {
		l := cfg.Accounts.opts.AuthLimit
		out = append(out,
			RecordRetention{"customer data and consents", "while the account exists; deleted with the account, together with its traffic"},
			RecordRetention{"monthly segment counters", "per calendar month, while the account exists"},
			RecordRetention{"failed-login counters", fmt.Sprintf("in memory only, until %s after the last failure (dropped at the first login attempt after that)", time.Duration(l.Failures)*l.Every)},
		)
	}
	return out
}

func securityMeasures(cfg ProcessingConfig) []string {
	out := []string{
		"recipient numbers are masked in logs and error messages; audit events hold opaque ids only",
		fmt.Sprintf("sub-processors receive data only when registered, with an agreement, and outside the EU/EEA only with a declared safeguard (%d registered)",
			len(cfg.Processors.List())),
	}
	if a := cfg.Accounts; a != nil {
		p, l := *a.opts.Password, a.opts.AuthLimit
		out = append(out,
			fmt.Sprintf("passwords hashed with argon2id (m=%d KiB, t=%d, p=%d), compared in constant time; hashes are never printed, logged or exported",
				p.Memory, p.Time, p.Threads),
			"users log in only from their allowed networks",
			fmt.Sprintf("failed logins limited per user and per address: %d, then one per %s", l.Failures, l.Every),
			"Swedish personal identity numbers are refused in every field of customer data, free text included",
			"customer data is disclosed only with the customer's recorded consent, per party and purpose, and every disclosure is audited",
		)
	}
	return append(out, cfg.Measures...)
}

// JSON returns the record as indented JSON.
func (r ProcessingRecord) JSON() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// Markdown returns the record as a Markdown document.
func (r ProcessingRecord) Markdown() string {
	var b strings.Builder
	b.WriteString("# Record of processing activities\n\n")
	if r.Controller != "" {
		fmt.Fprintf(&b, "Controller: %s\n\n", mdCell(r.Controller))
	}
	fmt.Fprintf(&b, "Generated %s from the live configuration.\n\n", r.GeneratedAt.Format(time.RFC3339))
	b.WriteString("## Purposes\n\n| Purpose | Description | Data categories |\n|---|---|---|\n")
	for _, p := range r.Purposes {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(p.Name), mdCell(p.Description), mdCell(joinCategories(p.Categories, ", ")))
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
