package operatortest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

var simNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// postBatch sends a batch to a Sinch simulator and returns the answer.
func postBatch(t *testing.T, s *operatortest.Server, batch map[string]any) (int, string) {
	t.Helper()
	b, err := json.Marshal(batch)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/batches", strings.NewReader(string(b)))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+operatortest.DefaultToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// The simulator refuses what "Batches – Send" refuses: recipients not in
// E.164, an invalid originator, a body over 2000 characters, callback_url
// and client_reference over 2048, an expire_at not after now or more than
// three days ahead.
func TestSinchStrict(t *testing.T) {
	cases := []struct {
		name  string
		batch map[string]any
		code  int
	}{
		{"valid", nil, 201},
		{"alphanumeric originator", map[string]any{"from": "Advox Ltd"}, 201},
		{"short code", map[string]any{"from": "72000"}, 201},
		{"originator too long", map[string]any{"from": "AdvoxLimited"}, 400},
		{"recipient not E.164", map[string]any{"to": []string{"0701234567"}}, 400},
		{"no body", map[string]any{"body": ""}, 400},
		{"body of 2000 characters", map[string]any{"body": strings.Repeat("ж", 2000)}, 201},
		{"body over 2000 characters", map[string]any{"body": strings.Repeat("a", 2001)}, 400},
		{"callback_url not a URL", map[string]any{"callback_url": "dlr"}, 400},
		{"client_reference too long", map[string]any{"client_reference": strings.Repeat("r", 2049)}, 400},
		{"expire_at three days ahead", map[string]any{"expire_at": "2025-03-17T15:09:26.000Z"}, 201},
		{"expire_at four days ahead", map[string]any{"expire_at": "2025-03-18T15:09:26.000Z"}, 400},
		{"expire_at past", map[string]any{"expire_at": "2025-03-14T15:00:00.000Z"}, 400},
		{"unknown delivery_report", map[string]any{"delivery_report": "all"}, 400},
	}
	s := operatortest.NewServer(operatortest.Sinch, &operatortest.Options{Now: func() time.Time { return simNow }})
	defer s.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			batch := map[string]any{"from": "Advox", "to": []string{"+46701234567"}, "body": "hi"}
			for k, v := range c.batch {
				batch[k] = v
			}
			code, body := postBatch(t, s, batch)
			assert.Equal(t, c.code, code, body)
			if code == 400 {
				assert.Contains(t, body, `"code":"syntax_constraint_violation"`)
			}
		})
	}
}

// Reports go as Sinch sends them: JSON to the batch's callback_url as
// given, with the basic auth the account is configured with, a final
// "Unknown", batch summaries and inbound messages.
func TestSinchCallbacks(t *testing.T) {
	type call struct {
		user, password string
		ok             bool
		body           map[string]any
		query          string
	}
	calls := make(chan call, 8)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c call
		c.user, c.password, c.ok = r.BasicAuth()
		c.query = r.URL.RawQuery
		json.NewDecoder(r.Body).Decode(&c.body)
		calls <- c
	}))
	defer hook.Close()
	s := operatortest.NewServer(operatortest.Sinch, &operatortest.Options{CallbackUser: "cb", CallbackPassword: "cb-password", Now: func() time.Time { return simNow }})
	defer s.Close()
	code, _ := postBatch(t, s, map[string]any{
		"from": "Advox", "to": []string{"+46701234567"}, "body": "hi", "client_reference": "m1",
		"delivery_report": "per_recipient", "callback_url": hook.URL + "/dlr?ref=m1&token=t",
	})
	require.Equal(t, http.StatusCreated, code)
	id := s.Received()[0].ID
	at := simNow.Add(-time.Minute)

	_, err := s.SendReport(context.Background(), operatortest.Report{ID: id, OperatorStatus: "Unknown", At: at})
	require.NoError(t, err)
	c := <-calls
	assert.True(t, c.ok)
	assert.Equal(t, []string{"cb", "cb-password"}, []string{c.user, c.password})
	assert.Equal(t, "ref=m1&token=t", c.query, "the callback_url exactly as given")
	assert.Equal(t, map[string]any{
		"type": "recipient_delivery_report_sms", "batch_id": id, "recipient": "46701234567", "code": float64(0),
		"status": "Unknown", "client_reference": "m1",
		"at": "2025-03-14T15:09:26.000Z", "operator_status_at": "2025-03-14T15:08:26.000Z",
	}, c.body)

	_, err = s.SendReport(context.Background(), operatortest.Report{ID: id, Status: transport.StatusEnroute})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"status": "Dispatched", "code": float64(401)}, pick((<-calls).body, "status", "code"))

	_, err = s.SendSummary(context.Background(), operatortest.Report{ID: id, Status: transport.StatusDelivered})
	require.NoError(t, err)
	assert.Equal(t, "delivery_report_sms", (<-calls).body["type"])

	_, err = s.SendInbound(context.Background(), hook.URL+"/mo", operatortest.Inbound{From: "+46701234567", To: "+46706860000", Text: "STOP"})
	require.NoError(t, err)
	mo := (<-calls).body
	assert.Equal(t, "mo_text", mo["type"])
	assert.Equal(t, "STOP", mo["body"])
}

func pick(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

func TestSinchPath(t *testing.T) {
	s := operatortest.NewServer(operatortest.Sinch, nil)
	defer s.Close()
	assert.True(t, strings.HasSuffix(s.URL(), "/xms/v1/sim-plan"))
	code, _ := get(t, s.URL()+"/nope")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = get(t, s.URL()+"/batches")
	assert.Equal(t, http.StatusMethodNotAllowed, code)
}
