package advox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox"
)

// Account ids go into every audit event and log line, which hold opaque
// ids only: an id that is an e-mail address, a phone number or an IP
// address is refused, without echoing it.
func TestValidateAccountIDRefusesContactData(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"acme", true},
		{"acct-2001", true},
		{"cust_0042", true},
		{"ops@acme.example", false},
		{"+46701234567", false},
		{"tel:+46-70-123-45-67", false},
		{"203.0.113.7", false},
		{"host-2001:db8::1", false},
	} {
		t.Run(tc.id, func(t *testing.T) {
			err := advox.ValidateAccountID(tc.id)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, advox.CodeInvalidArgument, advox.CodeOf(err))
			assert.NotContains(t, err.Error(), tc.id)
		})
	}
}
