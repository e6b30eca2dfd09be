package accounts

import (
	"context"
	"errors"
	"sync"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/storage"
)

// deletion is what Delete needs beyond the store: the Clients whose
// traffic it erases, and the accounts it has closed to new sends.
type deletion struct {
	mu      sync.RWMutex // read by every reservation (isClosed)
	clients map[*advox.Client]struct{}
	closed  map[string]bool
}

// Attach makes Delete erase the traffic of deleted accounts on c too,
// until detach is called (advox.ClientAttacher): NewClient attaches a
// Client to its Options.Accounts, Close detaches it.
func (a *Accounts) Attach(c *advox.Client) (detach func()) {
	d := &a.deleting
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.clients == nil {
		d.clients = make(map[*advox.Client]struct{})
	}
	d.clients[c] = struct{}{}
	return func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		delete(d.clients, c)
	}
}

// clientsNow returns the attached Clients.
func (a *Accounts) clientsNow() []*advox.Client {
	d := &a.deleting
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]*advox.Client, 0, len(d.clients))
	for c := range d.clients {
		out = append(out, c)
	}
	return out
}

// erasesTraffic reports whether Delete has somewhere to erase traffic:
// a Client using these Accounts, or the EraseTraffic option.
func (a *Accounts) erasesTraffic() bool {
	return a.opts.EraseTraffic != nil || len(a.clientsNow()) > 0
}

// closeSends closes the account to new sends in this process, for good:
// its id is retired with it (see storage.AccountStore.DeleteAccount).
func (a *Accounts) closeSends(account string) {
	d := &a.deleting
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed == nil {
		d.closed = make(map[string]bool)
	}
	d.closed[account] = true
}

// isClosed reports whether Delete has closed the account to sends
// (ReserveSegments refuses it).
func (a *Accounts) isClosed(account string) bool {
	d := &a.deleting
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.closed[account]
}

// Delete removes an account: first it closes the account to new sends,
// then erases its traffic on every Client that uses these Accounts
// (advox.Options.Accounts) and through the EraseTraffic option, then
// removes its customer data (users, contacts, consents, usage counters).
// Each Client's erase waits for the account's sends under way — they hold
// the account's send lock from before their submit until their record is
// written — and erases their records with the rest; later sends find the
// account closed when they reserve its segments (ReserveSegments, under
// that lock) and are refused with ErrNotFound, so that no record of the
// account survives. The account id is retired: no later customer gets it,
// nor the usage aggregates its erased traffic left for billing.
//
// Delete refuses to run (CodeUnavailable) when there is neither a Client
// using these Accounts nor EraseTraffic, since the traffic would stay. If
// an erase fails nothing else is removed and the account stays closed to
// sends: Delete can be retried.
func (a *Accounts) Delete(ctx context.Context, account string) error {
	const op = "delete account"
	c, err := a.store.GetAccount(ctx, account)
	if err != nil {
		return wrap(op, err)
	}
	clients := a.clientsNow()
	if len(clients) == 0 && a.opts.EraseTraffic == nil {
		return errs.New(op, advox.CodeUnavailable, "nowhere to erase the account's traffic: use these Accounts in a Client "+
			"(advox.Options.Accounts) or set Options.EraseTraffic")
	}
	// Closed before any erase takes a Client's send lock: every send that
	// takes the lock after the erase finds the account closed, and those
	// holding it are waited for and erased.
	a.closeSends(account)
	for _, cl := range clients {
		if _, err := cl.EraseAccountTraffic(ctx, account, advox.EraseAccountClosed); err != nil {
			return wrap(op, err)
		}
	}
	if a.opts.EraseTraffic != nil {
		if err := a.opts.EraseTraffic(ctx, account); err != nil {
			return wrap(op, err)
		}
	}
	if err := a.store.DeleteAccount(ctx, account); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return wrap(op, err)
	}
	for _, u := range c.Users {
		a.fails.resetUser(u.ID)
	}
	a.record(ctx, "delete account", account)
	return nil
}
