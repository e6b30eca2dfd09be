package sqlstore

import (
	"testing"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/storagetest"
)

func TestConformance(t *testing.T) {
	dialects(t, func(t *testing.T, open func(t *testing.T, opts *Options) *Store) {
		storagetest.Run(t, func(t *testing.T, clock *storagetest.Clock) storage.TrafficStore {
			return open(t, &Options{Now: clock.Now})
		}, storagetest.Features{})
	})
}
