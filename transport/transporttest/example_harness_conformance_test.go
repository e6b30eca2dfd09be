package transporttest_test

import (
	"testing"

	"github.com/azenna/advox/transport/transporttest"
)

// The harness the package example documents passes the suite, so the code
// an adapter author copies from it is known to work.
func TestExampleHarnessConformance(t *testing.T) {
	transporttest.Run(t, newHarness, transporttest.Features{DeliveryReports: true})
}
