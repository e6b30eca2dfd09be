package operatortest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// Kannel's %A is the SMSC's receipt text: in the SMPP 3.4 appendix B form
// with both dates, and with the stat and dlvrd of the report being sent,
// not "delivered" whatever happened.
func TestKannelReceiptTextFollowsTheStatus(t *testing.T) {
	calls := make(chan *http.Request, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls <- r }))
	defer hook.Close()
	s := operatortest.NewServer(operatortest.Kannel, nil)
	defer s.Close()
	q := url.Values{
		"username": {operatortest.DefaultUser}, "password": {operatortest.DefaultPassword},
		"from": {"Advox"}, "to": {"+46701234567"}, "text": {"Hello there"}, "dlr-mask": {"31"},
		"dlr-url": {hook.URL + "/dlr?ref=m1&reply=%A"},
	}
	code, _ := get(t, s.URL()+"/cgi-bin/sendsms?"+q.Encode())
	require.Equal(t, http.StatusAccepted, code)
	id := s.Received()[0].ID
	at := time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)
	tests := []struct {
		status transport.Status
		code   string
		want   string
	}{
		{transport.StatusDelivered, "", "id:" + id + " sub:001 dlvrd:001 submit date:2403051407 done date:2403051407 stat:DELIVRD err:000 text:Hello there"},
		{transport.StatusUndeliverable, "034", "id:" + id + " sub:001 dlvrd:000 submit date:2403051407 done date:2403051407 stat:UNDELIV err:034 text:Hello there"},
		{transport.StatusExpired, "", "stat:EXPIRED err:000"},
		{transport.StatusRejected, "", "stat:REJECTD"},
		{transport.StatusEnroute, "", "stat:ENROUTE"},
		{transport.StatusAccepted, "", "stat:ACCEPTD"},
		{transport.StatusDeleted, "", "stat:DELETED"},
		{transport.StatusUnknown, "", "stat:UNKNOWN"},
	}
	for _, tc := range tests {
		t.Run(string(tc.status), func(t *testing.T) {
			_, err := s.SendReport(context.Background(), operatortest.Report{ID: id, Status: tc.status, ErrorCode: tc.code, At: at})
			require.NoError(t, err)
			reply := (<-calls).URL.Query().Get("reply")
			assert.Contains(t, reply, tc.want)
		})
	}
}
