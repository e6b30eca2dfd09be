package advox

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Message ids are 32 hex characters that sort by creation time (to the
// millisecond) and never repeat.
func TestNewMessageID(t *testing.T) {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := range 1000 {
		id := newMessageID(at.Add(time.Duration(i/10) * time.Millisecond))
		assert.Regexp(t, `^[0-9a-f]{32}$`, id)
		assert.False(t, seen[id], "repeated id")
		seen[id] = true
		if i%10 == 0 {
			assert.Greater(t, id, prev, "a later millisecond sorts later")
		}
		prev = id
	}
}
