package main

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test leaves no goroutine behind: servers, sessions, webhooks,
// purgers and simulators all end with the gateway.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
