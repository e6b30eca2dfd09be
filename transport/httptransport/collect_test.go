package httptransport_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
)

// reportLog collects the reports a transport forwards.
type reportLog struct{ ch chan transport.Report }

func collect(tr *httptransport.Transport) *reportLog {
	l := &reportLog{ch: make(chan transport.Report, 64)}
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error { l.ch <- r; return nil })
	return l
}

// next waits for the next forwarded report.
func (l *reportLog) next(t *testing.T) transport.Report {
	t.Helper()
	select {
	case r := <-l.ch:
		return r
	case <-time.After(5 * time.Second):
		require.FailNow(t, "no report forwarded")
	}
	return transport.Report{}
}

// none checks that nothing more is forwarded for a short while.
func (l *reportLog) none(t *testing.T) {
	t.Helper()
	select {
	case r := <-l.ch:
		require.FailNow(t, "unexpected report", "%+v", r)
	case <-time.After(50 * time.Millisecond):
	}
}
