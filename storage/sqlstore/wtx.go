package sqlstore

import (
	"context"
	"database/sql"
)

// wtx is a writer transaction. On SQLite it runs the writer's statements
// prepared once on the writer connection, so the hot path never parses
// SQL; on PostgreSQL pgx caches prepared statements itself and stmts is
// empty.
type wtx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *wtx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmts[q]; st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *wtx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.stmts[q]; st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

// prepareAll prepares qs on db (the writer's single connection), before
// the writer starts.
func prepareAll(ctx context.Context, db *sql.DB, qs []string) (map[string]*sql.Stmt, error) {
	stmts := make(map[string]*sql.Stmt, len(qs))
	for _, q := range qs {
		if _, ok := stmts[q]; ok {
			continue
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			closeAll(stmts)
			return nil, err
		}
		stmts[q] = st
	}
	return stmts, nil
}

func closeAll(stmts map[string]*sql.Stmt) {
	for _, st := range stmts {
		st.Close()
	}
}
