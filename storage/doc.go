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
package storage
