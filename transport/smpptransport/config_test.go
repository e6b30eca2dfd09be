package smpptransport

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigValidation(t *testing.T) {
	ok := Config{Addr: "127.0.0.1:1", SystemID: "x"}
	c, err := ok.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:1", c.Name)
	assert.Equal(t, DefaultWindow, c.Window)
	assert.Equal(t, 1, c.Sessions)
	assert.Equal(t, uint8(1), c.RegisteredDelivery)

	bad := map[string]func(*Config){
		"no addr":          func(c *Config) { c.Addr = "" },
		"no system id":     func(c *Config) { c.SystemID = "" },
		"negative window":  func(c *Config) { c.Window = -1 },
		"negative rate":    func(c *Config) { c.MaxRate = -1 },
		"bad bind mode":    func(c *Config) { c.BindMode = 7 },
		"bad outage":       func(c *Config) { c.Outage = 7 },
		"one id base only": func(c *Config) { c.SubmitIDBase = 16 },
		"bad id base":      func(c *Config) { c.SubmitIDBase, c.ReceiptIDBase = 8, 10 },
	}
	for name, mutate := range bad {
		c := ok
		mutate(&c)
		_, err := New(c)
		assert.Error(t, err, name)
	}
}

func TestDefaultBackoff(t *testing.T) {
	for attempt := 1; attempt <= 20; attempt++ {
		d := DefaultBackoff(attempt)
		assert.Greater(t, d, time.Duration(0))
		assert.LessOrEqual(t, d, 36*time.Second)
	}
	assert.Less(t, DefaultBackoff(1), DefaultBackoff(8))
}
