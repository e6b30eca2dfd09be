package httptransport_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
)

var fuzzDialects = []httptransport.ReportDialect{
	httptransport.Kannel().Reports,
	httptransport.Elks46().Reports,
	httptransport.SinchBatches().Reports,
	httptransport.GenericJSON().Reports,
}

func FuzzReportParse(f *testing.F) {
	f.Add(uint8(0), "ref=msg-1&token=x&status=1&at=1700000000", []byte(nil))
	f.Add(uint8(0), "ref=msg-1&status=%d&at=%T", []byte(nil))
	f.Add(uint8(1), "ref=m", []byte("id=s1&status=delivered&delivered=2018-07-13T13:57:23.741000"))
	f.Add(uint8(1), "", []byte("id=%zz&status=sent"))
	f.Add(uint8(2), "ref=m", []byte(`{"type":"recipient_delivery_report_sms","batch_id":"01F","client_reference":"m","code":0,"status":"Delivered","at":"2016-10-02T09:34:28.542Z","recipient":"46700000000"}`))
	f.Add(uint8(3), "", []byte(`[{"id":"gw-1","reference":"m","status":"delivered","error_code":"0","at":"2024-01-02T03:04:05Z"},{"id":"gw-2","status":"enroute"}]`))
	f.Add(uint8(3), "", []byte(`{"id":1e400,"status":"delivered"}`))
	f.Add(uint8(3), "", []byte(`[[[[[]]]]]`))
	f.Add(uint8(0), "ref=msg-1&part=2&token=x&status=1&at=1700000000", []byte(nil))
	f.Add(uint8(0), "ref=msg-1&part=0&status=1", []byte(nil))
	f.Add(uint8(1), "", []byte("direction=incoming&id=sf84&from=%2B46706861004&to=%2B46706860000&message=hi"))
	f.Add(uint8(2), "ref=m", []byte(`{"type":"mo_text","id":"01X","from":"16051234567","to":"13185551234","body":"hi"}`))
	f.Add(uint8(2), "ref=m", []byte(`{"type":"delivery_report_sms","batch_id":"01F","statuses":[{"code":0,"count":1,"status":"Delivered"}]}`))
	f.Add(uint8(2), "ref=m&part=1", []byte(`{"type":"recipient_delivery_report_sms","batch_id":"01F","status":"Unknown","code":0,"at":"2024-10-25T10:02:42.148Z","operator_status_at":"2024-10-25T10:02:00Z"}`))
	f.Fuzz(func(t *testing.T, which uint8, rawQuery string, body []byte) {
		d := fuzzDialects[int(which)%len(fuzzDialects)]
		query, _ := url.ParseQuery(rawQuery)
		reports, err := d.Parse(query, body)
		if errors.Is(err, httptransport.ErrOtherCallback) {
			if reports != nil {
				t.Fatal("another kind of callback gave reports")
			}
			return
		}
		if err != nil {
			if !errors.Is(err, httptransport.ErrMalformedReport) {
				t.Fatalf("error %v wraps neither ErrMalformedReport nor ErrOtherCallback", err)
			}
			return
		}
		if len(reports) == 0 {
			t.Fatal("no error and no report")
		}
		for _, r := range reports {
			if r.OperatorID == "" && r.MessageID == "" {
				t.Fatalf("report without any id: %+v", r)
			}
			if !r.Status.Valid() {
				t.Fatalf("status outside the vocabulary: %q", r.Status)
			}
			if len(r.ErrorCode) > 32 || len(r.OperatorID) > 140 || len(r.MessageID) > 128 {
				t.Fatalf("unbounded field: %+v", r)
			}
			if r.ErrorCode != "" && (!r.Status.Final() || r.Status == transport.StatusDelivered) {
				t.Fatalf("an error code on a report of no failure: %+v", r)
			}
		}
	})
}

