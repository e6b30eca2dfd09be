package transport_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/transport"
)

// TestStatuses: the vocabulary is a copy each call, so a caller that
// changes it changes nothing else (it was an exported slice, and stores
// encoded statuses by their position in it).
func TestStatuses(t *testing.T) {
	all := transport.Statuses()
	assert.Equal(t, []transport.Status{
		transport.StatusUnknown, transport.StatusAccepted, transport.StatusEnroute, transport.StatusDelivered,
		transport.StatusExpired, transport.StatusDeleted, transport.StatusUndeliverable, transport.StatusRejected,
	}, all)
	for _, s := range all {
		assert.True(t, s.Valid(), s)
	}
	all[0] = "changed"
	assert.Equal(t, transport.StatusUnknown, transport.Statuses()[0])
	assert.False(t, transport.Status("changed").Valid())
	assert.True(t, transport.StatusUnknown.Valid())
}
