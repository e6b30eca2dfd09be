package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// exampleConfig is a gateway with one SMPP operator (simulated) and a
// customer whose login is known.
const exampleConfig = `{
  "transports": [{"name": "smsc", "kind": "smpp", "country": "SE", "agreement": "2026-01-15"}],
  "routes": [{"name": "all", "transports": ["smsc"]}],
  "accounts": [{"account": "acme", "organisation": "Acme AB",
    "users": [{"id": "acme-api", "password": "correct-horse-battery", "allowed": ["127.0.0.1"]}]}]
}`

// Example_session is the README's curl session in Go: a customer sends an
// SMS, follows it to delivery, reads its usage, and erases its traffic.
func Example_session() {
	cfg, err := parseConfig([]byte(exampleConfig))
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "gateway-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	g, err := start(context.Background(), cfg, options{Addr: "127.0.0.1:0", DBPath: filepath.Join(dir, "gateway.db")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.shutdown(context.Background())
	hc := &http.Client{Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()

	// call makes one API request as acme-api and decodes the answer.
	call := func(method, path, body string, out any) int {
		req, err := http.NewRequest(method, g.url+path, strings.NewReader(body))
		if err != nil {
			return 0
		}
		req.SetBasicAuth("acme-api", "correct-horse-battery")
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/json") // required of every change
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0
		}
		defer resp.Body.Close()
		_ = json.NewDecoder(resp.Body).Decode(out)
		return resp.StatusCode
	}

	var sent sendResponse
	code := call("POST", "/v1/messages", `{"from":"Acme","to":"+46701740605","text":"Your code is 4711"}`, &sent)
	m := sent.Messages[0]
	fmt.Println("send:", code, m.To, m.Status, m.Segments, "segment", m.Encoding)

	var st messageStatus
	for st.Status != "delivered" {
		time.Sleep(10 * time.Millisecond)
		call("GET", "/v1/messages/"+m.ID, "", &st)
	}
	fmt.Println("status:", st.Status, "via", st.Transport)

	var u usageResponse
	call("GET", "/v1/usage", "", &u)
	fmt.Println("usage:", u.Messages, "message,", u.Delivered, "delivered")

	var e eraseResponse
	call("POST", "/v1/erase", "", &e)
	fmt.Println("erase:", e.Records, "record erased")
	fmt.Println("status after erase:", call("GET", "/v1/messages/"+m.ID, "", &struct{}{}))
	// Output:
	// send: 200 +4670*****05 accepted 1 segment gsm7
	// status: delivered via smpp:smsc
	// usage: 1 message, 1 delivered
	// erase: 1 record erased
	// status after erase: 404
}
