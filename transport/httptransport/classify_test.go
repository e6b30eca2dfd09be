package httptransport_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/transport/httptransport"
)

func TestDefaultClassifier(t *testing.T) {
	cases := []struct {
		status int
		want   httptransport.Class
	}{
		{200, httptransport.Accepted},
		{201, httptransport.Accepted},
		{202, httptransport.Accepted},
		{301, httptransport.Rejected},
		{307, httptransport.Rejected},
		{400, httptransport.Rejected},
		{401, httptransport.Rejected},
		{403, httptransport.Rejected},
		{408, httptransport.NotSent},
		{422, httptransport.Rejected},
		{429, httptransport.Throttled},
		{500, httptransport.OutcomeUnknown},
		{502, httptransport.OutcomeUnknown},
		{503, httptransport.OutcomeUnknown},
		{504, httptransport.OutcomeUnknown},
		{101, httptransport.OutcomeUnknown},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, httptransport.DefaultClassifier(httptransport.Reply{StatusCode: c.status}), "HTTP %d", c.status)
	}
}

func TestKannelClassifier(t *testing.T) {
	classify := httptransport.Kannel().Classify
	cases := []struct {
		status int
		body   string
		want   httptransport.Class
	}{
		{202, "0: Accepted for delivery", httptransport.Accepted},
		{202, "3: Queued for later delivery", httptransport.Accepted},
		// immediate-sendsms-reply: was outcome unknown, so a sent message
		// was recorded as maybe sent.
		{202, "Sent.", httptransport.Accepted},
		{202, "Sent. Message splits: 2", httptransport.Accepted},
		{200, "Sent.", httptransport.OutcomeUnknown},
		{202, "", httptransport.OutcomeUnknown},
		{200, "0: Accepted for delivery", httptransport.OutcomeUnknown},
		{200, "<html>portal</html>", httptransport.OutcomeUnknown},
		{503, "Temporal failure, try again later.", httptransport.NotSent},
		{503, "<html>Service Unavailable</html>", httptransport.OutcomeUnknown},
		{403, "Not routable. Do not try again.", httptransport.Rejected},
		{403, "Authorization failed for sendsms", httptransport.Rejected},
		{400, "Missing receiver number, rejected", httptransport.Rejected},
		{500, "Sending failed.", httptransport.OutcomeUnknown},
		{429, "", httptransport.Throttled},
	}
	for _, c := range cases {
		got := classify(httptransport.Reply{StatusCode: c.status, Body: []byte(c.body)})
		assert.Equal(t, c.want, got, "%d %q", c.status, c.body)
	}
}

func TestGenericClassifier(t *testing.T) {
	classify := httptransport.GenericJSON().Classify
	cases := []struct {
		status int
		body   string
		want   httptransport.Class
	}{
		{201, `{"id":"gw-1"}`, httptransport.Accepted},
		{200, `{"status":"throttled"}`, httptransport.Throttled},
		{403, `{"status":"throttled"}`, httptransport.Throttled},
		{503, `{"status":"not_accepted"}`, httptransport.NotSent},
		{503, `<html>busy</html>`, httptransport.OutcomeUnknown},
		{422, `{"error":"invalid recipient"}`, httptransport.Rejected},
		{429, ``, httptransport.Throttled},
	}
	for _, c := range cases {
		got := classify(httptransport.Reply{StatusCode: c.status, Body: []byte(c.body)})
		assert.Equal(t, c.want, got, "%d %q", c.status, c.body)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, false},
		{"-5", 0, false},
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"999999999", 24 * time.Hour, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, false},
		{"Mon, 02 Jan 2025 03:04:35 GMT", 30 * time.Second, true},
		{"tomorrow", 0, false},
		{"1.5", 0, false},
	}
	for _, c := range cases {
		got, ok := httptransport.ParseRetryAfter(c.in, now)
		assert.Equal(t, c.ok, ok, "%q", c.in)
		assert.Equal(t, c.want, got, "%q", c.in)
	}
}

func TestClassString(t *testing.T) {
	assert.Equal(t, "outcome unknown", httptransport.OutcomeUnknown.String())
	assert.Equal(t, "Class(99)", httptransport.Class(99).String())
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
