package accounttest

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// Features declares optional behaviour of the store under test. The zero
// value runs every case the contract requires.
type Features struct {
	// Concurrency is how many goroutines the concurrency cases use; 0
	// means 16.
	Concurrency int
	// Remnants, if set, closes s (a store newStore returned) and returns
	// every byte the store keeps at rest: its files, write-ahead logs
	// included. The remnant cases then check that customer data the
	// store deleted, or that an update replaced, is in none of them. nil
	// skips those cases (a store in memory, or one that cannot promise
	// it; say which in its documentation).
	Remnants func(t *testing.T, s storage.AccountStore) [][]byte
}

type testCase struct {
	name string
	run  func(t *testing.T, s storage.AccountStore, f Features)
}

var cases = []testCase{
	{"RoundTrip", testRoundTrip},
	{"EmptyOptionalFields", testEmptyOptional},
	{"CreateDuplicateAccount", testCreateDuplicate},
	{"UserIDsUnique", testUserIDsUnique},
	{"GetMissing", testGetMissing},
	{"Update", testUpdate},
	{"UpdateRefusals", testUpdateRefusals},
	{"UpdateMovesUser", testUpdateMovesUser},
	{"UpdateConcurrent", testUpdateConcurrent},
	{"UpdatePanics", testUpdatePanics},
	{"InvalidText", testInvalidText},
	{"FindUser", testFindUser},
	{"Delete", testDelete},
	{"DeleteRacesCreate", testDeleteRacesCreate},
	{"DeleteLeavesNoRemnants", testDeleteLeavesNoRemnants},
	{"UpdateLeavesNoRemnants", testUpdateLeavesNoRemnants},
	{"NoSharedMemory", testNoSharedMemory},
	{"ReserveSegments", testReserve},
	{"ReserveConcurrent", testReserveConcurrent},
	{"ReserveCanceled", testReserveCanceled},
	{"SegmentUsage", testSegmentUsage},
	{"ContextCanceled", testContextCanceled},
	{"Closed", testClosed},
}

// Run runs the conformance suite. newStore must return a fresh, empty
// store each time it is called; the suite closes it.
func Run(t *testing.T, newStore func(t *testing.T) storage.AccountStore, f Features) {
	t.Helper()
	if f.Concurrency <= 0 {
		f.Concurrency = 16
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			t.Cleanup(func() { _ = s.Close() })
			c.run(t, s, f)
		})
	}
}

// base is a fixed instant on a whole microsecond, so that every SQL
// dialect keeps it exactly.
var base = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// fullCustomer returns an account with every field set.
func fullCustomer(account string, users ...string) storage.Customer {
	c := storage.Customer{
		Account:      account,
		Organisation: "Exempelbolaget AB",
		OrgNumber:    "556016-0680",
		References:   []string{"PO 4711", "Cost centre 12"},
		Reseller:     "Reseller Nord AB",
		InvoiceAddress: storage.Address{
			Lines: []string{"Fakturaservice", "Box 123"}, PostalCode: "111 22", City: "Stockholm", Country: "SE",
		},
		PostalAddress: storage.Address{
			Lines: []string{"Storgatan 1"}, PostalCode: "411 01", City: "Göteborg", Country: "SE",
		},
		Email: "sms@example.se",
		Phone: "+46812345678",
		Contacts: []storage.Contact{
			{Name: "Åsa Öberg", Email: "asa@example.se", Role: "service"},
			{Name: "Support Desk", Email: "it@example.se", Role: "support"},
		},
		Consents: []storage.Consent{
			{Party: "Reseller Nord AB", Purpose: "reseller-reinvoicing", GrantedAt: base.Add(-48 * time.Hour), WithdrawnAt: base.Add(-time.Hour)},
			{Party: "Reseller Nord AB", Purpose: "reseller-reinvoicing", GrantedAt: base},
		},
		Limits:    storage.ContractLimits{Rate: 12.5, Burst: 20, MonthlySegments: 100000},
		CreatedAt: base,
		UpdatedAt: base.Add(time.Minute),
	}
	for i, u := range users {
		c.Users = append(c.Users, storage.User{
			ID:           u,
			PasswordHash: storage.PasswordHash("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g" + u),
			Allowed: []netip.Prefix{
				netip.MustParsePrefix("192.0.2.0/24"),
				netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}), 32),
				netip.MustParsePrefix("2001:db8::/48"),
			},
		})
	}
	return c
}

// normal makes customers comparable across stores: times in UTC, empty
// slices nil.
func normal(c storage.Customer) storage.Customer {
	c = c.Clone()
	nilIfEmpty(&c.References)
	nilIfEmpty(&c.InvoiceAddress.Lines)
	nilIfEmpty(&c.PostalAddress.Lines)
	nilIfEmpty(&c.Users)
	nilIfEmpty(&c.Contacts)
	nilIfEmpty(&c.Consents)
	for i := range c.Users {
		nilIfEmpty(&c.Users[i].Allowed)
	}
	for i := range c.Consents {
		c.Consents[i].GrantedAt = utc(c.Consents[i].GrantedAt)
		c.Consents[i].WithdrawnAt = utc(c.Consents[i].WithdrawnAt)
	}
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return c
}

func nilIfEmpty[S ~[]E, E any](s *S) {
	if len(*s) == 0 {
		*s = nil
	}
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// assertSame compares customers field by field after normalising.
func assertSame(t *testing.T, want, got storage.Customer) {
	t.Helper()
	assert.Equal(t, normal(want), normal(got))
}

// mustCreate stores c and fails the test if that fails.
func mustCreate(t *testing.T, s storage.AccountStore, c storage.Customer) {
	t.Helper()
	require.NoError(t, s.CreateAccount(ctx(t), c))
}

// period is the start of a billing month.
func period(month time.Month) time.Time { return time.Date(2026, month, 1, 0, 0, 0, 0, time.UTC) }