func FuzzResponseRead(f *testing.F) {
	specs := []httptransport.ResponseSpec{
		httptransport.Elks46().Response,
		httptransport.SinchBatches().Response,
		httptransport.GenericJSON().Response,
		httptransport.Kannel().Response,
	}
	f.Add(uint8(0), []byte(`{"id":"s1","parts":2,"cost":3500}`))
	f.Add(uint8(1), []byte(`{"id":"01F","to":["46700000000"]}`))
	f.Add(uint8(2), []byte(`{"id":["a","b"],"parts":2,"price":"0.1"}`))
	f.Add(uint8(2), []byte(`{"id":"gw-1","par`))
	f.Add(uint8(3), []byte("0: Accepted for delivery"))
	f.Add(uint8(3), []byte("Sent. Message splits: 3"))
	f.Add(uint8(0), []byte(`{"id":"s1","parts":1,"cost":-0}`))
	f.Add(uint8(0), []byte(`{"id":"s1","cost":99999999999999999999999999999999}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		a, err := specs[int(which)%len(specs)].Read(body)
		if err != nil {
			return
		}
		for _, id := range a.IDs {
			if id == "" || len(id) > 128 {
				t.Fatalf("bad id %q", id)
			}
		}
		if strings.HasPrefix(a.Price, "0") && len(a.Price) > 1 && a.Price[1] != '.' || strings.HasSuffix(a.Price, ".") {
			t.Fatalf("price %q is not a plain decimal", a.Price)
		}
		if a.Parts < 0 {
			t.Fatalf("negative parts %d", a.Parts)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	f.Add("7")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add("-1")
	f.Add("99999999999999999999")
	now := time.Date(2015, 10, 21, 7, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := httptransport.ParseRetryAfter(v, now)
		if ok && (d <= 0 || d > 24*time.Hour) {
			t.Fatalf("%q gave %v", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("%q gave %v without ok", v, d)
		}
	})
}

// FuzzWebhook drives the whole handler, authentication included, with
// arbitrary requests: it must answer a 2xx or 4xx, never panic or 5xx.
func FuzzWebhook(f *testing.F) {
	f.Add(uint8(0), "POST", "token=webhook-secret-0123456789&ref=m&status=1", "", "", "", []byte(nil))
	f.Add(uint8(1), "POST", "token=webhook-secret-0123456789", "", "", "", []byte("id=s1&status=delivered"))
	f.Add(uint8(3), "POST", "", "1700000000", "n1", "sha256=00", []byte(`{"id":"gw-1","status":"delivered"}`))
	f.Add(uint8(2), "GET", "", "", "", "", []byte(`{}`))
	profiles := []httptransport.Profile{
		httptransport.Kannel(), httptransport.Elks46(), httptransport.SinchBatches(), httptransport.GenericJSON(),
	}
	transports := make([]*httptransport.Transport, len(profiles))
	for i, p := range profiles {
		tr, err := httptransport.New(httptransport.Config{
			Profile: p, BaseURL: "http://127.0.0.1:1",
			Credentials: httptransport.Credentials{User: "u", Password: "p", Token: "t"},
			CallbackURL: "http://127.0.0.1:2/dlr",
			Webhook: httptransport.WebhookConfig{
				Secret: hookSecret, User: hookUser, Password: hookPassword, MaxBody: 4096,
				Now: func() time.Time { return time.Unix(1700000000, 0) },
			},
		})
		if err != nil {
			f.Fatal(err)
		}
		tr.SetReportHandler(func(context.Context, transport.Report) error { return nil })
		transports[i] = tr
	}
	f.Cleanup(func() {
		for _, tr := range transports {
			tr.Close()
		}
	})
	f.Fuzz(func(t *testing.T, which uint8, method, rawQuery, ts, nonce, sig string, body []byte) {
		tr := transports[int(which)%len(transports)]
		req, err := http.NewRequest(method, "http://advox.test/dlr", bytes.NewReader(body))
		if err != nil {
			return
		}
		req.URL.RawQuery = rawQuery
		req.Header.Set(httptransport.DefaultTimestampHeader, ts)
		req.Header.Set(httptransport.DefaultNonceHeader, nonce)
		req.Header.Set(httptransport.DefaultSignatureHeader, sig)
		req.SetBasicAuth(hookUser, hookPassword)
		rec := httptest.NewRecorder()
		tr.Webhook().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("answered %d", rec.Code)
		}
	})
}
