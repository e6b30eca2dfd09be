package sqlstore

import (
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"modernc.org/sqlite"

	"github.com/azenna/advox/storage"
)

// TestDriverErrorsStayReachable: a database failure is ErrUnavailable,
// the driver's error is reachable with errors.As, and other callers are
// not affected.
func TestDriverErrorsStayReachable(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		poison(t, s)
		ctx := testCtx(t)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := idOf("ok", i)
				if i == 3 {
					id = "poison"
				}
				errs[i] = s.Record(ctx, testRecord(id, "acct", t0, "op-"+id))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if i != 3 {
				assert.NoError(t, err, "a failure of another call leaks into call %d", i)
				continue
			}
			assert.ErrorIs(t, err, storage.ErrUnavailable)
			if s.d.name == "sqlite" {
				var se *sqlite.Error
				assert.ErrorAs(t, err, &se)
			} else {
				var pe *pgconn.PgError
				if assert.ErrorAs(t, err, &pe) {
					assert.Equal(t, "P0001", pe.Code)
				}
			}
		}
		_, err := s.Get(ctx, "poison")
		assert.ErrorIs(t, err, storage.ErrNotFound)
	})
}
