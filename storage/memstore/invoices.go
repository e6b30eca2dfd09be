package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/azenna/advox/storage"
)

// CreateInvoice implements storage.TrafficStore.
func (s *Store) CreateInvoice(ctx context.Context, inv storage.Invoice) (int, error) {
	if inv.ID == "" || inv.Account == "" || !inv.PeriodStart.Before(inv.PeriodEnd) || inv.TimeBar.IsZero() {
		return 0, fmt.Errorf("memstore: invoice needs an id, an account, a period and a time-bar: %w", storage.ErrInvalid)
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	if _, ok := s.invoices[inv.ID]; ok {
		return 0, fmt.Errorf("memstore: invoice %s: %w", inv.ID, storage.ErrExists)
	}
	inv.State, inv.FinalAt = storage.InvoiceOpen, time.Time{}
	s.invoices[inv.ID] = &inv
	n := 0
	for r := range s.matching(storage.Query{Account: inv.Account, From: inv.PeriodStart, To: inv.PeriodEnd}) {
		if r.InvoiceID == "" && !r.Failed() {
			r.InvoiceID = inv.ID
			n++
		}
	}
	return n, nil
}

// SetInvoiceState implements storage.TrafficStore.
func (s *Store) SetInvoiceState(ctx context.Context, id string, state storage.InvoiceState, at time.Time) (storage.Invoice, error) {
	if !state.Valid() || state == storage.InvoiceOpen {
		return storage.Invoice{}, fmt.Errorf("memstore: invoice state %q: %w", state, storage.ErrInvoiceFinal)
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return storage.Invoice{}, err
	}
	defer unlock()
	inv, ok := s.invoices[id]
	if !ok {
		return storage.Invoice{}, fmt.Errorf("memstore: invoice %s: %w", id, storage.ErrNotFound)
	}
	if inv.State.Final() {
		return *inv, fmt.Errorf("memstore: invoice %s is %s: %w", id, inv.State, storage.ErrInvoiceFinal)
	}
	inv.State = state
	if state.Final() {
		inv.FinalAt = at
	}
	return *inv, nil
}

// Invoice implements storage.TrafficStore.
func (s *Store) Invoice(ctx context.Context, id string) (storage.Invoice, error) {
	unlock, err := s.rlock(ctx)
	if err != nil {
		return storage.Invoice{}, err
	}
	defer unlock()
	inv, ok := s.invoices[id]
	if !ok {
		return storage.Invoice{}, fmt.Errorf("memstore: invoice %s: %w", id, storage.ErrNotFound)
	}
	return *inv, nil
}
