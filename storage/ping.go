package storage

import "context"

// Pinger is the optional interface of stores that can tell whether their
// database answers (the health of a store, for a readiness check). The
// Client type-asserts it; a store without it is taken to be reachable, so
// stores written before it keep working unchanged.
type Pinger interface {
	// Ping returns nil when the store answers, honouring ctx; it changes
	// nothing. After Close it fails with ErrClosed, and a store it cannot
	// reach fails with ErrUnavailable.
	Ping(ctx context.Context) error
}
