package httptransport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"time"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// Sending through Kannel's sendsms interface (here the simulator).
func ExampleNew() {
	sim := operatortest.NewServer(operatortest.Kannel, nil)
	defer sim.Close()

	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.Kannel(),
		BaseURL: sim.URL(),
		Credentials: httptransport.Credentials{
			User: operatortest.DefaultUser, Password: operatortest.DefaultPassword,
		},
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()

	res, err := tr.Submit(context.Background(), &transport.Message{
		ID:       "msg-1",
		From:     transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
		To:       "+46701234567",
		Encoding: transport.UCS2,
		Parts:    []string{"Hej då 👋"},
	})
	// Kannel answers no id: each part gets the transport's own.
	fmt.Println(tr.Name(), res.OperatorIDs, err)
	got := sim.Received()[0]
	fmt.Println(got.To, got.Encoding, got.Text)
	// Output:
	// http:kannel [msg-1.1] <nil>
	// +46701234567 ucs2 Hej då 👋
}

// Sending the rest of a message after Kannel refused its second part for
// load: the Client does this by itself, here it is by hand.
func ExampleTransport_SubmitParts() {
	sim := operatortest.NewServer(operatortest.Kannel, nil)
	defer sim.Close()
	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.Kannel(),
		BaseURL: sim.URL(),
		Credentials: httptransport.Credentials{
			User: operatortest.DefaultUser, Password: operatortest.DefaultPassword,
		},
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()

	sim.Inject(operatortest.FaultNone, operatortest.FaultNotAccepted) // part 2: "Temporal failure"
	m := &transport.Message{
		ID: "msg-3", From: transport.Sender{Value: "Advox"}, To: "+46701234567",
		Encoding: transport.GSM7, Concat: transport.Concat8,
		Parts: []string{strings.Repeat("a", 153), strings.Repeat("b", 153), "end"},
	}
	_, err = tr.Submit(context.Background(), m)
	var pe *transport.PartialError
	if !errors.As(err, &pe) || !pe.Resumable || !transport.SafeToRetry(pe.Err) {
		panic(err)
	}
	fmt.Println("accepted:", pe.Accepted)

	// Parts 2 and 3 (indices 1 and 2), under the reference part 1 carried.
	res, err := tr.SubmitParts(context.Background(), m, transport.Parts{Ref: pe.Ref, Indices: []int{1, 2}})
	fmt.Println("then:", res.OperatorIDs, err)
	for _, got := range sim.Received() {
		fmt.Printf("part %d of %d, reference shared: %t\n", got.Part, got.Parts, uint16(got.Ref) == pe.Ref)
	}
	// Output:
	// accepted: [msg-3.1]
	// then: [msg-3.2 msg-3.3] <nil>
	// part 1 of 3, reference shared: true
	// part 2 of 3, reference shared: true
	// part 3 of 3, reference shared: true
}

// Receiving delivery reports: mount Webhook where CallbackURL points.
func ExampleTransport_Webhook() {
	sim := operatortest.NewServer(operatortest.Elks46, nil)
	defer sim.Close()
	mux := http.NewServeMux()
	app := httptest.NewServer(mux)
	defer app.Close()

	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.Elks46(),
		BaseURL: sim.URL(),
		Credentials: httptransport.Credentials{
			User: operatortest.DefaultUser, Password: operatortest.DefaultPassword,
		},
		CallbackURL: app.URL + "/sms/reports",
		Webhook:     httptransport.WebhookConfig{Secret: "a-long-random-webhook-token"},
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	mux.Handle("/sms/reports", tr.Webhook())

	got := make(chan transport.Report, 1)
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error { got <- r; return nil })

	res, err := tr.Submit(context.Background(), &transport.Message{
		ID: "msg-7", From: transport.Sender{Value: "Advox"}, To: "+46701234567",
		Encoding: transport.GSM7, Parts: []string{"Your order has shipped"}, ReportRequested: true,
	})
	if err != nil {
		panic(err)
	}
	// The operator delivers the message and calls the webhook.
	code, _ := sim.SendReport(context.Background(), operatortest.Report{
		ID: res.OperatorIDs[0], Status: transport.StatusDelivered,
	})
	r := <-got
	fmt.Println(code, r.MessageID, r.OperatorID == res.OperatorIDs[0], r.Status)
	// Output:
	// 200 msg-7 true delivered
}

