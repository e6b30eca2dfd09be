// Package memstore is an in-memory storage.TrafficStore for tests, examples
// and applications that keep no traffic across restarts. It is safe for
// concurrent use and enforces retention deadlines on read like every store.
// NewAccounts gives the in-memory storage.AccountStore for customer data.
//
// It keeps nothing across restarts and writes nothing to disk: a store
// that must survive the process is sqlstore.
package memstore
