package sqlstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/storagetest"
)

func TestConformance(t *testing.T) {
	dialects(t, func(t *testing.T, open func(t *testing.T, opts *Options) *Store) {
		var f storagetest.Features
		// PostgreSQL keeps a deleted row's bytes in its page until a new
		// row overwrites them, VACUUM or not (doc.go): it cannot show
		// clean bytes, and its remnant cases are skipped.
		if filepath.Base(t.Name()) == "sqlite" {
			f.Remnants = sqliteRemnants
		}
		storagetest.Run(t, func(t *testing.T, clock *storagetest.Clock) storage.TrafficStore {
			return open(t, &Options{Now: clock.Now})
		}, f)
	})
	// SQLite leaves new records unlisted, and the suite's few records stay
	// so; run it again with every record listed at once, and with every
	// other batch listed, so reads by account meet both halves.
	for _, every := range []int{1, 2} {
		t.Run(fmt.Sprintf("sqlite-list-every-%d", every), func(t *testing.T) {
			storagetest.Run(t, func(t *testing.T, clock *storagetest.Clock) storage.TrafficStore {
				s := newSQLite(t, &Options{Now: clock.Now})
				setListEvery(t, s, every)
				return s
			}, storagetest.Features{Remnants: sqliteRemnants})
		})
	}
}

// sqliteRemnants closes a SQLite store and returns the bytes of its files.
func sqliteRemnants(t *testing.T, s storage.TrafficStore) [][]byte {
	var files [][]byte
	for _, b := range closedFiles(t, s.(*Store)) {
		files = append(files, b)
	}
	return files
}

// setListEvery makes s list its records once every n are waiting. It
// runs in the writer goroutine, which owns the count.
func setListEvery(t *testing.T, s *Store, n int) {
	t.Helper()
	require.NoError(t, s.run(testCtx(t), "test", func(context.Context, *wtx) (error, error) {
		s.listing.every = n
		return nil, nil
	}))
}
