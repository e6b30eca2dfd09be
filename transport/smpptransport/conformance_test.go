package smpptransport

import (
	"testing"
	"time"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
	"github.com/azenna/advox/transport/smpptransport/smsctest/smscconformance"
	"github.com/azenna/advox/transport/transporttest"
)

func TestConformance(t *testing.T) {
	modes := []struct {
		name   string
		srv    *smsctest.Options
		mutate func(*Config)
	}{
		{"Transceiver", nil, nil},
		{"TransmitterReceiver", nil, func(c *Config) { c.BindMode = TransmitterReceiver }},
		{"TwoSessionsHexIDs", &smsctest.Options{IDBase: 16, ReceiptIDBase: 10},
			func(c *Config) { c.Sessions, c.SubmitIDBase, c.ReceiptIDBase = 2, 16, 10 }},
		{"ReceiptTLVs", &smsctest.Options{IDBase: 16, ReceiptIDBase: 10, ReceiptTLVs: true},
			func(c *Config) { c.SubmitIDBase, c.ReceiptIDBase = 16, 10 }},
		{"Payload", nil, func(c *Config) { c.Payload = true }},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			transporttest.Run(t, func(t *testing.T) transporttest.Harness {
				return smscconformance.NewHarness(t, m.srv, func(addr string) (transport.Transport, error) {
					cfg := Config{
						Addr: addr, SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
						RespTimeout: 200 * time.Millisecond, Backoff: fastBackoff, Logger: quiet,
						ThrottleRetryAfter: time.Millisecond,
					}
					if m.mutate != nil {
						m.mutate(&cfg)
					}
					return New(cfg)
				})
			}, transporttest.Features{DeliveryReports: true, Inbound: true})
		})
	}
}
