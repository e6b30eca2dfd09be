package memstore_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/accounttest"
	"github.com/azenna/advox/storage/memstore"
)

func TestAccountsConformance(t *testing.T) {
	defer goleak.VerifyNone(t)
	accounttest.Run(t, func(t *testing.T) storage.AccountStore { return memstore.NewAccounts() }, accounttest.Features{})
}

func TestAccountsWithClient(t *testing.T) {
	accounttest.RunWithClient(t, func(t *testing.T) accounttest.Stores {
		return accounttest.Stores{Accounts: memstore.NewAccounts(), Traffic: memstore.New(nil)}
	}, accounttest.Features{})
}
