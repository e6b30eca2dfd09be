package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// migrationFiles holds the schema versions, NNNN_name.sql, each a
// text/template filled with the dialect's ddlTokens: one schema for both
// dialects.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema version.
type migration struct {
	version int
	name    string
	text    string
}

// migrations returns the embedded migrations in version order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: bad migration name %q", base)
		}
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, text: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := range ms {
		if ms[i].version != i+1 {
			return nil, fmt.Errorf("sqlstore: migration %s out of sequence", ms[i].name)
		}
	}
	return ms, nil
}

// render fills a migration template for the dialect.
func (m migration) render(d *dialect) (string, error) {
	t, err := template.New(m.name).Option("missingkey=error").Parse(m.text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, d.ddl); err != nil {
		return "", err
	}
	return b.String(), nil
}

// migrate brings the schema up to the newest embedded version in one
// transaction. It is idempotent, and safe when several processes open the
// same database at once: SQLite's BEGIN IMMEDIATE and PostgreSQL's
// advisory lock let one of them migrate while the others wait, then find
// nothing left to do. A database migrated by a newer version is left as is.
func migrate(ctx context.Context, db *sql.DB, d *dialect) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := d.lockMigrations(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS advox_schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	var current int
	if err := tx.QueryRowContext(ctx,
		"SELECT COALESCE(MAX(version), 0) FROM advox_schema_migrations").Scan(&current); err != nil {
		return err
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		ddl, err := m.render(d)
		if err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
		}
		if strings.TrimSpace(ddl) != "" { // nothing to do in this dialect
			if _, err := tx.ExecContext(ctx, ddl); err != nil {
				return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, d.bind(
			"INSERT INTO advox_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
			m.version, m.name, encodeTime(time.Now())); err != nil {
			return err
		}
	}
	return tx.Commit()
}
