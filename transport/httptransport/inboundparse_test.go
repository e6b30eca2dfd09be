package httptransport_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
)

// FuzzInboundParse feeds every built-in profile's inbound parser arbitrary
// queries and bodies: none panics, and what it returns keeps the
// contract of transport.Inbound.
func FuzzInboundParse(f *testing.F) {
	f.Add(uint8(0), "from=%2B4670&to=7200&text=%00a&coding=2&charset=UTF-16BE&udh=%05%00%03%01%02%01", []byte(nil))
	f.Add(uint8(0), "from=a&to=b&text=x&udh=050003010201", []byte(nil))
	f.Add(uint8(1), "", []byte("direction=incoming&id=s1&from=%2B46701234567&to=%2B46766860000&message=STOP&created=2026-01-02T03:04:05.123456"))
	f.Add(uint8(2), "", []byte(`{"type":"mo_binary","from":"46701234567","to":"72000","body":"AAE=","udh":"0500030a0201"}`))
	f.Add(uint8(2), "", []byte(`[{"type":"mo_text","from":"46701234567","to":"72000","body":"hi"}]`))
	f.Add(uint8(3), "", []byte(`{"from":"+46701234567","to":"+46766860000","data":"2D3eAA==","coding":"ucs2","udh":"0500030a0202"}`))
	profiles := []httptransport.Profile{httptransport.Kannel(), httptransport.Elks46(), httptransport.SinchBatches(), httptransport.GenericJSON()}
	f.Fuzz(func(t *testing.T, which uint8, rawQuery string, body []byte) {
		p := profiles[int(which)%len(profiles)]
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		parts, err := p.Inbound.Parse(q, body)
		if err != nil {
			assert.True(t, errors.Is(err, httptransport.ErrMalformedInbound) || errors.Is(err, httptransport.ErrOtherCallback), "%v", err)
			return
		}
		for _, in := range parts {
			assert.NotEmpty(t, in.From)
			assert.NotEmpty(t, in.To)
			if in.Malformed != "" {
				assert.Empty(t, in.Text)
				assert.Zero(t, in.Total)
				continue
			}
			if in.Total > 0 {
				assert.True(t, in.Total >= 2 && in.Seq >= 1 && in.Seq <= in.Total)
			}
			if in.Coding == transport.CodingUCS2 {
				assert.Zero(t, len(in.Bytes)%2)
			}
		}
	})
}
