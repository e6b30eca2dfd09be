package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
)

// partialTransport takes the first part of every message and then fails
// the rest with err: the operator has part of the message.
type partialTransport struct{ err error }

func (partialTransport) Name() string { return "partial" }
func (partialTransport) Local() bool  { return true }
func (partialTransport) Close() error { return nil }
func (p partialTransport) Submit(context.Context, *transport.Message) (transport.Result, error) {
	return transport.Result{}, &transport.PartialError{Accepted: []string{"op-1"}, Err: p.err}
}

// unrecordableStore fails every Record: the message went out, its record
// could not be written.
type unrecordableStore struct{ *memstore.Store }

func (unrecordableStore) Record(context.Context, ...storage.Record) error {
	return fmt.Errorf("disk gone: %w", storage.ErrUnavailable)
}

// A message the operator took part of must never be answered with a
// status a client retries on (503, 429, 5xx), even when its record could
// not be written and the library's error says "unavailable": retrying
// would send the accepted parts again. It is 202 with the receipt and a
// warning that says part of it went.
func TestSendRecordedMessageNeverRetryable(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		recordable bool
	}{
		{"rest rejected", fmt.Errorf("bad part: %w", transport.ErrRejected), false},
		{"rest throttled", fmt.Errorf("slow down: %w", transport.ErrThrottled), false},
		// Recorded and incomplete: warned as of an unknown outcome, which
		// it is not (part 1 is out for sure, the rest never went).
		{"rest throttled, recorded", fmt.Errorf("slow down: %w", transport.ErrThrottled), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var store storage.TrafficStore = unrecordableStore{memstore.New(nil)}
			if tc.recordable {
				store = memstore.New(nil)
			}
			client, err := advox.NewClient(partialTransport{tc.err}, store, &advox.Options{Logger: slog.New(slog.DiscardHandler)})
			require.NoError(t, err)
			t.Cleanup(func() { _ = client.Close() })
			cfg, err := parseConfig([]byte(testConfigJSON))
			require.NoError(t, err)
			a := &api{client: client, cfg: cfg, log: slog.New(slog.DiscardHandler), now: time.Now}

			body := `{"from":"Advox","to":"+46701740605","text":"` + strings.Repeat("x", 200) + `"}` // two parts
			w := httptest.NewRecorder()
			a.send(w, httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(body)),
				accounts.Principal{Account: "demo", User: "demo"})

			var out sendResponse
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
			require.Len(t, out.Messages, 1)
			m := out.Messages[0]
			require.NotEmpty(t, m.ID, "the message reached the operator")
			assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
			assert.Empty(t, w.Header().Get("Retry-After"))
			require.NotNil(t, m.Error)
			assert.Equal(t, "incomplete", m.Error.Code)
			assert.Equal(t, incompleteWarning, m.Warning)
			assert.Equal(t, `199 advox "`+incompleteWarning+`"`, w.Header().Get("Warning"))
		})
	}
}
