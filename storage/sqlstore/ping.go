package sqlstore

import (
	"context"
	"database/sql"

	"github.com/azenna/advox/storage"
)

var _ storage.Pinger = (*Store)(nil)

// Ping implements storage.Pinger: every database the store uses (reads,
// the writer's, the keys database apart) answers a round trip.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed("ping")
	}
	for _, db := range []*sql.DB{s.rdb, s.w.db, s.kdb} {
		if db == nil {
			continue
		}
		if err := db.PingContext(ctx); err != nil {
			return mapErr("ping", err)
		}
	}
	return nil
}
