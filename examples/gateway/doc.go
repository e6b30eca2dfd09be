// Command gateway is an embeddable SMS gateway built only on advox's public
// API: the proof that the library's pieces compose into the program a
// provider actually runs.
//
// It serves customers a JSON API over HTTP — send to one or many
// recipients, message status, usage for a period, export of the customer's
// own data, erase of its traffic — where every user logs in with HTTP Basic
// (user id and password) from an allowed network, and the account always
// comes from the login, never from the request. Messages go out through
// SMPP and HTTP-operator transports chosen by a route table from the
// configuration file; operators' delivery reports arrive on webhooks
// mounted per transport; traffic is kept in SQLite (or PostgreSQL with
// -postgres), sealed under per-account keys, purged by the retention
// enforcer and erased on request. /healthz and /readyz serve an
// orchestrator's probes (readiness is advox.Client.Ping). SIGINT or
// SIGTERM stops it gracefully:
// no new requests, in-flight sends drained, then everything closed.
//
// With no configuration it starts on embedded defaults: an in-process SMSC
// simulator and an operator simulator stand in for the operators, a demo
// account and user are seeded, and the login and a ready curl line are
// printed:
//
//	go run ./examples/gateway [-addr 127.0.0.1:8080] [-config gateway.json] [-db traffic.db | -postgres DSN]
//
// See README.md for the configuration file and a curl session.
package main
