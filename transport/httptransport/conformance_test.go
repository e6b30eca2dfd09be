package httptransport_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
	"github.com/azenna/advox/transport/transporttest"
)

func TestConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			if d.profile().PerPart {
				// The Resume* and ClientLaterPart* cases skipped a
				// per-part profile, which could not send the rest.
				_, resumes := any((*httptransport.Transport)(nil)).(transport.PartSubmitter)
				require.True(t, resumes, "a per-part profile resumes a message through SubmitParts")
			}
			transporttest.Run(t, func(t *testing.T) transporttest.Harness {
				return newHarness(t, d.profile(), d.dialect, harnessOptions{sim: &operatortest.Options{AutoReport: true}})
			}, transporttest.Features{DeliveryReports: true, Inbound: true})
		})
	}
}
