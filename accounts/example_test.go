package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"os"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/pii"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// exampleCustomer is the customer data the examples register.
func exampleCustomer() storage.Customer {
	return storage.Customer{
		Account:        "acme",
		Organisation:   "Exempelbolaget AB",
		OrgNumber:      "556016-0680",
		Reseller:       "reseller-nord",
		References:     []string{"PO 4711"},
		InvoiceAddress: storage.Address{Lines: []string{"Box 123"}, PostalCode: "111 22", City: "Stockholm", Country: "SE"},
		Email:          "sms@example.se",
		Phone:          "08-123 456 78",
		Users:          []storage.User{{ID: "acme-api", Allowed: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}},
		Contacts:       []storage.Contact{{Name: "Åsa Öberg", Email: "asa@example.se", Role: "support"}},
		Limits:         storage.ContractLimits{Rate: 10, Burst: 5, MonthlySegments: 10000},
	}
}

// Create registers a customer. A personal identity number is refused in
// every field, free text included, and the error never repeats it.
func ExampleAccounts_Create() {
	ctx := context.Background()
	accts, err := accounts.New(memstore.NewAccounts(), nil)
	if err != nil {
		panic(err)
	}

	c, err := accts.Create(ctx, exampleCustomer())
	if err != nil {
		panic(err)
	}
	fmt.Println("created", c.Account, "phone", c.Phone)

	sole := exampleCustomer()
	sole.Account = "anna"
	sole.OrgNumber = "811218-9876" // a sole trader's "organisation number" is a personnummer
	_, err = accts.Create(ctx, sole)
	fmt.Println(errors.Is(err, advox.ErrPersonalNumber), errors.Is(err, pii.ErrSoleTraderNumber))

	sole.OrgNumber = ""
	sole.Contacts[0].Name = "Anna Andersson 811218-9876"
	_, err = accts.Create(ctx, sole)
	fmt.Println(err)
	// Output:
	// created acme phone +46812345678
	// true true
	// advox: create account: personal identity number refused: Contacts[0].Name: contains a Swedish personal identity number, which is never collected (write phone numbers in international form, +46 …)
}

// Authenticate logs a user in: only from an allowed network and with the
// right password; every failure is the same ErrAuthFailed.
func ExampleAccounts_Authenticate() {
	ctx := context.Background()
	accts, err := accounts.New(memstore.NewAccounts(), nil)
	if err != nil {
		panic(err)
	}
	if _, err := accts.Create(ctx, exampleCustomer()); err != nil {
		panic(err)
	}
	if err := accts.SetPassword(ctx, "acme-api", "korrekt häst batteri"); err != nil {
		panic(err)
	}

	p, err := accts.Authenticate(ctx, "acme-api", "korrekt häst batteri", "192.0.2.10:50412")
	fmt.Println(p.Account, p.User, err)
	_, err = accts.Authenticate(ctx, "acme-api", "korrekt häst batteri", "203.0.113.9:50412")
	fmt.Println(err)
	_, err = accts.Authenticate(ctx, "acme-api", "fel lösenord", "192.0.2.10:50412")
	fmt.Println(err)
	// Output:
	// acme acme-api <nil>
	// advox: authentication failed
	// advox: authentication failed
}

// A reseller sees the customer's billing data for re-invoicing only after
// the customer consented, and never users, networks or password hashes.
func ExampleAccounts_Disclose() {
	ctx := context.Background()
	accts, err := accounts.New(memstore.NewAccounts(), nil)
	if err != nil {
		panic(err)
	}
	if _, err := accts.Create(ctx, exampleCustomer()); err != nil {
		panic(err)
	}

	_, err = accts.Disclose(ctx, "acme", "reseller-nord", accounts.DisclosureReinvoicing)
	fmt.Println(errors.Is(err, advox.ErrNoConsent))

	if err := accts.GrantConsent(ctx, "acme", "reseller-nord", accounts.DisclosureReinvoicing); err != nil {
		panic(err)
	}
	d, err := accts.Disclose(ctx, "acme", "reseller-nord", accounts.DisclosureReinvoicing)
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Organisation, d.OrgNumber, d.InvoiceAddress.City, d.References)
	fmt.Println("users:", len(d.Users), "contacts:", len(d.Contacts))

	if err := accts.WithdrawConsent(ctx, "acme", "reseller-nord", accounts.DisclosureReinvoicing); err != nil {
		panic(err)
	}
	_, err = accts.Disclose(ctx, "acme", "reseller-nord", accounts.DisclosureReinvoicing)
	fmt.Println(errors.Is(err, advox.ErrNoConsent))
	// Output:
	// true
	// Exempelbolaget AB 556016-0680 Stockholm [PO 4711]
	// users: 0 contacts: 0
	// true
}

