package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/azenna/advox/storage"
)

// mapErr maps a driver error onto the storage contract: context errors
// pass through, errors already carrying a storage sentinel are kept, and
// anything else becomes storage.ErrUnavailable with the driver's error
// still reachable through errors.As. Driver messages name tables and
// constraints, never the values of a row.
func mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrExists),
		errors.Is(err, storage.ErrClosed), errors.Is(err, storage.ErrUnavailable),
		errors.Is(err, storage.ErrErased), errors.Is(err, storage.ErrInvoiceFinal),
		errors.Is(err, storage.ErrInvalid):
		return err
	}
	return fmt.Errorf("sqlstore: %s: %w: %w", op, storage.ErrUnavailable, err)
}

// errClosed is the error of every call after Close.
func errClosed(op string) error {
	return fmt.Errorf("sqlstore: %s: %w", op, storage.ErrClosed)
}
