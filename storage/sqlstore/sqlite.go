package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// OpenSQLite opens (creating if needed) the SQLite database file at path
// and migrates it. It uses WAL mode with full sync (a write acknowledged is
// on disk), a busy timeout, foreign keys, secure_delete (what is deleted
// is overwritten, see "Deleted data at rest" in the package doc), one
// writer connection owned by the group-commit writer and a pool of
// read-only connections. path must be a file: an in-memory database cannot
// be shared between the connections.
//
// The accounts' wrapped data keys live in a second file, Options.KeysPath
// (default path + ".keys"), so that a backup of the traffic database alone
// holds no key: after an erase, the account's records in such a backup are
// unreadable even with the key-encryption key. Back up the keys file
// separately, if at all, and keep its copies no longer than the retention
// you promise: a copy of it taken before an erase can still unlock that
// account's records in traffic backups of the same age. Losing it makes
// all recorded recipients unreadable, nothing else; a traffic file with
// sealed records opened where its keys file is not fails with
// ErrNoKeyring rather than start a new keyring unasked.
func OpenSQLite(path string, opts *Options) (_ *Store, err error) {
	o := opts.withDefaults()
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, errors.New("sqlstore: sqlite: path must name a file")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: sqlite: %w", err)
	}
	base := (&url.URL{Scheme: "file", Path: abs}).String()
	busy := fmt.Sprintf("_pragma=busy_timeout(%d)", o.BusyTimeout.Milliseconds())
	var opened []*sql.DB
	defer func() {
		if err != nil {
			for _, db := range opened {
				_ = db.Close()
			}
		}
	}()
	keys := o.KeysPath
	if keys == "" {
		keys = abs + keysSuffix
	}
	if keys, err = filepath.Abs(keys); err != nil {
		return nil, fmt.Errorf("sqlstore: sqlite: keys: %w", err)
	}
	if keys == abs {
		return nil, errors.New("sqlstore: sqlite: the keys file must not be the traffic database")
	}
	_, statErr := os.Stat(keys)
	newKeyring := errors.Is(statErr, fs.ErrNotExist)
	open := func(dsn string, conns int, after ...string) *sql.DB {
		db := sql.OpenDB(attachConnector{drv: &sqlite.Driver{}, dsn: dsn, keys: keys, after: after})
		opened = append(opened, db)
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		return db
	}

	// The writer: BEGIN IMMEDIATE takes the write lock up front, so a
	// transaction never fails half-way on another process's lock.
	wdb := open(base+"?_txlock=immediate&"+busy+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"+
		"&_pragma=temp_store(MEMORY)&_pragma=cache_size(-65536)&_pragma=journal_size_limit(67108864)&_pragma=wal_autocheckpoint(10000)"+
		"&_pragma=secure_delete(1)", 1,
		"PRAGMA keys.journal_mode=WAL", "PRAGMA keys.synchronous=FULL", "PRAGMA keys.secure_delete=1")
	ctx := context.Background()
	d := sqliteDialect()
	// Processes creating one new database at the same moment can see
	// SQLITE_BUSY while it turns to WAL, past the busy timeout's reach:
	// retry for as long as the busy timeout allows.
	for deadline := time.Now().Add(o.BusyTimeout); ; {
		err = moveKeys(ctx, wdb)
		if err == nil {
			err = migrate(ctx, wdb, d)
		}
		if err == nil || !sqliteBusy(err) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		return nil, mapErr("open: migrate", err)
	}
	if newKeyring {
		var orphaned bool
		if err := wdb.QueryRowContext(ctx, sealedWithoutKeys).Scan(&orphaned); err != nil {
			return nil, mapErr("open: keys", err)
		}
		if orphaned {
			_ = wdb.Close()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(keys + suffix) // the keys file this open created
			}
			return nil, fmt.Errorf("sqlstore: sqlite: keys file %s: %w", keys, ErrNoKeyring)
		}
	}
	if err := scrubOnOpen(ctx, wdb); err != nil {
		return nil, mapErr("open: scrub", err)
	}
	rdb := open(base+"?"+busy+"&_pragma=query_only(1)&_pragma=cache_size(-16384)", o.Readers)
	if err := rdb.PingContext(ctx); err != nil {
		return nil, mapErr("open: readers", err)
	}
	return newStore(d, wdb, rdb, nil, func() error { return errors.Join(rdb.Close(), wdb.Close()) }, o), nil
}

