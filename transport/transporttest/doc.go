// Package transporttest is the conformance suite every transport adapter
// runs on itself, built-in or third-party, in the manner of
// testing/slogtest and the Go CDK's drivertest:
//
//	func TestConformance(t *testing.T) {
//		transporttest.Run(t, newHarness, transporttest.Features{DeliveryReports: true})
//	}
//
// A Harness makes a fresh adapter connected to a far end (a simulator) and
// reports what the far end received, so the suite can check what actually
// went over the wire. Harnesses that can make the far end misbehave
// implement FaultInjector and get the classification cases too; those that
// can fail one part of a multipart message (PartFaultInjector) get the
// partial-acceptance cases — and, for adapters that implement
// transport.PartSubmitter, the cases that send the rest of the message;
// harnesses that see the parts one by one (PartObserver) let the suite
// check that none arrives twice — and those that can drop the connection after
// reading a submit (FaultSupport, FaultConnectionLost) get that case.
// Adapters that receive messages from handsets (transport.InboundSource,
// Features.Inbound) get the inbound cases — single, multipart in GSM and
// UCS-2 (surrogate pairs split across parts), out of order, duplicated,
// redelivered after a handler error, and sent before the handler was set
// — through a harness whose far end sends them (InboundInjector). The suite
// drives the adapter directly and through a real advox.Client. The cases
// are private, so new ones never break an adapter author's code.
//
// It holds the suite and the harness interfaces only; the far ends the
// built-in adapters are tested against are smsctest (through
// smscconformance) and operatortest.
package transporttest
