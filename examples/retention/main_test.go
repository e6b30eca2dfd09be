package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestRetentionWalkthrough(t *testing.T) {
	defer goleak.VerifyNone(t)
	require.NoError(t, run(context.Background()))
}
