// Package storage is the contract between the advox Client and a traffic
// store: one Record per message (who sent it on which account, to which
// number, when, how many segments, through which transport, delivery status),
// never the message body.
//
// Stores are adapters like transports: memstore keeps records in memory,
// sqlstore in SQLite or PostgreSQL, and storagetest is the conformance suite
// every implementation runs on itself. A store enforces the retention
// deadline on read: a record whose Deadline has passed is never returned,
// even before Purge has deleted it.
//
// Abilities beyond TrafficStore are optional interfaces the Client
// type-asserts, so stores written before them keep working: KeyStore (the
// keyring of wrapped data keys) and Pinger (whether the database answers,
// for advox.Client.Ping).
//
// It holds the contracts (TrafficStore, AccountStore and the optional
// interfaces), the types that cross them (Record, Invoice, Customer, …)
// and the rules every store applies alike (Visible, Apply, OverallOf,
// Unkeepable and CheckKeepable, ByOperatorID). It holds no store: those
// are memstore and sqlstore, and their conformance suites storagetest and
// accounttest. Nor does it decide deadlines, seal numbers or check
// identity numbers: the Client does, before a record reaches a store.
package storage
