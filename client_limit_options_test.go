package advox_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/time/rate"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// A malformed rate option is refused at NewClient: a negative rate lets
// one message through and then holds every later one forever.
func TestNewClientRefusesMalformedLimits(t *testing.T) {
	tests := []struct {
		name string
		opts advox.Options
		ok   bool
	}{
		{"negative default rate", advox.Options{AccountLimit: advox.Limit{Rate: -1, Burst: 1}}, false},
		{"NaN default rate", advox.Options{AccountLimit: advox.Limit{Rate: rate.Limit(math.NaN())}}, false},
		{"negative default burst", advox.Options{AccountLimit: advox.Limit{Rate: 1, Burst: -1}}, false},
		{"negative account rate", advox.Options{AccountLimits: map[string]advox.Limit{"a": {Rate: -0.5}}}, false},
		{"negative account burst", advox.Options{AccountLimits: map[string]advox.Limit{"a": {Rate: 2, Burst: -3}}}, false},
		{"unlimited", advox.Options{AccountLimit: advox.Unlimited(), AccountLimits: map[string]advox.Limit{"a": advox.Unlimited()}}, true},
		{"zero burst means one", advox.Options{AccountLimit: advox.Limit{Rate: 5}}, true},
		{"zero account limit means the default", advox.Options{AccountLimits: map[string]advox.Limit{"a": {}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), &tt.opts)
			if c != nil {
				defer func() { assert.NoError(t, c.Close()) }()
			}
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, advox.ErrInvalidArgument)
			}
		})
	}
}
