package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The example runs end to end with every profile.
func TestRun(t *testing.T) {
	for name := range profiles {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, run(context.Background(), name))
		})
	}
	require.Error(t, run(context.Background(), "nope"))
}
