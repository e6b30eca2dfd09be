// Package accounttest is the conformance suite every storage.AccountStore
// runs on itself, in the manner of storagetest and testing/fstest:
//
//	func TestAccountConformance(t *testing.T) {
//		accounttest.Run(t, func(t *testing.T) storage.AccountStore {
//			return memstore.NewAccounts() // your store, fresh and empty
//		}, accounttest.Features{})
//	}
//
// Each case gets a fresh, empty store from newStore and closes it when
// done. The cases are private, so new ones never break an implementation's
// code. They check round trips of every field, the uniqueness of account
// and user ids, atomic updates (a panicking one included), deletion and
// the retirement of deleted account ids (a create racing the delete
// included), the refusal of data a store cannot keep exactly, quota
// reservation under concurrency and cancellation, the listing of usage
// counters, context cancellation and Close; and, for a store that can show
// its bytes at rest (Features.Remnants), that deleted and replaced
// customer data is not in them.
//
// RunWithClient drives a store through accounts.Accounts and a real
// advox.Client recording into its traffic store, as applications wire
// them:
//
//	accounttest.RunWithClient(t, func(t *testing.T) accounttest.Stores {
//		s := mystore.Open(t.TempDir())
//		return accounttest.Stores{Accounts: s.Accounts(), Traffic: s}
//	}, accounttest.Features{})
//
// Its cases check that deleting a customer erases its traffic on every
// Client and leaves no record with sends racing the delete, that a deleted
// customer's id (and the usage its erased traffic left) never passes to a
// new customer, and the customer's traffic export.
//
// It holds the suite only: no store (memstore's and sqlstore's tests run
// it on theirs) and no traffic-store case, which are storagetest's.
package accounttest
