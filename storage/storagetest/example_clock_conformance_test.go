package storagetest_test

import (
	"testing"

	"github.com/azenna/advox/storage/storagetest"
)

// The newStore the package example documents passes the suite, so the code
// a store author copies from it is known to work.
func TestExampleNewStoreConformance(t *testing.T) {
	storagetest.Run(t, newStore, storagetest.Features{})
}
