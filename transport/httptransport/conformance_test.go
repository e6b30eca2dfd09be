package httptransport_test

import (
	"testing"

	"github.com/azenna/advox/transport/httptransport/operatortest"
	"github.com/azenna/advox/transport/transporttest"
)

func TestConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			transporttest.Run(t, func(t *testing.T) transporttest.Harness {
				return newHarness(t, d.profile(), d.dialect, harnessOptions{sim: &operatortest.Config{AutoReport: true}})
			}, transporttest.Features{DeliveryReports: true, Inbound: true})
		})
	}
}
