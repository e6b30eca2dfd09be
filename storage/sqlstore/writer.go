package sqlstore

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"

	"github.com/azenna/advox/storage"
)

// The group-commit writer. Every write (Record, UpdateStatus, a purge or
// erase chunk, an invoice change) becomes an op on a bounded queue. One goroutine
// takes whatever is queued, up to MaxBatch ops, runs them in a single
// transaction and commits once, so concurrent callers share one commit
// (and one fsync). A caller returns only after its batch committed, so an
// acknowledged write is durable. A full queue blocks callers
// (back-pressure); Close lets the queue drain before the database closes.

// opKind says what an op does.
type opKind int

const (
	// opRecord inserts records; the batch inserts all its records with a
	// few multi-row statements.
	opRecord opKind = iota
	// opUpdate applies a delivery report.
	opUpdate
	// opFunc runs fn.
	opFunc
)

// An op's states: queued until the writer takes it into a batch or its
// caller, whose ctx ended, abandons it — whichever comes first.
const (
	opQueued int32 = iota
	opTaken
	opAbandoned
)

// op is one queued write and, once done is closed, its result.
type op struct {
	ctx   context.Context
	kind  opKind
	state atomic.Int32 // opQueued, opTaken or opAbandoned

	recs   []storage.Record     // opRecord
	update storage.StatusUpdate // opUpdate
	now    time.Time            // opUpdate: the store clock
	// fn (opFunc) runs the write in tx. It returns the op's own result
	// error (ErrExists, ErrNotFound, …), having written nothing, or a
	// database failure, which aborts the batch. It sets any other result
	// itself, from scratch: a failed batch runs again.
	fn func(ctx context.Context, tx *wtx) (result, failure error)

	rec  storage.Record // opUpdate result
	err  error
	done chan struct{}
}

// writer owns the write connection(s) and the queue.
type writer struct {
	db        *sql.DB
	queue     chan *op
	maxBatch  int
	stmts     map[string]*sql.Stmt // prepared on db, see wtx
	want      map[string]bool      // to prepare on db after the transaction (nil: never)
	exec      func(ctx context.Context, tx *wtx, batch []*op) error
	retryable func(error) bool
	stopped   chan struct{}
}

// maxRetries bounds the reruns of a batch that hit a transient conflict.
const maxRetries = 5

// run is the writer goroutine. It ends when the queue is closed and empty.
func (w *writer) run() {
	defer close(w.stopped)
	defer closeAll(w.stmts)
	var (
		batch   []*op
		ids     = make(map[string]struct{})
		carried *op
	)
	for {
		first := carried
		carried = nil
		if first == nil {
			o, ok := <-w.queue
			if !ok {
				return
			}
			first = o
		}
		batch = batch[:0]
		clear(ids)
		batch = w.admit(batch, first, ids)
	collect:
		for len(batch) < w.maxBatch {
			select {
			case o, ok := <-w.queue:
				if !ok {
					break collect
				}
				if o.kind == opRecord && collides(o, ids) {
					// Two calls recording the same id: the later one
					// waits for the next batch, where it finds the
					// first one's record and fails with ErrExists.
					carried = o
					break collect
				}
				batch = w.admit(batch, o, ids)
			default:
				break collect
			}
		}
		if len(batch) > 0 {
			w.commit(batch)
		}
	}
}

// admit takes o into the batch unless its caller gave up already.
func (w *writer) admit(batch []*op, o *op, ids map[string]struct{}) []*op {
	if o.ctx.Err() != nil || !o.state.CompareAndSwap(opQueued, opTaken) {
		o.err = o.ctx.Err()
		if o.err == nil {
			o.err = context.Canceled // abandoned: nobody reads it
		}
		close(o.done)
		return batch
	}
	if o.kind == opRecord {
		for i := range o.recs {
			ids[o.recs[i].ID] = struct{}{}
		}
	}
	return append(batch, o)
}

// collides reports whether o records an id already in the batch.
func collides(o *op, ids map[string]struct{}) bool {
	for i := range o.recs {
		if _, ok := ids[o.recs[i].ID]; ok {
			return true
		}
	}
	return false
}

// commit runs the batch in one transaction and completes its ops. A
// transient conflict reruns the batch; any other failure reruns each op
// on its own, so one bad op never fails the others.
func (w *writer) commit(batch []*op) {
	err := w.attempt(batch)
	for try := 1; err != nil && w.retryable(err) && try < maxRetries; try++ {
		time.Sleep(time.Duration(try) * time.Millisecond)
		err = w.attempt(batch)
	}
	if err != nil && len(batch) > 1 {
		for _, o := range batch {
			w.commit([]*op{o})
		}
		return
	}
	for _, o := range batch {
		if err != nil {
			o.err = err
		}
		close(o.done)
	}
}

// attempt runs the batch in one transaction.
func (w *writer) attempt(batch []*op) error {
	ctx := context.Background() // acknowledged ops complete whatever their callers do
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer prepareWanted(ctx, w.db, w.want, w.stmts) // after the commit: it needs the connection
	t := &wtx{tx: tx, stmts: w.stmts, want: w.want}
	defer t.done() // after the commit or rollback
	if err := w.exec(ctx, t, batch); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
