package advox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
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