// Adding an operator by writing a profile: a fictional "Acme" gateway that
// takes GET /send?key=…&dst=…&msg=… and answers "OK <id>" in plain text,
// and "BUSY" with 200 when it is throttling.
func ExampleProfile() {
	acme := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("key") != "acme-key" {
			http.Error(w, "bad key", http.StatusForbidden)
			return
		}
		fmt.Fprint(w, "OK 7f3a9\n")
	}))
	defer acme.Close()

	profile := httptransport.Profile{
		Name:   "acme",
		Method: http.MethodGet,
		Path:   "/send",
		Body:   httptransport.BodyQuery,
		Auth:   httptransport.Auth{Kind: httptransport.AuthFields, TokenField: "key"},
		Fields: httptransport.Fields{From: "src", To: "dst", Text: "msg"},
		Response: httptransport.ResponseSpec{
			Format:    httptransport.ResponseText,
			IDPattern: regexp.MustCompile(`^OK (\w+)`),
			RequireID: true,
		},
		Classify: func(r httptransport.Reply) httptransport.Class {
			if r.StatusCode == http.StatusOK && string(r.Body) == "BUSY" {
				return httptransport.Throttled
			}
			return httptransport.DefaultClassifier(r)
		},
	}
	tr, err := httptransport.New(httptransport.Config{
		Profile: profile, BaseURL: acme.URL,
		Credentials: httptransport.Credentials{Token: "acme-key"},
		Timeout:     10 * time.Second,
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	res, err := tr.Submit(context.Background(), &transport.Message{
		ID: "m1", From: transport.Sender{Value: "Advox"}, To: "+46701234567",
		Encoding: transport.GSM7, Parts: []string{"hi"},
	})
	fmt.Println(res.OperatorIDs, err)
	// Output:
	// [7f3a9] <nil>
}

func ExampleParseRetryAfter() {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	d, ok := httptransport.ParseRetryAfter("Thu, 02 Jan 2025 03:05:05 GMT", now)
	fmt.Println(d, ok)
	d, ok = httptransport.ParseRetryAfter("7", now)
	fmt.Println(d, ok)
	// Output:
	// 1m0s true
	// 7s true
}

func ExampleMaskNumber() {
	fmt.Println(httptransport.MaskNumber("+46701234567"))
	// Output: +4670*****67
}

// An operator (or gateway) signing a GenericJSON delivery report for an
// InboundHMAC webhook.
func ExampleSign() {
	body := []byte(`{"id":"gw-1","reference":"msg-1","status":"delivered"}`)
	sig := httptransport.Sign("shared-secret-0123456789", "1700000000", "nonce-1", body)
	fmt.Printf("%s: 1700000000\n%s: nonce-1\n%s: sha256=%x\n",
		httptransport.DefaultTimestampHeader, httptransport.DefaultNonceHeader,
		httptransport.DefaultSignatureHeader, sig)
	// Output:
	// X-Advox-Timestamp: 1700000000
	// X-Advox-Nonce: nonce-1
	// X-Advox-Signature: sha256=c69c11235210311ea3d31cf5306a08ef0612388eed9a331f0361ccc721d21660
}

// Sinch's batches: each batch's callback_url carries a token of its own
// message (no credentials), and Sinch's statuses map as it documents them
// (Unknown is final).
func ExampleSinchBatches() {
	sim := operatortest.NewServer(operatortest.Sinch, nil)
	defer sim.Close()
	mux := http.NewServeMux()
	app := httptest.NewServer(mux)
	defer app.Close()

	tr, err := httptransport.New(httptransport.Config{
		Profile:     httptransport.SinchBatches(),
		BaseURL:     sim.URL(),
		Credentials: httptransport.Credentials{Token: operatortest.DefaultToken},
		CallbackURL: app.URL + "/sms/reports",
		Webhook:     httptransport.WebhookConfig{Secret: "a-long-random-webhook-secret"},
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	mux.Handle("/sms/reports", tr.Webhook())
	got := make(chan transport.Report, 2)
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error { got <- r; return nil })

	_, err = tr.Submit(context.Background(), &transport.Message{
		ID: "msg-9", From: transport.Sender{Value: "Advox"}, To: "+46701234567",
		Encoding: transport.GSM7, Parts: []string{"Your table is ready"}, ReportRequested: true,
		ValidFor: time.Hour,
	})
	if err != nil {
		panic(err)
	}
	batch := sim.Received()[0]
	fmt.Println("expire_at sent:", batch.Validity != "")
	for _, status := range []string{"Dispatched", "Unknown"} {
		sim.SendReport(context.Background(), operatortest.Report{ID: batch.ID, OperatorStatus: status})
		r := <-got
		fmt.Println(status, "→", r.Status, r.Status.Final())
	}
	// Output:
	// expire_at sent: true
	// Dispatched → enroute false
	// Unknown → undeliverable true
}

// Receiving messages from handsets: mount InboundWebhook at the URL given
// to the operator (here 46elks' sms_url, with the webhook token), and take
// each message durably before returning, since the answer to the operator
// waits for the handler: an error makes 46elks post the message again.
func ExampleTransport_InboundWebhook() {
	sim := operatortest.NewServer(operatortest.Elks46, nil)
	defer sim.Close()
	const secret = "inbound-secret-0123456789"
	tr, err := httptransport.New(httptransport.Config{
		Profile: httptransport.Elks46(), BaseURL: sim.URL(),
		Credentials: httptransport.Credentials{User: operatortest.DefaultUser, Password: operatortest.DefaultPassword},
		Webhook:     httptransport.WebhookConfig{Secret: secret},
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	got := make(chan transport.Inbound, 1)
	tr.SetInboundHandler(func(_ context.Context, m transport.Inbound) error {
		got <- m // an application stores it first
		return nil
	})
	mux := http.NewServeMux()
	mux.Handle("/sms/in", tr.InboundWebhook())
	app := httptest.NewServer(mux)
	defer app.Close()

	code, err := sim.SendInbound(context.Background(), app.URL+"/sms/in?token="+secret,
		operatortest.Inbound{From: "+46701234567", To: "+46766860000", Text: "STOP"})
	if err != nil {
		panic(err)
	}
	m := <-got
	fmt.Println(code, m.From, m.To, m.Text)
	// Output: 200 +46701234567 +46766860000 STOP
}
