// Command http-operator sends SMS through an HTTP operator profile and
// serves the delivery-report webhook, end to end on loopback: an embedded
// operator simulator (package operatortest) plays the operator, the
// application mounts the transport's Webhook on its own HTTP server, and
// the Client records each message and its delivery status.
//
//	go run ./examples/http-operator                  # 46elks dialect
//	go run ./examples/http-operator -profile kannel  # or sinch, generic
//
// The first submit is throttled by the simulator to show a safe retry.
// Recipient numbers are printed masked.
package main
