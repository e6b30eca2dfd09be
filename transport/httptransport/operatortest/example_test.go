package operatortest_test

import (
	"fmt"
	"net/http"
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
