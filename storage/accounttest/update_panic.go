package accounttest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// testUpdatePanics: an fn that panics (a bug in the caller, recovered
// further up, as net/http recovers a handler's panic) stores nothing and
// leaves nothing held: the same account can be read and updated at once,
// under a context that is still live.
func testUpdatePanics(t *testing.T, s storage.AccountStore, _ Features) {
	a := fullCustomer("acct-a", "alice")
	mustCreate(t, s, a)
	live := ctx(t) // not canceled until the test ends
	assert.Panics(t, func() {
		_, _ = s.UpdateAccount(live, "acct-a", func(c *storage.Customer) error {
			c.Organisation = "Half-written AB"
			c.Users = nil
			panic("accounttest: fn panics")
		})
	})

	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := s.GetAccount(c, "acct-a")
	require.NoError(t, err)
	assertSame(t, a, got)
	_, err = s.UpdateAccount(c, "acct-a", func(c *storage.Customer) error { c.Organisation = "Renamed AB"; return nil })
	require.NoError(t, err, "the panicking update must not keep the account locked")
	_, _, err = s.ReserveSegments(c, "acct-a", period(3), 1, 0)
	require.NoError(t, err)
	require.NoError(t, s.CreateAccount(c, fullCustomer("acct-b", "bob")), "nor the store")
}
