package httptransport_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
)

// TestHMACReplayAtWindowEdge replays a signed report whose timestamp sits
// exactly at the edge of the replay window: the timestamp check still
// lets it through, so the nonce must still be remembered.
func TestHMACReplayAtWindowEdge(t *testing.T) {
	now := time.Unix(1700000000, 0)
	const window = 5 * time.Minute
	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.GenericJSON(), BaseURL: "http://127.0.0.1:1",
		Credentials: httptransport.Credentials{Token: "t"},
		CallbackURL: "http://127.0.0.1:2/dlr",
		Webhook: httptransport.WebhookConfig{
			Secret: hookSecret, ReplayWindow: window,
			Now: func() time.Time { return now },
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { tr.Close() })
	tr.SetReportHandler(func(context.Context, transport.Report) error { return nil })

	for _, at := range []time.Time{now.Add(-window), now.Add(window)} {
		ts := strconv.FormatInt(at.Unix(), 10)
		nonce := "edge-" + ts
		body := `{"id":"gw-1","status":"delivered"}`
		do := func() int {
			req := httptest.NewRequest(http.MethodPost, "http://advox.test/dlr", strings.NewReader(body))
			req.Header.Set(httptransport.DefaultTimestampHeader, ts)
			req.Header.Set(httptransport.DefaultNonceHeader, nonce)
			req.Header.Set(httptransport.DefaultSignatureHeader,
				hex.EncodeToString(httptransport.Sign(hookSecret, ts, nonce, []byte(body))))
			rec := httptest.NewRecorder()
			tr.Webhook().ServeHTTP(rec, req)
			return rec.Code
		}
		require.Equal(t, http.StatusOK, do(), "first delivery at %s", ts)
		assert.Equal(t, http.StatusUnauthorized, do(), "replay of the nonce at %s", ts)
	}
}
