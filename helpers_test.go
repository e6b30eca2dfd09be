package advox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
)

// ctxT is a context for one test, ended with it (or after ten seconds).
func ctxT(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// customer is a valid account's customer data, without contacts or users.
func customer(account string) storage.Customer {
	return storage.Customer{Account: account, Organisation: "Exempelbolaget AB", OrgNumber: "556016-0680"}
}

func newAccounts(t *testing.T, limits storage.ContractLimits) *accounts.Accounts {
	t.Helper()
	accts, err := accounts.New(memstore.NewAccounts(), nil)
	require.NoError(t, err)
	_, err = accts.Create(context.Background(), storage.Customer{Account: "acme", Organisation: "Acme AB", Limits: limits})
	require.NoError(t, err)
	return accts
}
