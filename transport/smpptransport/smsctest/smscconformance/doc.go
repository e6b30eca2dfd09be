// Package smscconformance runs the transporttest conformance suite for any
// SMPP transport against an smsctest simulator: the harness observes what
// the simulator received and maps the suite's faults to SMPP answers.
//
//	func TestConformance(t *testing.T) {
//		transporttest.Run(t, func(t *testing.T) transporttest.Harness {
//			return smscconformance.NewHarness(t, nil, func(addr string) (transport.Transport, error) {
//				return smpptransport.New(smpptransport.Config{ // or your own SMPP adapter
//					Addr: addr, SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
//					RespTimeout: 200 * time.Millisecond,
//				})
//			})
//		}, transporttest.Features{DeliveryReports: true, Inbound: true})
//	}
//
// It is a package of its own so that smsctest, which examples and
// applications embed, does not pull in the testing packages.
package smscconformance
