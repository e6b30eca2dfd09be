package memstore_test

import (
	"testing"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T, clock *storagetest.Clock) storage.TrafficStore {
		return memstore.New(&memstore.Options{Now: clock.Now})
	}, storagetest.Features{})
}
