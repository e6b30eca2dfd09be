package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/sqlstore/sqlite"
)

// Keep customer data next to the traffic in one SQLite file: the account
// store comes from the traffic store, shares its database and closes
// with it. The same call works on a PostgreSQL store.
func ExampleStore_Accounts() {
	dir, err := os.MkdirTemp("", "advox-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	traffic, err := sqlite.Open(ctx, filepath.Join(dir, "advox.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer traffic.Close()
	accounts := traffic.Accounts()

	now := time.Now()
	err = accounts.CreateAccount(ctx, storage.Customer{
		Account:      "acme",
		Organisation: "Acme AB",
		OrgNumber:    "556016-0680",
		Users: []storage.User{{
			ID:      "ops@acme.example",
			Allowed: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")},
		}},
		Limits:    storage.ContractLimits{MonthlySegments: 5},
		CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		log.Fatal(err)
	}

	c, err := accounts.FindUser(ctx, "ops@acme.example")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("login belongs to", c.Organisation)

	month := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{3, 3, 2} {
		used, ok, err := accounts.ReserveSegments(ctx, "acme", month, n, c.Limits.MonthlySegments)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("reserve %d: granted %v, used %d of %d\n", n, ok, used, c.Limits.MonthlySegments)
	}
	// Output:
	// login belongs to Acme AB
	// reserve 3: granted true, used 3 of 5
	// reserve 3: granted false, used 3 of 5
	// reserve 2: granted true, used 5 of 5
}
