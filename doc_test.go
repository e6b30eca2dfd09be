package advox_test

import (
	"testing"

	"github.com/azenna/advox/internal/doccheck"
)

// The package comment's code is the body of examples/firstsms's main,
// which its Example runs against the SMSC simulator. Regression: the
// comment showed advox.NewClient(tr, store, nil), which fails for every
// transport that reaches an operator.
func TestPackageDocIsTheFirstProgram(t *testing.T) {
	doccheck.Snippet(t, "doc.go", "examples/firstsms/main.go", "main")
}
