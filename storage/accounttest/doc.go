// Package accounttest is the conformance suite every storage.AccountStore
// runs on itself, in the manner of storagetest and testing/fstest:
//
//	func TestAccountConformance(t *testing.T) {
//		accounttest.Run(t, func(t *testing.T) storage.AccountStore {
//			return mystore.OpenAccounts(t.TempDir())
//		}, accounttest.Features{})
//	}
//
// Each case gets a fresh, empty store from newStore and closes it when
// done. The cases are private, so new ones never break an implementation's
// code. They check round trips of every field, the uniqueness of account
// and user ids, atomic updates (a panicking one included), deletion, the
// refusal of data a store cannot keep exactly, quota reservation under
// concurrency and cancellation, context cancellation and Close; and, for a
// store that can show its bytes at rest (Features.Remnants), that deleted
// and replaced customer data is not in them.
package accounttest
