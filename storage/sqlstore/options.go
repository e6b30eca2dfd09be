package sqlstore

import (
	"runtime"
	"time"
)

// Defaults for the fields of Options left zero.
const (
	// DefaultMaxBatch caps how many queued writes share one transaction.
	DefaultMaxBatch = 256
	// DefaultQueueSize is how many writes may wait for the writer before
	// callers block (back-pressure).
	DefaultQueueSize = 4096
	// DefaultBusyTimeout is how long a SQLite connection waits for a lock
	// held by another process before failing with ErrUnavailable.
	DefaultBusyTimeout = 5 * time.Second
	// DefaultPurgeChunk is how many records one purge transaction
	// deletes, so that a large purge never holds the writer for long (on
	// SQLite a chunk takes about 0.1–0.2 s; DestroyKeys and Record wait
	// at most that).
	DefaultPurgeChunk = 10000
	// DefaultEraseChunk is how many records one erase transaction deletes
	// on SQLite. An account's records are spread over the whole table, so
	// each costs several times a purged one there: the smaller chunk keeps
	// the transaction about as short. (PostgreSQL erases DefaultPurgeChunk
	// at a time: there DestroyKeys and Record do not wait for the writer.)
	DefaultEraseChunk = 2000
)

// Options tunes a store. The zero value (or nil) means the defaults.
type Options struct {
	// Now is the store clock that decides which records are still
	// visible on read (storage.Visible), which bodies are withheld, and
	// which records CreateInvoice and EraseAccount's usage count. Purge
	// takes its instant as an argument. Default time.Now.
	Now func() time.Time
	// MaxBatch caps the writes committed in one transaction. Default
	// DefaultMaxBatch.
	MaxBatch int
	// QueueSize bounds the writes waiting for the writer; further callers
	// block until there is room or their ctx ends. Default DefaultQueueSize.
	QueueSize int
	// PurgeChunk is how many records one purge transaction deletes.
	// Default DefaultPurgeChunk.
	PurgeChunk int
	// EraseChunk is how many records one erase transaction deletes.
	// Default DefaultEraseChunk on SQLite, DefaultPurgeChunk on
	// PostgreSQL.
	EraseChunk int
	// Readers is the number of SQLite read connections. Default
	// max(4, GOMAXPROCS). PostgreSQL uses its pool's size instead.
	Readers int
	// KeysPath is the SQLite file that keeps the accounts' wrapped data
	// keys, apart from the traffic so that backups of the traffic hold no
	// key (see sqlite.Open). Default: the traffic file's path + ".keys".
	// PostgreSQL ignores it.
	KeysPath string
	// KeysDSN is the PostgreSQL database that keeps the accounts' wrapped
	// data keys, apart from the traffic (see postgres.Open). Empty: the
	// traffic database keeps them. SQLite ignores it.
	KeysDSN string
	// BusyTimeout is SQLite's wait for a lock held by another process.
	// Default DefaultBusyTimeout.
	BusyTimeout time.Duration
}

// withDefaults returns a copy of o (which may be nil) with zero fields set
// to their defaults.
func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.MaxBatch <= 0 {
		r.MaxBatch = DefaultMaxBatch
	}
	if r.QueueSize <= 0 {
		r.QueueSize = DefaultQueueSize
	}
	if r.PurgeChunk <= 0 {
		r.PurgeChunk = DefaultPurgeChunk
	}
	if r.Readers <= 0 {
		r.Readers = max(4, runtime.GOMAXPROCS(0))
	}
	if r.BusyTimeout <= 0 {
		r.BusyTimeout = DefaultBusyTimeout
	}
	return r
}