// sqliteDialect is SQLite as modernc.org/sqlite speaks it.
func sqliteDialect() *dialect {
	return &dialect{
		name: "sqlite",
		ddl: ddlTokens{
			RowID:        "INTEGER PRIMARY KEY AUTOINCREMENT",
			WithoutRowID: " WITHOUT ROWID",
			Blob:         "BLOB",
			DeadlineKey:  "deadline",
			KeysApart:    true,
		},
		inIDs:              "IN (SELECT value FROM json_each(?))",
		inTexts:            "IN (SELECT value FROM json_each(?))",
		inQuery:            func(sub string) string { return "IN (" + sub + ")" },
		ids:                jsonArray[int64],
		deferListing:       true,
		texts:              jsonArray[string],
		lockMigrations:     func(context.Context, *sql.Tx) error { return nil }, // BEGIN IMMEDIATE locks
		insertRecords:      sqliteInsertRecords,
		insertOperatorIDs:  sqliteInsertOperatorIDs,
		prepares:           true,
		queuedReservations: true,
		eraseChunk:         DefaultEraseChunk,
		scrub:              sqliteScrub,
		retryable:          func(error) bool { return false },
	}
}

// jsonArray renders values as a JSON array, the argument of json_each.
func jsonArray[T int64 | string](vs []T) any {
	b, _ := json.Marshal(vs) // ints and strings always marshal
	return string(b)
}

// The multi-row INSERTs, by row count. Row counts are powers of two up to
// maxRowsPerStatement, each prepared once on the writer connection (see
// wtx), so any batch is a few prepared statements and none is parsed on
// the hot path.
var sqliteRecordInserts, sqliteOpInserts = func() (map[int]string, map[int]string) {
	recs, ops := map[int]string{}, map[int]string{}
	for n := 1; n <= maxRowsPerStatement; n *= 2 {
		recs[n] = "INSERT OR IGNORE INTO advox_records (" + recordInsertCols + ") VALUES " +
			valuesList(n, recordInsertWidth) + " RETURNING rid, id"
		ops[n] = "INSERT INTO advox_operator_ids (rid, idx, transport, operator_id) VALUES " + valuesList(n, 4)
	}
	return recs, ops
}()

// chunk returns the largest prepared row count not above n.
func chunk(n int) int {
	c := 1
	for c*2 <= n && c*2 <= maxRowsPerStatement {
		c *= 2
	}
	return c
}

func sqliteInsertRecords(ctx context.Context, tx *wtx, rows []recordRow) (map[string]int64, error) {
	rids := make(map[string]int64, len(rows))
	args := make([]any, 0, min(len(rows), maxRowsPerStatement)*recordInsertWidth)
	for len(rows) > 0 {
		n := chunk(len(rows))
		args = args[:0]
		for i := range rows[:n] {
			args = rows[i].appendArgs(args)
		}
		rows = rows[n:]
		if err := collectRids(ctx, tx, sqliteRecordInserts[n], args, rids); err != nil {
			return nil, err
		}
	}
	return rids, nil
}

func sqliteInsertOperatorIDs(ctx context.Context, tx *wtx, rows []opRow) error {
	args := make([]any, 0, min(len(rows), maxRowsPerStatement)*4)
	for len(rows) > 0 {
		n := chunk(len(rows))
		args = args[:0]
		for _, o := range rows[:n] {
			args = append(args, o.rid, o.idx, o.transport, o.operatorID)
		}
		rows = rows[n:]
		if _, err := tx.exec(ctx, sqliteOpInserts[n], args...); err != nil {
			return err
		}
	}
	return nil
}

// valuesList renders n rows of width placeholders: (?,?),(?,?).
func valuesList(n, width int) string {
	row := "(" + strings.Repeat("?,", width-1) + "?)"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// sqliteBusy reports SQLite's "database is locked".
func sqliteBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
