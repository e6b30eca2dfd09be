// Package processing keeps the GDPR side of the deployment: the register
// of sub-processors that data may go to (Register, checked by the Client
// before it sends through a transport, and held to it while it does), the
// categories of data and the purposes of processing, and the record of
// processing activities (GDPR art. 30: NewRecord), generated from what the
// Client and the accounts describe of their live configuration
// (advox.Client.Processing, accounts.Accounts.Processing), so that it
// cannot drift from what the code does.
//
// It sends, stores and reads nothing: it declares and describes.
package processing

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/azenna/advox/internal/errs"
)

// Processor declares a sub-processor: an operator behind a transport, or
// the host of a store. Data goes only to declared sub-processors.
type Processor struct {
	// Name is the transport's Name(), or the name the store or host is
	// known by.
	Name string
	// Role says what it does ("SMS operator (SMPP)", "database hosting").
	Role string
	// Country is where it processes the data, ISO 3166-1 alpha-2.
	Country string
	// AgreementDate is when the data processing agreement was signed.
	AgreementDate time.Time
	// Categories are the data categories it receives.
	Categories []DataCategory
	// Safeguard is the legal basis for a transfer outside the EU/EEA (an
	// adequacy decision, standard contractual clauses, …); required when
	// Country is outside it.
	Safeguard string
}

// eea holds the EU member states and Iceland, Liechtenstein and Norway.
var eea = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true,
	"FI": true, "FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true,
	"LT": true, "LU": true, "MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true,
	"SI": true, "ES": true, "SE": true, "IS": true, "LI": true, "NO": true,
}

// InEEA reports whether the ISO 3166-1 alpha-2 country code is in the
// EU/EEA.
func InEEA(country string) bool { return eea[strings.ToUpper(country)] }

// Register is the register of sub-processors. The Client refuses to start
// with a transport the register does not allow (see Use), and from then
// on until it is closed the register refuses a change that would no longer
// allow it: what a Client sends to always matches the register, which the
// record of processing is generated from. The zero value is an empty
// register. It is safe for concurrent use.
type Register struct {
	mu     sync.RWMutex
	byName map[string]Processor
	inUse  map[string]int // names → Clients sending to them
}

