package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/azenna/advox/storage"
)

// Store is a storage.TrafficStore and storage.KeyStore on SQLite or
// PostgreSQL. It is safe for concurrent use. Reads go straight to the
// database; writes go through the group-commit writer.
type Store struct {
	d       *dialect
	q       *queries
	rdb     *sql.DB
	kdb     *sql.DB // PostgreSQL's keys database, if apart (pgkeys.go); nil: rdb and the writer's
	w       *writer
	now     func() time.Time
	chunk   int // purge chunk
	echunk  int // erase chunk
	closeFn func() error
	listing listing // the writer's

	// mu guards closed: reads and enqueues hold it shared, so Close
	// (exclusive) waits for them before it closes the queue and the
	// databases.
	mu     sync.RWMutex
	closed bool
	// shut is closed once Close has finished: a Close that finds another
	// under way waits for it.
	shut chan struct{}
}

var (
	_ storage.TrafficStore = (*Store)(nil)
	_ storage.KeyStore     = (*Store)(nil)
)

// newStore starts the writer on wdb; kdb is the keys database apart
// (nil: none). The store owns the databases from then on: its Close calls
// closeFn.
func newStore(d *dialect, wdb, rdb, kdb *sql.DB, closeFn func() error, o Options) *Store {
	if o.EraseChunk <= 0 {
		o.EraseChunk = d.eraseChunk
	}
	s := &Store{d: d, q: newQueries(d), rdb: rdb, kdb: kdb, now: o.Now, chunk: o.PurgeChunk, echunk: o.EraseChunk, closeFn: closeFn,
		listing: listing{unlisted: listEvery, every: listEvery}, // list what an earlier run left, at the first insert
		shut:    make(chan struct{})}
	s.w = &writer{
		db:        wdb,
		stmts:     make(map[string]*sql.Stmt),
		queue:     make(chan *op, o.QueueSize),
		maxBatch:  o.MaxBatch,
		exec:      s.execBatch,
		retryable: d.retryable,
		stopped:   make(chan struct{}),
	}
	if d.prepares {
		s.w.want = make(map[string]bool)
	}
	go s.w.run()
	return s
}

// do queues o for the writer and waits for its result. A caller whose ctx
// ends while o waits in the queue gets ctx's error and o is dropped; once
// the writer has taken o into a batch, the call waits for that batch to
// end and reports o's outcome instead: a context error must never stand
// for a write that then commits.
func (s *Store) do(ctx context.Context, name string, o *op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.ctx = ctx
	o.done = make(chan struct{})
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errClosed(name)
	}
	select {
	case s.w.queue <- o:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	select {
	case <-o.done:
	case <-ctx.Done():
		if o.state.CompareAndSwap(opQueued, opAbandoned) {
			return ctx.Err() // the writer will drop it
		}
		<-o.done // taken: the batch decides
	}
	return mapErr(name, o.err)
}

// withDB runs f on the read pool unless the store is closed, and maps its
// error.
func (s *Store) withDB(ctx context.Context, name string, f func(*sql.DB) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed(name)
	}
	if err := f(s.rdb); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.As(err, new(commitError)) {
			return ctxErr
		}
		return mapErr(name, err)
	}
	return nil
}

// Close stops taking writes, lets the writer commit everything queued,
// and closes the database. Later calls fail with storage.ErrClosed; Close
// itself is idempotent: a further call returns nil once the first has
// finished.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.shut
		return nil
	}
	s.closed = true
	close(s.w.queue)
	s.mu.Unlock()
	defer close(s.shut)
	<-s.w.stopped
	return mapErr("close", s.closeFn())
}
