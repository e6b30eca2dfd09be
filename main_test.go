package advox_test

import (
	"testing"

	"github.com/azenna/advox/internal/testkit"
)

// TestMain scans everything the package's tests logged or audited for
// phone numbers, and checks that no goroutine outlives them.
func TestMain(m *testing.M) { testkit.Main(m) }
