package advox

import (
	"context"
	"errors"
	"sync"

	"github.com/azenna/advox/storage"
)

// trafficEraser is a Client as Accounts.Delete sees it: it erases an
// account's traffic, running closeSends under the account's send lock
// before anything is erased.
type trafficEraser interface {
	eraseClosed(ctx context.Context, account string, closeSends func()) error
}

// deletion is what Delete needs beyond the store: the Clients whose
// traffic it erases, and the accounts it has closed to new sends.
type deletion struct {
	mu      sync.RWMutex // read by every send (isClosed)
	erasers map[trafficEraser]struct{}
	closed  map[string]bool
}

// attach makes Delete erase through e until detach is called. NewClient
// attaches a Client to its Options.Accounts, Close detaches it.
func (a *Accounts) attach(e trafficEraser) (detach func()) {
	d := &a.deleting
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.erasers == nil {
		d.erasers = make(map[trafficEraser]struct{})
	}
	d.erasers[e] = struct{}{}
	return func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		delete(d.erasers, e)
	}
}

// erasersNow returns the attached Clients.
func (a *Accounts) erasersNow() []trafficEraser {
	d := &a.deleting
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]trafficEraser, 0, len(d.erasers))
	for e := range d.erasers {
		out = append(out, e)
	}
	return out
}

// erasesTraffic reports whether Delete has somewhere to erase traffic:
// a Client using these Accounts, or the EraseTraffic option.
func (a *Accounts) erasesTraffic() bool {
	return a.opts.EraseTraffic != nil || len(a.erasersNow()) > 0
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

// isClosed reports whether Delete has closed the account to sends.
func (a *Accounts) isClosed(account string) bool {
	d := &a.deleting
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.closed[account]
}

// Delete removes an account: first it closes the account to new sends,
// then erases its traffic on every Client that uses these Accounts
// (Options.Accounts) and through the EraseTraffic option, then removes its
// customer data (users, contacts, consents, usage counters). On each
// Client the account is closed under the lock its sends hold from before
// their submit until their record is written, before the erase starts:
// sends under way are waited for and erased with the rest, later ones are
// refused with ErrNotFound, so that no record of the account survives.
// The account id is retired: no later customer gets it, nor the usage
// aggregates its erased traffic left for billing.
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
	erasers := a.erasersNow()
	if len(erasers) == 0 && a.opts.EraseTraffic == nil {
		return newError(op, CodeUnavailable, "nowhere to erase the account's traffic: use these Accounts in a Client "+
			"(Options.Accounts) or set AccountsOptions.EraseTraffic")
	}
	// Closed at once, for a Client attached after the list was taken;
	// and again under each Client's send lock, which is what orders the
	// closing against that Client's sends.
	closeSends := func() { a.closeSends(account) }
	closeSends()
	for _, e := range erasers {
		if err := e.eraseClosed(ctx, account, closeSends); err != nil {
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
