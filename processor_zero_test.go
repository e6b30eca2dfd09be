package advox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
)

// TestProcessorsZeroValue: a register declared as a zero value (var r
// advox.Processors, or &advox.Processors{}) takes registrations instead of
// panicking on its nil map.
func TestProcessorsZeroValue(t *testing.T) {
	var r advox.Processors
	require.Error(t, r.Check("se-operator"), "an empty register allows nothing")
	require.NotPanics(t, func() { require.NoError(t, r.Register(operator("se-operator", "SE", ""))) })
	assert.NoError(t, r.Check("se-operator"))
	assert.Len(t, r.List(), 1)
}
