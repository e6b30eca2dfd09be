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
	"github.com/azenna/advox/transport/httptransport/operatortest"
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

func TestWebhookAuthentication(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			h, tr := setup(t, d.profile(), d.dialect, harnessOptions{})
			reports := collect(tr)
			_, op := sent(t, h, tr)
			code := report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered, BadCredentials: true})
			assert.Equal(t, http.StatusUnauthorized, code)
			reports.none(t)
			assert.EqualValues(t, 1, tr.Stats().Unauthorized)
		})
	}
}

func TestHMACReplayAndStaleTimestamp(t *testing.T) {
	h, tr := setup(t, httptransport.GenericJSON(), operatortest.GenericJSON, harnessOptions{})
	reports := collect(tr)
	_, op := sent(t, h, tr)
	assert.Equal(t, http.StatusOK, report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusEnroute}))
	reports.next(t)
	code, err := h.sim.ReplayLastReport(context.Background())
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, code, "a replayed nonce is refused")
	code = report(t, h, operatortest.Report{ID: op.ID, Status: transport.StatusDelivered, StaleTimestamp: true})
	assert.Equal(t, http.StatusUnauthorized, code, "a timestamp outside the window is refused")
	reports.none(t)
	assert.EqualValues(t, 2, tr.Stats().Unauthorized)
}

func TestBasicAuthChallenge(t *testing.T) {
	p := httptransport.SinchBatches()
	p.Reports.Auth = httptransport.InboundBasic
	_, tr := setup(t, p, operatortest.Sinch, harnessOptions{})
	rec := httptest.NewRecorder()
	tr.Webhook().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dlr", strings.NewReader("{}")))
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Contains(t, rec.Header().Get("WWW-Authenticate"), "Basic")
}
