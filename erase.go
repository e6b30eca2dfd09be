package advox

import (
	"context"
	"sync"
	"time"

	"github.com/azenna/advox/audit"
)

// EraseReason says why an account's traffic is erased. The set is closed
// so that the audit trail never carries free text.
type EraseReason string

// The erase reasons.
const (
	// EraseOnRequest: the customer asked for its traffic to be erased.
	EraseOnRequest EraseReason = "customer-request"
	// EraseAccountClosed: the account is being deleted.
	EraseAccountClosed EraseReason = "account-closed"
)

// EraseReport says what an erase did: counts and durations only.
type EraseReport struct {
	// Account is the erased account's id.
	Account string
	// Reason is why it was erased, as given to EraseAccountTraffic.
	Reason EraseReason
	// KeysDestroyed is how many data keys were destroyed; from then on,
	// every copy of the account's sealed data, backups included, is
	// unreadable.
	KeysDestroyed int
	// UnreadableAfter is how long it took until the keys were gone.
	UnreadableAfter time.Duration
	// Records is how many per-message records were deleted.
	Records int
}

// EraseAccountTraffic erases every per-message record of the account at
// once, keeping only its aggregate usage per calendar month so billing
// survives. It destroys the account's data keys first (crypto-shredding),
// so that copies, replicas and backups become unreadable immediately, then
// deletes the rows. Sends to the account in flight in this Client are
// waited for and erased too; later sends are recorded after the erase,
// under a new key (a deletion through Options.Accounts closes the account
// to them first: see AccountSource.ReserveSegments).
func (c *Client) EraseAccountTraffic(ctx context.Context, account string, reason EraseReason) (EraseReport, error) {
	const op = "erase"
	if err := ValidateAccountID(account); err != nil {
		return EraseReport{}, err
	}
	if reason != EraseOnRequest && reason != EraseAccountClosed {
		return EraseReport{}, newError(op, CodeInvalidArgument, "reason: must be %q or %q", EraseOnRequest, EraseAccountClosed)
	}
	if err := c.begin(op); err != nil {
		return EraseReport{}, err
	}
	defer c.sends.Done()

	// Sends hold the lock's read side from before their submit until
	// their record is written: the erase waits for them and erases their
	// records too.
	lock := c.erasing.of(account)
	lock.Lock()
	defer lock.Unlock()
	rep := EraseReport{Account: account, Reason: reason}
	start := time.Now()
	n, err := c.keys.Destroy(ctx, account)
	if err != nil {
		return rep, wrap(op, err)
	}
	rep.KeysDestroyed, rep.UnreadableAfter = n, time.Since(start)
	rep.Records, err = c.store.EraseAccount(context.WithoutCancel(ctx), account)
	c.tel.ErasedRecords(ctx, rep.Records, string(reason))
	c.audit.Audit(ctx, audit.Event{Time: c.now(), Action: "erase:" + string(reason), Actor: audit.ActorFrom(ctx), Account: account, Count: rep.Records})
	if err != nil {
		// The keys are gone (the records are unreadable); some records
		// are not deleted yet: erasing again finishes it.
		c.log.Error("advox: account traffic erase incomplete: keys destroyed, records left", "account", account,
			"reason", string(reason), "records", rep.Records, "keys", rep.KeysDestroyed, "error", err)
		return rep, wrap(op, err)
	}
	c.log.Info("advox: account traffic erased", "account", account, "reason", string(reason),
		"records", rep.Records, "keys", rep.KeysDestroyed, "unreadable_after", rep.UnreadableAfter)
	return rep, nil
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