// NewRegister returns a register holding ps.
func NewRegister(ps ...Processor) (*Register, error) {
	r := &Register{byName: make(map[string]Processor)}
	for _, p := range ps {
		if err := r.Declare(p); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Declare declares a sub-processor, replacing one of the same name. It
// needs a name, role, country code, agreement date and at least one known
// data category. A processor outside the EU/EEA without a safeguard is
// recorded, but Check refuses it. A processor a Client sends to (an
// operator behind its transport) can be replaced only by a declaration
// that still allows it: registered in the EU/EEA or with a safeguard, and
// declaring the categories an operator receives.
func (r *Register) Declare(p Processor) error {
	const op = "register processor"
	p.Country = strings.ToUpper(p.Country)
	switch {
	case strings.TrimSpace(p.Name) == "":
		return errs.Field(op, "Name", "required")
	case strings.TrimSpace(p.Role) == "":
		return errs.Field(op, "Role", "required")
	case !isCountryCode(p.Country):
		return errs.Field(op, "Country", "an ISO 3166-1 alpha-2 code")
	case p.AgreementDate.IsZero():
		return errs.Field(op, "AgreementDate", "required: data goes only to processors under agreement")
	case len(p.Categories) == 0:
		return errs.Field(op, "Categories", "at least one")
	}
	for _, c := range p.Categories {
		if !c.Known() {
			return errs.Field(op, "Categories", "unknown category")
		}
	}
	p.Categories = slices.Clone(p.Categories)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inUse[p.Name] > 0 {
		if err := allowOperator(op, p); err != nil {
			return errs.New(op, errs.CodeInvalidArgument, "%q is in use by a Client, and this declaration would not allow it "+
				"(close the Client first): %w", p.Name, err)
		}
	}
	if r.byName == nil {
		r.byName = make(map[string]Processor)
	}
	r.byName[p.Name] = p
	return nil
}

// Check reports whether data may go to the named sub-processor: it must be
// registered, and outside the EU/EEA it must have a declared safeguard. A
// nil register allows nothing.
func (r *Register) Check(name string) error {
	const op = "check processor"
	if r == nil {
		return errs.New(op, errs.CodeInvalidArgument, "%q is not a registered sub-processor (no register)", name)
	}
	r.mu.RLock()
	p, ok := r.byName[name]
	r.mu.RUnlock()
	if !ok {
		return errs.New(op, errs.CodeInvalidArgument, "%q is not a registered sub-processor", name)
	}
	return allowed(op, p)
}

// allowed refuses a processor outside the EU/EEA without a safeguard.
func allowed(op string, p Processor) error {
	if !InEEA(p.Country) && strings.TrimSpace(p.Safeguard) == "" {
		return errs.New(op, errs.CodeInvalidArgument, "%q processes data in %s, outside the EU/EEA, without a declared safeguard", p.Name, p.Country)
	}
	return nil
}

// operatorCategories are what an SMS operator receives with every message.
var operatorCategories = []DataCategory{CategoryRecipients, CategorySenders, CategoryMessageText}

// allowOperator refuses a processor that may not receive what a transport
// hands its operator: not allowed (see allowed), or declared without one
// of the categories of a message — recipient numbers, sender ids, text.
func allowOperator(op string, p Processor) error {
	if err := allowed(op, p); err != nil {
		return err
	}
	for _, c := range operatorCategories {
		if !slices.Contains(p.Categories, c) {
			return errs.New(op, errs.CodeInvalidArgument, "%q receives %s from its transport but does not declare it", p.Name, c)
		}
	}
	return nil
}

// Use checks that every named processor (the transports' names) may
// receive what a transport hands its operator — registered, in the EU/EEA
// or with a safeguard, declaring recipient numbers, sender ids and message
// text — and marks them in use, in one step, so that Declare refuses a
// change that would no longer allow them until release is called (once
// or more). NewClient calls it for its transport and Close releases. A nil
// register allows nothing.
func (r *Register) Use(names []string) (release func(), err error) {
	const op = "new client"
	if len(names) == 0 {
		return func() {}, nil
	}
	if r == nil {
		return nil, errs.New(op, errs.CodeInvalidArgument, "transport %q hands data to a third party: declare its operator (transport.Operated) or register it in Options.Processors", names[0])
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range names {
		p, ok := r.byName[name]
		if !ok {
			return nil, errs.New(op, errs.CodeInvalidArgument, "%q is not a registered sub-processor: register it in Options.Processors", name)
		}
		if err := allowOperator(op, p); err != nil {
			return nil, err
		}
	}
	if r.inUse == nil {
		r.inUse = make(map[string]int)
	}
	for _, name := range names {
		r.inUse[name]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			for _, name := range names {
				if r.inUse[name]--; r.inUse[name] <= 0 {
					delete(r.inUse, name)
				}
			}
		})
	}, nil
}

// List returns the registered sub-processors by name.
func (r *Register) List() []Processor {
	if r == nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Processor, 0, len(r.byName))
	for _, p := range r.byName {
		p.Categories = slices.Clone(p.Categories)
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Processor) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// OperatorProcessor declares the SMS operator behind a transport: it
// receives recipient numbers, sender ids and message text.
func OperatorProcessor(transportName, country string, agreed time.Time) Processor {
	return Processor{
		Name: transportName, Role: "SMS operator", Country: country, AgreementDate: agreed,
		Categories: []DataCategory{CategoryRecipients, CategorySenders, CategoryMessageText},
	}
}

// isCountryCode reports whether s is two upper-case ASCII letters.
func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
