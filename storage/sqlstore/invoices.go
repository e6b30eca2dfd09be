package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/azenna/advox/storage"
)

// CreateInvoice stores an invoice in state storage.InvoiceOpen and links
// to it, with one UPDATE, the account's records created in its period
// that are visible at the store clock, not failed and not yet linked; it
// returns how many it linked. An existing id fails with
// storage.ErrExists; an invoice without id, account, period or time-bar
// with storage.ErrInvalid.
func (s *Store) CreateInvoice(ctx context.Context, inv storage.Invoice) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if inv.ID == "" || inv.Account == "" || !inv.PeriodStart.Before(inv.PeriodEnd) || inv.TimeBar.IsZero() {
		return 0, fmt.Errorf("sqlstore: invoice needs an id, an account, a period and a time-bar: %w", storage.ErrInvalid)
	}
	linked, err := runValue(s, ctx, "create invoice", func(ctx context.Context, tx *wtx) (int, error, error) {
		r, err := tx.exec(ctx, s.q.insertInvoice, inv.ID, inv.Account, encodeTime(inv.PeriodStart),
			encodeTime(inv.PeriodEnd), string(storage.InvoiceOpen), encodeTime(inv.IssuedAt),
			encodeTime(inv.TimeBar), encodeTime(time.Time{}))
		if err != nil {
			return 0, nil, err
		}
		if n, err := r.RowsAffected(); err != nil || n == 0 {
			return 0, fmt.Errorf("sqlstore: invoice: %w", storage.ErrExists), err
		}
		cond := append([]any{encodeTime(inv.PeriodStart), encodeTime(inv.PeriodEnd)}, visibleArgs(encodeTime(s.now()))...)
		args := append([]any{inv.ID}, s.d.ofAccountArgs(inv.Account, cond, -1, false)...)
		if r, err = tx.exec(ctx, s.q.linkInvoice, args...); err != nil {
			return 0, nil, err
		}
		n, err := r.RowsAffected()
		return int(n), nil, err
	})
	if err != nil {
		return 0, err
	}
	return linked, nil
}

// SetInvoiceState moves an invoice to state at time at and returns it. A
// final state never changes again: storage.ErrInvoiceFinal, with the
// invoice as it is. Open is not a state to move to (ErrInvoiceFinal too).
func (s *Store) SetInvoiceState(ctx context.Context, id string, state storage.InvoiceState, at time.Time) (storage.Invoice, error) {
	if err := ctx.Err(); err != nil {
		return storage.Invoice{}, err
	}
	if !state.Valid() || state == storage.InvoiceOpen {
		return storage.Invoice{}, fmt.Errorf("sqlstore: invoice state %q: %w", state, storage.ErrInvoiceFinal)
	}
	finalAt := time.Time{}
	if state.Final() {
		finalAt = at
	}
	return runValue(s, ctx, "set invoice state", func(ctx context.Context, tx *wtx) (storage.Invoice, error, error) {
		// The update only touches an invoice that is not final, so two
		// instances settling one invoice at once cannot both win.
		r, err := tx.exec(ctx, s.q.setInvoiceState, string(state), encodeTime(finalAt), id)
		if err != nil {
			return storage.Invoice{}, nil, err
		}
		n, err := r.RowsAffected()
		if err != nil {
			return storage.Invoice{}, nil, err
		}
		got, err := scanInvoice(tx.queryRow(ctx, s.q.invoice, id))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return storage.Invoice{}, fmt.Errorf("sqlstore: invoice: %w", storage.ErrNotFound), nil
		case err != nil:
			return storage.Invoice{}, nil, err
		}
		if n == 0 {
			return got, fmt.Errorf("sqlstore: invoice is %s: %w", got.State, storage.ErrInvoiceFinal), nil
		}
		return got, nil, nil
	})
}

// Invoice returns an invoice, or storage.ErrNotFound.
func (s *Store) Invoice(ctx context.Context, id string) (storage.Invoice, error) {
	var inv storage.Invoice
	err := s.withDB(ctx, "invoice", func(db *sql.DB) error {
		var err error
		inv, err = scanInvoice(db.QueryRowContext(ctx, s.q.invoice, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlstore: invoice: %w", storage.ErrNotFound)
		}
		return err
	})
	return inv, err
}

// scanInvoice reads a row selecting invoiceCols: sql.ErrNoRows from a
// *sql.Row that has none.
func scanInvoice(r rowScanner) (storage.Invoice, error) {
	var (
		inv                                  storage.Invoice
		state                                string
		start, end, issued, timeBar, finalAt int64
	)
	if err := r.Scan(&inv.ID, &inv.Account, &start, &end, &state, &issued, &timeBar, &finalAt); err != nil {
		return storage.Invoice{}, err
	}
	inv.State = storage.InvoiceState(state)
	inv.PeriodStart, inv.PeriodEnd = decodeTime(start), decodeTime(end)
	inv.IssuedAt, inv.TimeBar, inv.FinalAt = decodeTime(issued), decodeTime(timeBar), decodeTime(finalAt)
	return inv, nil
}
