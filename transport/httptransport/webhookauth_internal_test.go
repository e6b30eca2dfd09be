package httptransport

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestNonceCache(t *testing.T) {
	c := newNonceCache()
	now := time.Unix(1_700_000_000, 0)
	assert.True(t, c.claim("n1", now.Add(time.Minute), now))
	assert.False(t, c.claim("n1", now.Add(time.Minute), now.Add(30*time.Second)))
	assert.True(t, c.claim("n1", now.Add(3*time.Minute), now.Add(2*time.Minute)), "expired nonces may be reused")
	for i := range 3000 {
		c.claim(strconv.Itoa(i), now.Add(time.Second), now)
	}
	later := now.Add(time.Minute)
	for i := range 2000 {
		c.claim("later-"+strconv.Itoa(i), later.Add(time.Second), later)
	}
	assert.Less(t, len(c.until), 3000, "expired nonces are swept")
}
