package storagetest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"testing"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/storage/storagetest"
	"github.com/azenna/advox/transport"
)

// newStore is what a store's own tests hand to the suite: a fresh, empty
// store per case, reading the time from the case's Clock (here memstore;
// a SQL store would open a new database under t.TempDir()):
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, newStore, storagetest.Features{})
//	}
func newStore(_ *testing.T, clock *storagetest.Clock) storage.TrafficStore {
	return memstore.New(&memstore.Options{Now: clock.Now})
}

// The suite moves each case's Clock to check retention: a store must read
// the time from it, so that a record past its deadline is gone from reads
// the moment the clock passes it, before any purge.
func Example() {
	ctx := context.Background()
	start := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	clock := &storagetest.Clock{}
	clock.Set(start)
	s := memstore.New(&memstore.Options{Now: clock.Now}) // what newStore returns
	defer s.Close()

	err := s.Record(ctx, storage.Record{
		ID: "m1", Account: "acme", Transport: "mem", Encoding: transport.GSM7, Segments: 1,
		Parts:  []storage.Part{{OperatorID: "op-1", Status: transport.StatusAccepted, UpdatedAt: start}},
		Status: transport.StatusAccepted, CreatedAt: start, UpdatedAt: start, Deadline: start.AddDate(0, 5, 0),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, at := range []time.Time{start.AddDate(0, 5, 0).Add(-time.Second), start.AddDate(0, 5, 0)} {
		clock.Set(at)
		_, err := s.Get(ctx, "m1")
		fmt.Println(clock.Now().Format(time.DateTime), "found:", !errors.Is(err, storage.ErrNotFound))
	}
	// Output:
	// 2026-08-14 08:59:59 found: true
	// 2026-08-14 09:00:00 found: false
}

// The newStore the package example documents passes the suite, so the code
// a store author copies from it is known to work.
func TestExampleNewStoreConformance(t *testing.T) {
	storagetest.Run(t, newStore, storagetest.Features{})
}
