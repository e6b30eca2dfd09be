package sqlstore

import (
	"context"
	"database/sql"
)

// wtx is a writer transaction. On SQLite it runs the writer's statements
// prepared on the writer connection, so the hot path never parses SQL: a
// statement is prepared the first time it runs, once the transaction that
// wanted it is over and the single connection is free again (until then
// it runs unprepared). On PostgreSQL pgx caches prepared statements itself
// and stmts stays empty.
type wtx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// want collects the statements that ran unprepared (nil: the dialect
	// prepares nothing).
	want map[string]bool
	// release ends what the transaction held elsewhere (the keys
	// database's transaction, pgkeys.go); the writer calls done after the
	// commit or rollback.
	release []func()
}

// done runs the releases, after the transaction ended.
func (t *wtx) done() {
	for _, f := range t.release {
		f()
	}
	t.release = nil
}

func (t *wtx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmts[q]; st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	t.wanted(q)
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *wtx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.stmts[q]; st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	t.wanted(q)
	return t.tx.QueryContext(ctx, q, args...)
}

// queryRow is query for a statement that returns at most one row; its
// Scan reports sql.ErrNoRows when there is none.
func (t *wtx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.stmts[q]; st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	t.wanted(q)
	return t.tx.QueryRowContext(ctx, q, args...)
}

func (t *wtx) wanted(q string) {
	if t.want != nil {
		t.want[q] = true
	}
}

// prepareWanted prepares the statements want collected on db (the
// writer's connection, free between transactions) and adds them to
// stmts. A statement that fails to prepare keeps running unprepared.
func prepareWanted(ctx context.Context, db *sql.DB, want map[string]bool, stmts map[string]*sql.Stmt) {
	for q := range want {
		if st, err := db.PrepareContext(ctx, q); err == nil {
			stmts[q] = st
		}
		delete(want, q)
	}
}

func closeAll(stmts map[string]*sql.Stmt) {
	for _, st := range stmts {
		_ = st.Close()
	}
}
