// Package storagetest is the conformance suite every storage.TrafficStore
// runs on itself, in the manner of testing/fstest and testing/slogtest:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T, clock *storagetest.Clock) storage.TrafficStore {
//			return memstore.New(&memstore.Options{Now: clock.Now}) // your store, on the case's clock
//		}, storagetest.Features{})
//	}
//
// Each case gets a fresh store from newStore, reading the time from the
// case's Clock, and closes it when done. The cases are private, so new
// ones never break an implementation's code. A store that can show its
// bytes at rest (Features.Remnants) is also checked for what erase and
// purge leave in them.
package storagetest
