package advox

import (
	"cmp"
	"crypto/rand"
	"sync"

	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
)

// initPrivacy sets up sealing, the blind index and the audit trail.
func (c *Client) initPrivacy() error {
	const op = "new client"
	o := &c.opts
	keys := o.Keys
	if ks, ok := c.store.(storage.KeyStore); ok && keys != nil && any(keys) != any(ks) {
		if _, own := c.store.(interface{ KeysApart() bool }); own {
			// sqlstore checks every record against its own keyring, in
			// the recording transaction: under a keyring apart it would
			// refuse them all, after the messages went out.
			return newError(op, CodeInvalidArgument, "the store keeps a keyring of its own and records only under its keys: "+
				"leave Options.Keys unset (sqlstore keeps its keys apart with its KeysPath or KeysDSN)")
		}
	}
	if keys == nil {
		ks, ok := c.store.(storage.KeyStore)
		if !ok {
			return newError(op, CodeInvalidArgument, "the store keeps no data keys: set Options.Keys")
		}
		keys = ks
		if a, ok := c.store.(interface{ KeysApart() bool }); ok && !a.KeysApart() {
			if !o.KeysInTrafficDatabase {
				return newError(op, CodeInvalidArgument, "the store keeps the data keys in the traffic database, "+
					"so its backups would stay readable after an erase: keep them apart (sqlstore.Options.KeysDSN), "+
					"or accept it with Options.KeysInTrafficDatabase")
			}
			c.log.Warn("advox: data keys are kept in the traffic database, so its backups stay readable after an erase")
		}
	}
	if o.KEK != nil && o.IndexKey == nil {
		// Records sealed under a configured KEK outlive a restart; a
		// per-process index key would not, and FindByRecipient would miss
		// every record from before it.
		return newError(op, CodeInvalidArgument, "a KEK needs an IndexKey from configuration too (at least %d bytes): "+
			"with a per-process one, FindByRecipient misses every record from before a restart", keyring.MinIndexKeyLen)
	}
	kek := o.KEK
	if kek == nil {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return err
		}
		k, err := keyring.NewStaticKEK(raw)
		if err != nil {
			return err
		}
		kek = k
		if !inMemory(c.store) && !inMemory(keys) {
			// Only worth a word when something outlives the process.
			c.log.Warn("advox: no KEK configured; traffic is sealed under a per-process key and unreadable after restart")
		}
	}
	idx := o.IndexKey
	if idx == nil {
		idx = make([]byte, keyring.MinIndexKeyLen)
		if _, err := rand.Read(idx); err != nil {
			return err
		}
	}
	index, err := keyring.NewBlindIndex(idx)
	if err != nil {
		return newError(op, CodeInvalidArgument, "IndexKey must be at least %d bytes", keyring.MinIndexKeyLen)
	}
	if o.BodyRetention <= 0 {
		o.BodyRetention = DefaultBodyRetention
	}
	c.keys = keyring.New(kek, keys, c.now)
	c.index = index
	c.audit = o.Auditor
	if c.audit == nil {
		c.audit = audit.Default(c.log)
	}
	return nil
}

// Processing describes what the Client does with traffic data, as
// configured, for the record of processing (processing.NewRecord): its
// sub-processor register, retention policy, audit trail, keys and kept
// bodies.
func (c *Client) Processing() *processing.Traffic {
	p := c.opts.Retention
	return &processing.Traffic{
		Processors: c.opts.Processors,
		Retention: processing.Retention{Months: p.months(),
			ConsumerTimeBarYears: cmp.Or(p.ConsumerTimeBarYears, DefaultConsumerTimeBarYears),
			BusinessTimeBarYears: cmp.Or(p.BusinessTimeBarYears, DefaultBusinessTimeBarYears)},
		Audited: c.opts.Auditor != nil, KEK: c.opts.KEK != nil,
		KeepBodies: c.opts.KeepBodies, BodyRetention: c.opts.BodyRetention,
	}
}

// inMemory reports whether s keeps nothing beyond the process (memstore
// says so with an InMemory method).
func inMemory(s any) bool {
	m, ok := s.(interface{ InMemory() bool })
	return ok && m.InMemory()
}

// lockSend takes the account's send lock for a send, from before its
// submit until its record is written. An erase takes the write side: it
// waits for the sends under way and erases their records too. A deletion
// closes the account before its erase begins, and every send that takes
// the lock after it finds the account closed when it reserves its
// segments (AccountSource.ReserveSegments), so that nothing is sent or
// recorded for a deleted customer. The caller read-unlocks the lock it
// returns.
func (c *Client) lockSend(account string) *sync.RWMutex {
	l := c.erasing.of(account)
	l.RLock()
	return l
}

// accountLocks orders sends against erases of the same account in this
// process: a send holds a read lock from before its submit until it is
// recorded, an erase holds the write lock, so a send is either erased too
// or recorded after the erase under a fresh key. (Across processes the
// store refuses records sealed under a destroyed key, and the Client
// reseals.)
type accountLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.RWMutex
}

func (a *accountLocks) of(account string) *sync.RWMutex {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.locks == nil {
		a.locks = make(map[string]*sync.RWMutex)
	}
	l, ok := a.locks[account]
	if !ok {
		l = new(sync.RWMutex)
		a.locks[account] = l
	}
	return l
}
