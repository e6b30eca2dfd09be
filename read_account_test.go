package advox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/transport/memtransport"
)

// AccountStatus reads the account's own message like Status, and treats
// another account's message exactly like a missing one: not found, not
// opened, not audited as a read.
func TestAccountStatus(t *testing.T) {
	trail := &testkit.AuditLog{}
	c, _ := newClient(t, memtransport.New(nil), &advox.Options{Auditor: trail})
	ctx := context.Background()
	mine := send(t, c, "acct-a", to, "a")
	theirs := send(t, c, "acct-b", to, "b")
	reads := func() int {
		n := 0
		for _, a := range trail.Actions() {
			if a == "read" {
				n++
			}
		}
		return n
	}

	r, err := c.AccountStatus(ctx, advox.PurposeTroubleshoot, "acct-a", mine.ID)
	require.NoError(t, err)
	assert.Equal(t, mine.ID, r.ID)
	assert.Equal(t, phone.Number(to), r.To)
	assert.Equal(t, 1, reads())

	tests := []struct {
		name, account, id string
		code              advox.Code
	}{
		{"another account's message", "acct-a", theirs.ID, advox.CodeNotFound},
		{"a missing message", "acct-a", "no-such-id", advox.CodeNotFound},
		{"no account", "", mine.ID, advox.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.AccountStatus(ctx, advox.PurposeTroubleshoot, tt.account, tt.id)
			assert.Equal(t, tt.code, advox.CodeOf(err))
			assert.Equal(t, 1, reads(), "nothing read")
		})
	}
	_, err = c.AccountStatus(ctx, "", "acct-a", mine.ID)
	assert.Error(t, err, "a purpose is required")
}