// Export gives the customer all of its own data as JSON: password hashes
// are never part of it, only whether a password is set. The segments
// counted per month are, and where the account's traffic can be had.
func ExampleAccounts_Export() {
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	accts, err := accounts.New(memstore.NewAccounts(), &accounts.Options{Now: func() time.Time { return at }})
	if err != nil {
		panic(err)
	}
	c := exampleCustomer()
	c.Users[0].Allowed = append(c.Users[0].Allowed, netip.MustParsePrefix("2001:db8::/48"))
	if _, err := accts.Create(ctx, c); err != nil {
		panic(err)
	}
	if err := accts.GrantConsent(ctx, "acme", "reseller-nord", accounts.DisclosureReinvoicing); err != nil {
		panic(err)
	}
	acct, err := accts.Account(ctx, "acme")
	if err != nil {
		panic(err)
	}
	if err := accts.ReserveSegments(ctx, acct, 42, at); err != nil {
		panic(err)
	}
	b, err := accts.Export(ctx, "acme")
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(append(b, '\n'))
	// Output:
	// {
	//   "format": "advox-customer-export/1",
	//   "exported_at": "2026-03-14T09:00:00Z",
	//   "account": "acme",
	//   "organisation": "Exempelbolaget AB",
	//   "organisation_number": "556016-0680",
	//   "customer_references": [
	//     "PO 4711"
	//   ],
	//   "reseller": "reseller-nord",
	//   "invoice_address": {
	//     "lines": [
	//       "Box 123"
	//     ],
	//     "postal_code": "111 22",
	//     "city": "Stockholm",
	//     "country": "SE"
	//   },
	//   "postal_address": {
	//     "lines": []
	//   },
	//   "email": "sms@example.se",
	//   "phone": "+46812345678",
	//   "users": [
	//     {
	//       "id": "acme-api",
	//       "allowed_networks": [
	//         "192.0.2.0/24",
	//         "2001:db8::/48"
	//       ],
	//       "password_set": false
	//     }
	//   ],
	//   "contact_persons": [
	//     {
	//       "name": "Åsa Öberg",
	//       "email": "asa@example.se",
	//       "role": "support"
	//     }
	//   ],
	//   "consents": [
	//     {
	//       "party": "reseller-nord",
	//       "purpose": "reseller-reinvoicing",
	//       "granted_at": "2026-03-14T09:00:00Z"
	//     }
	//   ],
	//   "contract_limits": {
	//     "rate_per_second": 10,
	//     "burst": 5,
	//     "monthly_segments": 10000
	//   },
	//   "segments_per_month": [
	//     {
	//       "month": "2026-03",
	//       "segments": 42
	//     }
	//   ],
	//   "traffic": {
	//     "export": "the account's traffic records (one per message: time, sender, recipient number, segments, delivery status) are not part of this export: the provider exports them on request, for a stated purpose (advox Client.ExportTraffic)",
	//     "format": "advox-traffic-export/1",
	//     "kept": "each record until its retention deadline (see the provider's record of processing), longer only while an unsettled invoice holds it; erased at once on the customer's request and when the account is deleted, leaving monthly counts for billing"
	//   },
	//   "created_at": "2026-03-14T09:00:00Z",
	//   "updated_at": "2026-03-14T09:00:00Z"
	// }
}

// ReserveSegments enforces the contract's monthly quota before sending.
func ExampleAccounts_ReserveSegments() {
	ctx := context.Background()
	accts, err := accounts.New(memstore.NewAccounts(), nil)
	if err != nil {
		panic(err)
	}
	c := exampleCustomer()
	c.Limits.MonthlySegments = 3
	if _, err := accts.Create(ctx, c); err != nil {
		panic(err)
	}
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	acct, err := accts.Account(ctx, "acme") // what a Client reads before it sends
	if err != nil {
		panic(err)
	}
	fmt.Println(accts.ReserveSegments(ctx, acct, 3, now))
	err = accts.ReserveSegments(ctx, acct, 1, now)
	var qe *accounts.QuotaError
	if errors.As(err, &qe) {
		fmt.Println("quota", qe.Quota, "used", qe.Used, "resets", qe.Reset.Format(time.DateOnly))
	}
	// Output:
	// <nil>
	// quota 3 used 3 resets 2026-04-01
}

// Delete removes a customer: the account is closed to sends, its traffic
// is erased on every Client that uses the Accounts (monthly counts stay
// for billing), then its customer data goes, and its id is never given to
// anyone else.
func ExampleAccounts_Delete() {
	ctx := context.Background()
	accts, err := accounts.New(memstore.NewAccounts(), nil)
	if err != nil {
		log.Fatal(err)
	}
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{Accounts: accts})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	if _, err := accts.Create(ctx, storage.Customer{Account: "acme", Organisation: "Acme AB"}); err != nil {
		log.Fatal(err)
	}
	if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}); err != nil {
		log.Fatal(err)
	}
	if err := accts.Delete(ctx, "acme"); err != nil {
		log.Fatal(err)
	}
	n := 0
	for range client.Records(ctx, advox.PurposeTroubleshoot, storage.Query{Account: "acme"}) {
		n++
	}
	u, _ := client.Usage(ctx, advox.PurposeBill, "acme", time.Time{}, time.Time{})
	_, sendErr := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"})
	_, createErr := accts.Create(ctx, storage.Customer{Account: "acme", Organisation: "Someone Else AB"})
	fmt.Println("records:", n, "billed:", u.Messages)
	fmt.Println("send:", errors.Is(sendErr, advox.ErrNotFound), "id reused:", createErr == nil)
	// Output:
	// records: 0 billed: 1
	// send: true id reused: false
}
