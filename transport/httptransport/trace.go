package httptransport

import (
	"context"
	"errors"
	"io"
	"net/http/httptrace"
	"sync/atomic"
)

// writeTrace records whether a request was completely written, which is
// what separates "never sent, safe to retry" from "outcome unknown".
type writeTrace struct{ done atomic.Bool }

func newWriteTrace() *writeTrace { return &writeTrace{} }

// attach returns ctx carrying the trace hook.
func (w *writeTrace) attach(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				w.done.Store(true)
			}
		},
	})
}

// wrote reports whether the whole request went out.
func (w *writeTrace) wrote() bool { return w.done.Load() }

var errTooLarge = errors.New("answer larger than the limit")

// readLimited reads at most limit bytes of r; a longer body yields the
// first limit bytes and errTooLarge.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return b[:limit], errTooLarge
	}
	return b, nil
}
