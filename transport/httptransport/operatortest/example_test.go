package operatortest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// A simulator records what it accepts and answers injected faults in turn.
func ExampleNewServer() {
	s := operatortest.NewServer(operatortest.Kannel, nil)
	defer s.Close()
	s.Inject(operatortest.FaultThrottle)

	q := url.Values{
		"username": {operatortest.DefaultUser}, "password": {operatortest.DefaultPassword},
		"from": {"Advox"}, "to": {"+46701234567"}, "text": {"hello"},
	}
	for range 2 {
		resp, err := http.Get(s.URL() + "/cgi-bin/sendsms?" + q.Encode())
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	fmt.Println(s.Requests(), len(s.Received()))
	// Output:
	// 429
	// 202
	// 2 1
}

// An operator posting an inbound SMS the way 46elks documents it, here to
// an application endpoint.
func ExampleServer_SendInbound() {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		fmt.Println(r.Method, r.Form.Get("direction"), r.Form.Get("from"), r.Form.Get("message"))
	}))
	defer app.Close()
	s := operatortest.NewServer(operatortest.Elks46, nil)
	defer s.Close()
	code, err := s.SendInbound(context.Background(), app.URL+"/sms", operatortest.Inbound{
		From: "+46706861004", To: "+46706860000", Text: "Hello how are you?",
	})
	fmt.Println(code, err)
	// Output:
	// POST incoming +46706861004 Hello how are you?
	// 200 <nil>
}
