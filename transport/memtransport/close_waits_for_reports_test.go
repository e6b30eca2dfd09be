package memtransport_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// Close must not return while a report handler the transport started is
// still running — whether the report came through Report or was scheduled
// by Options.ReportStatus — so that whoever closes a store right after
// Close (the Client) never races a handler still writing to it.
func TestCloseWaitsForRunningReportHandlers(t *testing.T) {
	tests := []struct {
		name    string
		cfg     *memtransport.Options
		trigger func(t *testing.T, tr *memtransport.Transport)
	}{
		{"Report", nil, func(t *testing.T, tr *memtransport.Transport) {
			go tr.Report(context.Background(), transport.Report{OperatorID: "x", Status: transport.StatusDelivered})
		}},
		{"scheduled", &memtransport.Options{ReportStatus: transport.StatusDelivered}, func(t *testing.T, tr *memtransport.Transport) {
			_, err := tr.Submit(context.Background(), msg("x"))
			require.NoError(t, err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := memtransport.New(tt.cfg)
			entered, release, returned := make(chan struct{}), make(chan struct{}), make(chan struct{})
			tr.SetReportHandler(func(context.Context, transport.Report) error {
				close(entered)
				<-release
				close(returned)
				return nil
			})
			tt.trigger(t, tr)
			select {
			case <-entered:
			case <-time.After(10 * time.Second):
				t.Fatal("the handler was never called")
			}

			closed := make(chan struct{})
			go func() {
				defer close(closed)
				assert.NoError(t, tr.Close())
			}()
			select {
			case <-closed:
				t.Error("Close returned while a report handler was still running")
			case <-time.After(50 * time.Millisecond):
			}
			close(release)
			<-closed
			select {
			case <-returned:
			default:
				t.Error("Close returned before the handler did")
			}
		})
	}
}
