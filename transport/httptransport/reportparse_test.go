package httptransport_test

import (
	"errors"
	"net/url"
	"testing"

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
