package memstore_test

import (
	"testing"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.TrafficStore { return memstore.New(nil) }, storagetest.Features{})
}
