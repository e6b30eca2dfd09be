package operatortest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// A message gets one automatic report: FaultReportBeforeResponse's early
// report is it, not a second "delivered" on top.
func TestAutoReportOncePerMessage(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer hook.Close()
	s := operatortest.NewServer(operatortest.GenericJSON, &operatortest.Options{AutoReport: true})
	submit := func() {
		req, err := http.NewRequest(http.MethodPost, s.URL()+"/messages",
			strings.NewReader(`{"to":"+46701234567","text":"hi","reference":"r","callback_url":"`+hook.URL+`/dlr"}`))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+operatortest.DefaultToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
	}
	s.Inject(operatortest.FaultReportBeforeResponse)
	submit()
	submit()
	s.Close() // waits for the automatic reports
	http.DefaultClient.CloseIdleConnections()
	perID := map[string]int{}
	for _, r := range s.Sent() {
		perID[r.ID]++
	}
	assert.Len(t, perID, 2)
	for id, n := range perID {
		assert.Equal(t, 1, n, "reports for %s", id)
	}
}

func TestSendReportErrors(t *testing.T) {
	s := operatortest.NewServer(operatortest.GenericJSON, nil)
	defer s.Close()
	_, err := s.SendReport(context.Background(), operatortest.Report{ID: "nope"})
	assert.Error(t, err)
	_, err = s.ReplayLastReport(context.Background())
	assert.Error(t, err)
}
