package advox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
)

// "Åsa" has two Unicode spellings that look the same: NFC (one code point
// for Å) and NFD (A and a combining ring). Ids are compared byte for byte,
// so both spellings as two users would be a look-alike login. Ids are
// kept in NFC only, and a login typed in another form still finds its
// user.
const (
	asaNFC = "\u00c5sa-api"  // Å
	asaNFD = "A\u030asa-api" // A + combining ring above
)

func TestIDsAreNFC(t *testing.T) {
	require.NotEqual(t, asaNFC, asaNFD)
	assert.NoError(t, advox.ValidateAccountID(asaNFC))
	err := advox.ValidateAccountID(asaNFD)
	assert.Equal(t, advox.CodeInvalidArgument, advox.CodeOf(err))
	assert.NotContains(t, err.Error(), asaNFD)
}

func TestLoginInAnotherUnicodeFormFindsTheUser(t *testing.T) {
	f := authFixture(t, nil)
	_, err := f.acc.Create(ctxT(t), storage.Customer{
		Account: "asa", Organisation: "Åsas Blommor AB",
		Users: []storage.User{{ID: asaNFC, Allowed: mustPrefixes("192.0.2.0/24")}},
	})
	require.NoError(t, err)
	_, err = f.acc.Create(ctxT(t), storage.Customer{
		Account: "asa-twin", Organisation: "Tvilling AB",
		Users: []storage.User{{ID: asaNFD, Allowed: mustPrefixes("192.0.2.0/24")}},
	})
	assert.Equal(t, advox.CodeInvalidArgument, advox.CodeOf(err), "a look-alike of an existing user id")

	require.NoError(t, f.acc.SetPassword(ctxT(t), asaNFD, goodPassword), "set by either spelling")
	for _, id := range []string{asaNFC, asaNFD} {
		p, err := f.acc.Authenticate(ctxT(t), id, goodPassword, "192.0.2.10:1")
		require.NoError(t, err, "%q", id)
		assert.Equal(t, "asa", p.Account)
	}
}
