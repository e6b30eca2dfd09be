package accounts

import (
	"context"
	"encoding/json"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
)

// ExportFormat names the layout of Export's JSON.
const ExportFormat = "advox-customer-export/1"

// Export returns all of the account's customer data as indented JSON, for
// the customer's right of access and data portability: organisation,
// billing and contact data, users with their allowed networks (and whether
// a password is set, never the hash), consents, contract limits and the
// segments counted per month (when the store lists them, see
// storage.UsageLister). Its "traffic" section says where the account's
// traffic is: exported on request, for a stated purpose, by
// advox.Client.ExportTraffic (format advox.TrafficExportFormat), and how long it is
// kept.
func (a *Accounts) Export(ctx context.Context, account string) ([]byte, error) {
	const op = "export"
	c, err := a.store.GetAccount(ctx, account)
	if err != nil {
		return nil, wrap(op, err)
	}
	doc := exportOf(c, a.now())
	if l, ok := a.store.(storage.UsageLister); ok {
		us, err := l.SegmentUsage(ctx, account)
		if err != nil {
			return nil, wrap(op, err)
		}
		doc.Usage = []exportSegments{}
		for _, u := range us {
			doc.Usage = append(doc.Usage, exportSegments{Month: u.Period.UTC().Format("2006-01"), Segments: u.Segments})
		}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, wrap(op, err)
	}
	a.record(ctx, "export", account)
	return b, nil
}

type exportDoc struct {
	Format         string          `json:"format"`
	ExportedAt     time.Time       `json:"exported_at"`
	Account        string          `json:"account"`
	Organisation   string          `json:"organisation"`
	OrgNumber      string          `json:"organisation_number,omitempty"`
	References     []string        `json:"customer_references"`
	Reseller       string          `json:"reseller,omitempty"`
	InvoiceAddress exportAddress   `json:"invoice_address"`
	PostalAddress  exportAddress   `json:"postal_address"`
	Email          string          `json:"email,omitempty"`
	Phone          string          `json:"phone,omitempty"`
	Users          []exportUser    `json:"users"`
	Contacts       []exportContact `json:"contact_persons"`
	Consents       []exportConsent `json:"consents"`
	Limits         exportLimits    `json:"contract_limits"`
	// Usage is nil (left out) when the store cannot list its counters.
	Usage     []exportSegments `json:"segments_per_month,omitempty"`
	Traffic   exportTraffic    `json:"traffic"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// exportSegments is a month's segment counter.
type exportSegments struct {
	Month    string `json:"month"`
	Segments int    `json:"segments"`
}

// exportTraffic says where the account's traffic is.
type exportTraffic struct {
	Export string `json:"export"`
	Format string `json:"format"`
	Kept   string `json:"kept"`
}

// trafficWhere is the traffic section of every export.
var trafficWhere = exportTraffic{
	Export: "the account's traffic records (one per message: time, sender, recipient number, segments, " +
		"delivery status) are not part of this export: the provider exports them on request, " +
		"for a stated purpose (advox Client.ExportTraffic)",
	Format: advox.TrafficExportFormat,
	Kept: "each record until its retention deadline (see the provider's record of processing), longer only " +
		"while an unsettled invoice holds it; erased at once on the customer's request and when the account " +
		"is deleted, leaving monthly counts for billing",
}

type exportAddress struct {
	Lines      []string `json:"lines"`
	PostalCode string   `json:"postal_code,omitempty"`
	City       string   `json:"city,omitempty"`
	Country    string   `json:"country,omitempty"`
}

type exportUser struct {
	ID              string   `json:"id"`
	AllowedNetworks []string `json:"allowed_networks"`
	PasswordSet     bool     `json:"password_set"`
}

type exportContact struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Role  string `json:"role,omitempty"`
}

type exportConsent struct {
	Party       string     `json:"party"`
	Purpose     string     `json:"purpose"`
	GrantedAt   time.Time  `json:"granted_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

type exportLimits struct {
	Rate            float64 `json:"rate_per_second,omitempty"`
	Burst           int     `json:"burst,omitempty"`
	MonthlySegments int     `json:"monthly_segments,omitempty"`
}

// exportOf lays c out for Export. Slices are never null, so that the
// document's shape does not depend on the data.
func exportOf(c storage.Customer, now time.Time) exportDoc {
	d := exportDoc{
		Format: ExportFormat, ExportedAt: now.UTC(), Account: c.Account, Organisation: c.Organisation,
		OrgNumber: c.OrgNumber, References: nonNil(c.References), Reseller: c.Reseller,
		InvoiceAddress: exportAddr(c.InvoiceAddress), PostalAddress: exportAddr(c.PostalAddress),
		Email: c.Email, Phone: c.Phone,
		Users: []exportUser{}, Contacts: []exportContact{}, Consents: []exportConsent{},
		Limits:    exportLimits{Rate: c.Limits.Rate, Burst: c.Limits.Burst, MonthlySegments: c.Limits.MonthlySegments},
		Traffic:   trafficWhere,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
	for _, u := range c.Users {
		nets := make([]string, len(u.Allowed))
		for i, p := range u.Allowed {
			nets[i] = p.String()
		}
		d.Users = append(d.Users, exportUser{ID: u.ID, AllowedNetworks: nets, PasswordSet: u.PasswordHash != ""})
	}
	for _, ct := range c.Contacts {
		d.Contacts = append(d.Contacts, exportContact(ct))
	}
	for _, k := range c.Consents {
		e := exportConsent{Party: k.Party, Purpose: k.Purpose, GrantedAt: k.GrantedAt.UTC()}
		if !k.WithdrawnAt.IsZero() {
			w := k.WithdrawnAt.UTC()
			e.WithdrawnAt = &w
		}
		d.Consents = append(d.Consents, e)
	}
	return d
}

func exportAddr(a storage.Address) exportAddress {
	return exportAddress{Lines: nonNil(a.Lines), PostalCode: a.PostalCode, City: a.City, Country: a.Country}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
